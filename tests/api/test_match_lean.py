"""The lean match route (api.routes.match_lean) answers what it takes, byte for byte as
match_json, and hands everything else to the FastAPI route with the body intact."""

import json

import orjson
import pytest
from fastapi.testclient import TestClient

from api.routes import elections
from vaa.results import MatchRequest, match_json, prepared_if_cached

URL = "/api/v1/elections/demo/match"
BODY = {"answers": {"e-petitions": "agree", "youth-space": "disagree"}, "method": "hybrid"}


def _refuse(*args: object) -> bytes:
    raise AssertionError("the FastAPI route answered")


def test_a_plain_match_never_reaches_the_fastapi_route(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elections, "match_json", _refuse)
    response = client.post(URL, json=BODY, headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    prepared = prepared_if_cached(response.json()["version"], "demo")
    assert prepared is not None
    assert response.content == match_json(prepared, MatchRequest.model_validate(BODY))
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    # the middleware still wraps it: security headers as on every other answer
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in response.headers["content-security-policy"]


def test_gzip_still_applies_to_the_lean_answer(client: TestClient) -> None:
    response = client.post(URL, json=BODY, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["method"] == "hybrid"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        # json.loads takes NaN, orjson does not: FastAPI's validation refuses the weight
        (
            '{"answers": {"e-petitions": "agree"}, "weights": {"e-petitions": NaN}}',
            "application/json",
            422,
            None,
        ),
        ('{"answers": {"e-petitions": "agree"', "application/json", 422, None),
        ('{"answers": {"e-petitions": true}}', "application/json", 422, None),
        ('["answers"]', "application/json", 422, None),
        ('{"answers": {"nope": "agree"}}', "application/json", 400, "answers.statement"),
        ('{"answers": {}}', "application/json", 400, "answers.none"),
        (json.dumps(BODY), "text/plain", 422, None),
    ],
)
def test_what_the_lean_route_declines_gets_the_fastapi_answer(
    client: TestClient, content: str, content_type: str, status: int, code: str | None
) -> None:
    response = client.post(URL, content=content, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    body = response.json()
    if code is None:
        assert body["detail"] and all("loc" in error for error in body["detail"])
    else:
        assert body["code"] == code


def test_a_declined_request_is_refused_in_the_readers_language(client: TestClient) -> None:
    response = client.post(
        URL, json={"answers": {"nope": "agree"}}, headers={"accept-language": "ka"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "ამ არჩევნებში მოსაზრება „nope“ არ არსებობს."


def test_an_unknown_election_is_declined_to_the_404(client: TestClient) -> None:
    response = client.post("/api/v1/elections/nowhere/match", json=BODY)
    assert response.status_code == 404
    assert response.json()["code"] == "election.unknown"


def test_json_with_a_charset_is_taken_too(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elections, "match_json", _refuse)
    response = client.post(
        URL,
        content=orjson.dumps(BODY),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200 and response.json()["method"] == "hybrid"


def test_the_schema_lists_the_match_once(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert list(spec["paths"]["/api/v1/elections/{election}/match"]) == ["post"]
    assert "MatchRequest" in spec["components"]["schemas"]
