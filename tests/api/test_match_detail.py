"""`"detail": "summary"` on POST match: the same ranking without per-statement detail."""

from fastapi.testclient import TestClient

URL = "/api/v1/elections/demo/match"
ANSWERS = {"e-petitions": "agree", "youth-space": "disagree"}


def test_summary_leaves_out_only_the_per_statement_detail(client: TestClient) -> None:
    full = client.post(URL, json={"answers": ANSWERS})
    summary = client.post(URL, json={"answers": ANSWERS, "detail": "summary"})
    assert full.status_code == summary.status_code == 200
    assert len(summary.content) < len(full.content)
    assert all(r["statements"] for r in full.json()["results"])
    trimmed = full.json()
    for result in trimmed["results"]:
        result["statements"] = {}
    for race in trimmed["races"]:
        for result in race["results"]:
            result["statements"] = {}
    assert summary.json() == trimmed


def test_an_unknown_detail_is_refused(client: TestClient) -> None:
    response = client.post(URL, json={"answers": ANSWERS, "detail": "some"})
    assert response.status_code in (400, 422)
