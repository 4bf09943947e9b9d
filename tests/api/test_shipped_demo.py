"""What `vaa serve` gives a new user on an empty database: the shipped Zugdidi demo,
with its places and races in the API and one ranking per race (docs/demo.md)."""

from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import SHIPPED_DEMO_FILES
from vaa.bootstrap import prepare_database
from vaa.loading import read_elections
from vaa.results import MatchRequest, prepare, score_answers
from vaa.settings import Settings


def test_serve_loads_the_shipped_demo_and_the_api_ranks_each_race(settings: Settings) -> None:
    shipped = Settings(database_url=settings.database_url, demo_files=SHIPPED_DEMO_FILES)
    engine, (outcome,) = prepare_database(shipped)  # what `vaa serve` runs first
    engine.dispose()
    assert outcome.slug == "demo"
    (content,) = read_elections(SHIPPED_DEMO_FILES)
    tradition = next(e for e in content.entities if e.id == "tradition-faith")
    answers: dict[str, str | None] = {s: p.answer for s, p in tradition.positions.items()}
    request = {"answers": answers, "constituency": "anaklia-rukhi", "language": "ka"}
    with TestClient(create_app(shipped)) as client:
        election = client.get("/api/v1/elections/demo").json()
        response = client.post("/api/v1/elections/demo/match", json=request)
    assert [c["id"] for c in election["constituencies"]] == [
        "zugdidi",
        "zugdidi-centre",
        "anaklia-rukhi",
        "chkaduashi-jikhashkari",
    ]
    assert [r["id"] for r in election["races"]] == [
        "mayor",
        "council-list",
        "seat-centre",
        "seat-anaklia",
        "seat-chkaduashi",
    ]
    assert response.status_code == 200
    races = response.json()["races"]
    assert [(r["race"], r["title"]) for r in races] == [
        ("mayor", "ზუგდიდის მერი"),
        ("council-list", "საკრებულო: პარტიული სია"),
        ("seat-anaklia", "საკრებულოს მაჟორიტარი წევრი, №2 ოლქი (ანაკლია, რუხი და განმუხური)"),
    ]
    seat = {r["entity"]: r for r in races[2]["results"]}
    # Natia Shonia stands on her party's positions, so she agrees with its voter fully.
    assert seat["natia-shonia"]["rank"] == 1
    assert seat["natia-shonia"]["score"] == 100.0
    assert seat["natia-shonia"]["positions_from"] == "tradition-faith"
    assert set(seat) == {"natia-shonia", "besik-kilasonia", "temur-esartia"}
    assert races[1]["did_not_answer"] == ["new-zugdidi"]
    # The API gives, race by race, the numbers the engine gives.
    expected = score_answers(
        prepare(content, outcome.version), MatchRequest.model_validate(request, strict=False)
    )
    for got, want in zip(races, expected["races"], strict=True):
        assert [(r["entity"], r["score"], r["interval"]) for r in got["results"]] == [
            (r["entity"], r["score"], r["interval"]) for r in want["results"]
        ]
