"""The JSON API, on the real app and a real database (SQLite and PostgreSQL)."""

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import DATA
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings

EXAMPLE = [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]
# The worked example of matching.md: s2 is marked important.
WORKED = {
    "answers": {"s1": "agree-strongly", "s2": "agree", "s3": "neutral", "s4": "disagree-strongly"},
    "weights": {"s2": 2},
}


@pytest.fixture
def example(settings: Settings, demo: sa.Engine) -> Iterator[TestClient]:
    with session_scope(demo) as session:
        load_files(session, paths=EXAMPLE)
    with TestClient(create_app(settings)) as client:
        yield client


def test_lists_and_describes_published_elections(example: TestClient) -> None:
    listed = example.get("/api/v1/elections").json()
    assert [e["election"] for e in listed] == ["demo", "example"]
    demo = example.get("/api/v1/elections/demo").json()
    assert demo["languages"] == ["ka", "en"]
    assert 24 <= demo["statements"] <= 30
    assert demo["bundle"] == f"/api/v1/elections/demo/bundle/{demo['version']}"
    assert example.get("/api/v1/elections/nope").status_code == 404


def test_worked_example_end_to_end(example: TestClient) -> None:
    body = example.post("/api/v1/elections/example/match", json=WORKED).json()
    a, b = body["results"]
    assert (a["entity"], b["entity"]) == ("party-a", "party-b")
    assert a["score"] == pytest.approx(80.0)
    assert b["score"] == pytest.approx(60.0)
    assert a["interval"] == pytest.approx([60.81, 99.19], abs=0.005)
    assert a["close_to_top"] and b["close_to_top"]
    # themes: first = s1, s2 (w 1, 2); second = s3, s4
    assert a["themes"] == pytest.approx({"first": 100 * (1 - 0.25 / 3), "second": 62.5})
    assert b["themes"] == pytest.approx({"first": 50.0, "second": 75.0})
    assert b["statements"]["s3"] == {"entity_answer": None, "agreement": 50.0}
    assert a["statements"]["s2"] == {"entity_answer": "agree", "agreement": 100.0}
    # economic: s1 loads +1, s2 loads -0.5: voter (1 - 0.25)/1.5, A (0.5 - 0.25)/1.5, B (-1 - 0.5)/1.5
    assert body["position"]["economic"] == pytest.approx(0.5)
    assert a["position"]["economic"] == pytest.approx(1 / 6)
    assert b["position"]["economic"] == pytest.approx(-1.0)
    assert body["sensitivity"] == dict.fromkeys(
        ["cityblock", "euclidean", "directional", "hybrid"], "party-a"
    )
    assert body["answered"] == 4 and body["method"] == "cityblock" and body["missing"] == "max"


@pytest.mark.parametrize(
    ("method", "missing", "a", "b"),
    [
        ("cityblock", "neutral", 80.0, 70.0),
        ("cityblock", "skip", 80.0, 62.5),
        ("directional", "max", 65.0, 60.0),
        ("hybrid", "max", 72.5, 60.0),
        ("hybrid", "neutral", 72.5, 65.0),
        ("euclidean", "max", 72.614, 47.560),
    ],
)
def test_methods_and_missing_policies(
    example: TestClient, method: str, missing: str, a: float, b: float
) -> None:
    body = example.post(
        "/api/v1/elections/example/match", json={**WORKED, "method": method, "missing": missing}
    ).json()
    scores = {r["entity"]: r["score"] for r in body["results"]}
    assert scores == pytest.approx({"party-a": a, "party-b": b}, abs=0.001)


def test_ties_share_a_rank_and_are_ordered_by_id(example: TestClient) -> None:
    # s1 neutral, s2 agree-strongly (1): A (0.5, 0.5) -> d = 0.25, 0.25; B (-1, 1) -> d = 0.5, 0.
    # Both D = 0.25: a tie at 75, shown as rank 1 twice, ordered by id.
    body = example.post(
        "/api/v1/elections/example/match",
        json={"answers": {"s1": "neutral", "s2": "agree-strongly"}},
    ).json()
    assert [(r["entity"], r["rank"], r["score"]) for r in body["results"]] == [
        ("party-a", 1, 75.0),
        ("party-b", 1, 75.0),
    ]


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({"answers": {"nope": "agree"}}, 400, "unknown statement 'nope'"),
        ({"answers": {"s1": "maybe"}}, 400, "'maybe' is not an answer option for 's1'"),
        ({"answers": {"s1": "agree"}, "weights": {"s1": -1}}, 422, "greater than or equal to 0"),
        ({"answers": {"s1": "agree"}, "method": "cosine"}, 422, "cityblock"),
        ({"answers": {}}, 400, "no statement answered"),
        ({"answers": {"s1": "agree"}, "weights": {"s1": 0}}, 400, "no statement answered"),
        ({"answers": {"s1": None}}, 400, "no statement answered"),
        ({"answers": {"s1": "agree"}, "language": "de"}, 400, "language 'de'"),
        ({"answers": {"s1": "agree"}, "extra": 1}, 422, "Extra inputs"),
        ({"answers": {"s1": "agree"}, "weights": {"s1": True}}, 422, "valid number"),
    ],
)
def test_bad_requests_say_what_was_wrong(
    example: TestClient, payload: dict[str, object], status: int, fragment: str
) -> None:
    response = example.post("/api/v1/elections/example/match", json=payload)
    assert response.status_code == status
    assert fragment in json.dumps(response.json()["detail"])


def test_malformed_json_and_unknown_election(example: TestClient) -> None:
    response = example.post(
        "/api/v1/elections/example/match",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in json.dumps(response.json()["detail"])
    unknown = example.post("/api/v1/elections/nope/match", json=WORKED)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no published election 'nope'"


def test_bundle_is_immutable_with_strong_etag(example: TestClient) -> None:
    response = example.get("/api/v1/elections/demo/bundle")
    version = response.json()["version"]
    assert response.headers["etag"] == f'"{version}"'
    assert response.headers["content-encoding"] == "gzip"
    again = example.get("/api/v1/elections/demo/bundle", headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304 and again.content == b""
    pinned = example.get(f"/api/v1/elections/demo/bundle/{version}")
    assert pinned.content == response.content
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert example.get("/api/v1/elections/demo/bundle/0000").status_code == 404
    assert example.get(f"/api/v1/elections/example/bundle/{version}").status_code == 404


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
