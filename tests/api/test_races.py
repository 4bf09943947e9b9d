"""Races through the real app and the CLI: each race ranked among its own entities.

The election (tests/data/races-*.yaml) has a 3-point scale, so positions are -1, 0, +1
and the cityblock agreement of a statement is 1 - |v - p| / 2. The voter answers
s1 agree (+1), s2 agree (+1), s3 disagree (-1), weights 1:

    party-a  +1 +1 +1     d = 0, 0, 1          score 100 (1 - 1/3) = 66.67
    party-b  -1  0 -1     d = 1, 1/2, 0        50
    party-c  +1  0  .     s3 unanswered, missing=max imputes +1: d = 0, 1/2, 1 -> 50
    m-ana    +1 -1 -1     d = 0, 1, 0          66.67
    m-beka   uses party-b's positions           50
    m-dato   answered nothing                   did not answer (0 among everyone)
    d1-eka   uses party-a's positions           66.67
    d1-gia    0 +1 -1     d = 1/2, 0, 0        83.33
    d2-lela  -1 -1 -1     d = 1, 1, 0          33.33
"""

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.conftest import RACE_FILES
from vaa import matching
from vaa.cli import main
from vaa.loading import read_elections
from vaa.results import PreparedElection
from vaa.settings import Settings

URL = "/api/v1/elections/races/match"
VOTER = {"s1": "agree", "s2": "agree", "s3": "disagree"}


def _scores(results: list[dict]) -> list[tuple[str, float, int]]:
    return [(r["entity"], round(r["score"], 2), r["rank"]) for r in results]


def test_election_lists_its_places_and_races(races: TestClient) -> None:
    body = races.get("/api/v1/elections/races").json()
    assert [(c["id"], c["within"]) for c in body["constituencies"]] == [
        ("town", None),
        ("d1", "town"),
        ("d2", "town"),
    ]
    assert [(r["id"], r["constituency"], r["entities"]) for r in body["races"]] == [
        ("mayor", "town", ["m-ana", "m-beka", "m-dato"]),
        ("list", "town", ["party-a", "party-b", "party-c"]),
        ("seat-d1", "d1", ["d1-eka", "d1-gia"]),
        ("seat-d2", "d2", ["d2-lela"]),
    ]
    flat = races.get("/api/v1/elections/demo").json()
    assert (flat["constituencies"], flat["races"]) == ([], [])


def test_a_district_voter_gets_three_ballots_each_ranked_on_its_own(races: TestClient) -> None:
    r = races.post(URL, json={"answers": VOTER, "constituency": "d1", "language": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["constituency"] == "d1"
    mayor, party_list, seat = body["races"]
    assert (mayor["race"], mayor["title"]) == ("mayor", "Mayor")
    assert _scores(mayor["results"]) == [("m-ana", 66.67, 1), ("m-beka", 50.0, 2)]
    assert mayor["did_not_answer"] == ["m-dato"]  # silent: listed, never ranked
    beka = mayor["results"][1]
    assert (beka["party"], beka["backing"], beka["positions_from"]) == (
        "party-b",
        ["party-c"],
        "party-b",
    )
    assert beka["statements"]["s1"] == {"entity_answer": "disagree", "agreement": 0.0}
    assert _scores(party_list["results"]) == [
        ("party-a", 66.67, 1),
        ("party-b", 50.0, 2),  # a tie shares a rank, ordered by id
        ("party-c", 50.0, 2),
    ]
    assert party_list["did_not_answer"] == []
    assert seat["race"] == "seat-d1"
    assert _scores(seat["results"]) == [("d1-gia", 83.33, 1), ("d1-eka", 66.67, 2)]
    assert seat["sensitivity"] == dict.fromkeys(matching.METHODS, "d1-gia")
    # the top-level ranking still holds every entity, silent ones included
    assert len(body["results"]) == 9
    assert body["results"][0]["entity"] == "d1-gia"
    assert body["results"][-1]["entity"] == "m-dato" and body["results"][-1]["score"] == 0.0


def test_the_place_selects_the_races(races: TestClient) -> None:
    def race_ids(**extra: str) -> list[str]:
        body = races.post(URL, json={"answers": VOTER, **extra}).json()
        return [race["race"] for race in body["races"]]

    assert race_ids(constituency="town") == ["mayor", "list"]
    assert race_ids(constituency="d2") == ["mayor", "list", "seat-d2"]
    assert race_ids() == ["mayor", "list", "seat-d1", "seat-d2"]
    bad = races.post(URL, json={"answers": VOTER, "constituency": "d9"})
    assert bad.status_code == 400 and "unknown constituency 'd9'" in bad.text
    flat = races.post("/api/v1/elections/demo/match", json={"answers": {"e-petitions": "agree"}})
    assert flat.status_code == 200 and flat.json()["races"] == []


def test_each_race_equals_the_batch_engine_on_its_entities_alone(races: TestClient) -> None:
    (content,) = read_elections(RACE_FILES)
    prepared = PreparedElection.build(content, "test")
    voter = np.array([1.0, 1.0, -1.0])
    rng = np.random.default_rng(7)
    for method in matching.METHODS:
        for missing in ("max", "neutral", "skip"):
            weights = rng.choice([0.5, 1.0, 2.0], size=3)
            body = races.post(
                URL,
                json={
                    "answers": VOTER,
                    "weights": dict(zip(["s1", "s2", "s3"], weights.tolist(), strict=True)),
                    "method": method,
                    "missing": missing,
                },
            ).json()
            for race in body["races"]:
                ids = [r["entity"] for r in race["results"]]
                rows = [prepared.entity_ids.index(i) for i in ids]
                expected = matching.batch_scores(
                    voter[np.newaxis, :],
                    weights[np.newaxis, :],
                    prepared.entity_answers[rows],
                    method=method,  # type: ignore[arg-type]
                    missing=missing,  # type: ignore[arg-type]
                )[0]
                got = [np.nan if r["score"] is None else r["score"] for r in race["results"]]
                np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_quick_mode_works_within_a_race(races: TestClient) -> None:
    url = "/api/v1/elections/races/next"
    body = races.post(url, json={"answers": VOTER, "race": "seat-d1"}).json()
    assert (body["statement"], body["settled"]) == (None, True)
    unknown = races.post(url, json={"answers": {}, "race": "governor"})
    assert unknown.status_code == 400 and "governor" in unknown.text


def test_cli_ranks_each_race_of_a_constituency(
    races: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(VOTER), "utf-8")
    base = ["match", "races", "--answers", str(answers), "--language", "en"]
    assert main([*base, "--constituency", "d1"]) == 0
    out = capsys.readouterr().out
    assert "constituency d1" in out
    mayor = out.index("Mayor (mayor)")
    seat = out.index("District 1 seat (seat-d1)")
    assert mayor < out.index("did not answer: m-dato") < out.index("Party list (list)") < seat
    assert "  1.   83%" in out[seat:] and "Gia" in out[seat:]
    assert "Beka  (positions of party-b)" in out
    assert "Lela" not in out  # district 2 is not on a district 1 ballot
    assert main([*base, "--json", "--constituency", "d2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [r["race"] for r in body["races"]] == ["mayor", "list", "seat-d2"]
    assert main([*base, "--constituency", "nowhere"]) == 2
    assert "unknown constituency 'nowhere'" in capsys.readouterr().err
