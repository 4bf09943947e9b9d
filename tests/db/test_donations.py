"""Anonymous donations of answers and their statistics (SQLite and PostgreSQL)."""

import html
import re
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from vaa.db import session_scope
from vaa.donations import THRESHOLD, donate, statistics
from vaa.errors import InvalidAnswers, NotFound
from vaa.models import Donation, DonationAnswer
from vaa.publish import content_from_bundle
from vaa.store import bundle_bytes, published_ref


def _election(client: TestClient) -> dict[str, Any]:
    bundle = client.get("/api/v1/elections/demo").json()["bundle"]
    data: dict[str, Any] = client.get(f"{bundle}/en").json()
    return data


def _body(election: dict[str, Any], pick: int = 0) -> dict[str, Any]:
    """A donation: every statement answered with one option, the first skipped."""
    ids = [s["id"] for s in election["statements"]]
    option = election["scale"][pick]["id"]
    return {
        "version": election["version"],
        "answers": {sid: (None if i == 0 else option) for i, sid in enumerate(ids)},
        "weights": {ids[1]: 2},
    }


def _donate(client: TestClient, body: dict[str, Any], election: str = "demo") -> httpx.Response:
    """Send a donation with a fresh one-time token, as the result page's script does."""
    token = client.post("/api/v1/elections/demo/donation-tokens")
    assert token.status_code == 201, token.text
    body = {"token": token.json()["token"], **body}
    return client.post(f"/api/v1/elections/{election}/donations", json=body)


def test_a_donation_keeps_answers_version_and_day_only(client: TestClient, demo: sa.Engine) -> None:
    election = _election(client)
    response = _donate(client, _body(election))
    assert response.status_code == 201
    assert response.json() == {"stored": True}
    # Nothing else could identify the voter: the tables have no other columns.
    columns = {c["name"] for c in sa.inspect(demo).get_columns("donation")}
    assert columns == {"id", "election_id", "version", "day"}
    assert {c["name"] for c in sa.inspect(demo).get_columns("donation_answer")} == {
        "donation_id",
        "statement",
        "answer",
        "weight",
    }
    with Session(demo) as session:
        (row,) = session.exec(select(Donation)).all()
        assert row.version == election["version"]
        assert isinstance(row.day, date) and not hasattr(row.day, "hour")
        answers = {a.statement: (a.answer, a.weight) for a in session.exec(select(DonationAnswer))}
    ids = [s["id"] for s in election["statements"]]
    assert len(answers) == len(ids)
    assert answers[ids[0]] == (None, 1)
    assert answers[ids[1]] == (election["scale"][0]["id"], 2)


@pytest.mark.parametrize(
    ("change", "status", "problem"),
    [
        (lambda b: b["answers"].update({"no-such-statement": "agree"}), 400, "unknown statement"),
        (
            lambda b: b["answers"].update({next(iter(b["answers"])): "maybe"}),
            400,
            "not an answer option",
        ),
        (lambda b: b.update(answers={k: None for k in b["answers"]}), 400, "no statement answered"),
        (lambda b: b.update(version="0" * 64), 404, "no published version"),
        (lambda b: b["weights"].update({"x": 1}), 400, "weight for unknown statement"),
        (lambda b: b["weights"].update({next(iter(b["answers"])): 3}), 422, ""),
        (lambda b: b.update(ip="127.0.0.1"), 422, ""),
        (lambda b: b.pop("version"), 422, ""),
    ],
)
def test_invalid_donations_are_refused_with_a_reason(
    client: TestClient, demo: sa.Engine, change: Any, status: int, problem: str
) -> None:
    body = _body(_election(client))
    change(body)
    response = _donate(client, body)
    assert response.status_code == status, response.text
    assert problem in str(response.json()["detail"])
    with Session(demo) as session:
        assert session.exec(select(Donation)).all() == []


def test_malformed_requests_are_4xx(client: TestClient) -> None:
    assert _donate(client, _body(_election(client)), election="nope").status_code == 404
    garbage = client.post(
        "/api/v1/elections/demo/donations",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert garbage.status_code == 422
    assert client.post("/api/v1/elections/demo/donations", json=[1, 2]).status_code == 422
    assert client.get("/api/v1/elections/nope/statistics").status_code == 404


def test_statistics_wait_for_enough_donations(client: TestClient) -> None:
    election = _election(client)
    for i in range(THRESHOLD - 1):  # voters on their own connections (one may flood: 429)
        voter = TestClient(client.app, client=(f"192.0.2.{i + 1}", 50000))
        _donate(voter, _body(election, pick=i % 2))
    waiting = client.get("/api/v1/elections/demo/statistics").json()
    assert waiting["needed"] == 1 and waiting["statements"] is None
    assert waiting["donations"] is None  # nothing about the answers before the threshold
    page = client.get("/en/demo/statistics").text
    assert "Still needed: 1 of 20." in page
    assert "<table" not in page

    _donate(client, _body(election, pick=4))
    shown = client.get("/api/v1/elections/demo/statistics").json()
    assert shown["needed"] == 0 and shown["donations"] == THRESHOLD
    first, second = shown["statements"][0], shown["statements"][1]
    assert first["skipped"] == THRESHOLD and first["total"] == THRESHOLD
    counts = {a["option"]: a["count"] for a in second["answers"]}
    scale = [o["id"] for o in election["scale"]]
    assert counts == {scale[0]: 10, scale[1]: 9, scale[2]: 0, scale[3]: 0, scale[4]: 1}
    assert second["important"] == THRESHOLD
    page = html.unescape(client.get("/ka/demo/statistics").text)
    assert "გამოტოვებული" in page  # the skipped row, named in Georgian
    assert "10 · 50%" in page and "9 · 45%" in page and "1 · 5%" in page


def test_service_functions_check_before_storing(demo: sa.Engine) -> None:
    with session_scope(demo) as session:
        ref = published_ref(session, slug="demo")
        assert ref is not None
        q = content_from_bundle(bundle_bytes(session, version_id=ref.version_id)).questionnaire
        sid, option = q.statements[0].id, q.scale[-1].id
        before = statistics(session, election="demo")
        assert (before.donations, before.needed, before.statements) == (0, THRESHOLD, None)
        with pytest.raises(NotFound):
            donate(session, election="demo", version="nope", answers={sid: option}, weights={})
        with pytest.raises(NotFound):
            statistics(session, election="nope")
        with pytest.raises(InvalidAnswers, match="no statement answered"):
            donate(session, election="demo", version=ref.checksum, answers={sid: None}, weights={})
        with pytest.raises(InvalidAnswers, match="is not one of"):
            donate(
                session,
                election="demo",
                version=ref.checksum,
                answers={sid: option},
                weights={sid: True},
            )
        donate(
            session,
            election="demo",
            version=ref.checksum,
            answers={sid: option},
            weights={},
            day=date(2026, 10, 4),
        )
    with session_scope(demo) as session:
        assert statistics(session, election="demo").donations == 1
        assert session.exec(select(Donation)).one().day == date(2026, 10, 4)


def test_the_form_without_javascript_needs_the_tick(client: TestClient, demo: sa.Engine) -> None:
    election = _election(client)
    body = _body(election)
    form = {f"answer-{sid}": option or "skip" for sid, option in body["answers"].items()}
    results = client.post("/en/demo/results", data=form)  # the form is below the result
    token = re.search(r'name="csrf_token" value="([^"]+)"', results.text)
    assert token
    form["version"] = election["version"]
    form["csrf_token"] = token.group(1)
    refused = client.post("/en/demo/donations", data=form, follow_redirects=False)
    assert refused.status_code == 400
    assert "Please tick the box first." in refused.text
    with Session(demo) as session:
        assert session.exec(select(Donation)).all() == []
    stored = client.post(
        "/en/demo/donations", data={**form, "consent": "yes"}, follow_redirects=False
    )
    # The thanks page is the statistics page itself: a redirect would lose the way back
    # to the result, whose answers are only in the form (tests/api/test_results_pages.py).
    assert stored.status_code == 200
    thanks = stored.text
    assert "Thank you! Your answers were added to the statistics anonymously." in thanks
    assert "Still needed: 19 of 20." in thanks
    with Session(demo) as session:
        assert len(session.exec(select(Donation)).all()) == 1
