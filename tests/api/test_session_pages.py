"""Group sessions over HTTP: the facilitator's pages, joining, answers, reports (issue 5)."""

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests import soup
from tests.api.test_auth import add_account, form_token, sign_in
from vaa.models import AuditEntry, GroupSession, Participant, SessionAnswer
from vaa.settings import Settings


@pytest.fixture
def facilitator(client: TestClient, demo: sa.Engine) -> TestClient:
    """The client signed in as a facilitator, reading English."""
    client.headers["accept-language"] = "en"
    add_account(demo, "facilitator@example.org", "facilitator")
    add_account(demo, "other@example.org", "facilitator")
    add_account(demo, "editor@example.org", "editor")
    assert sign_in(client, "facilitator@example.org").status_code == 303
    return client


def _create(client: TestClient, **fields: str) -> str:
    token = form_token(client, "/facilitator")
    data = {
        "election": "demo",
        "language": "en",
        "place": "Zugdidi",
        "day": "2025-09-20",
        "min_group": "3",
        "kiosk_minutes": "3",
        "csrf_token": token,
        **fields,
    }
    response = client.post("/facilitator/sessions", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _code(client: TestClient, base: str) -> str:
    page = client.get(base)
    found = re.search(r'id="join-code">(\w{6})<', page.text)
    assert found
    return found.group(1)


def _join(facilitator: TestClient, code: str, *, donate: bool = False) -> tuple[TestClient, str]:
    # Another browser on the same app: its own cookies, the facilitator's engine.
    phone = TestClient(facilitator.app)
    page = phone.get(f"/en/join/{code}")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf_token": token.group(1), "consent": "yes"} | ({"donate": "yes"} if donate else {})
    joined = phone.post(f"/en/join/{code}", data=data)
    assert joined.status_code == 200
    script = re.search(
        r'<script type="application/json" id="join-data">(.*?)</script>', joined.text
    )
    assert script
    return phone, json.loads(script.group(1))["participant"]


def test_only_facilitators_and_admins(client: TestClient, demo: sa.Engine) -> None:
    client.headers["accept-language"] = "en"
    add_account(demo, "editor@example.org", "editor")
    assert client.get("/facilitator", follow_redirects=False).status_code == 401
    page = client.get("/facilitator", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    sign_in(client, "editor@example.org")
    assert client.get("/facilitator").status_code == 403
    assert client.get("/api/v1/sessions/1/summary").status_code == 403


def test_create_share_and_see_only_your_own(facilitator: TestClient, settings: Settings) -> None:
    base = _create(facilitator)
    page = facilitator.get(base)
    assert page.status_code == 200
    shown = soup.parse(page)
    assert soup.one(shown, ".session-qr svg")["aria-label"].startswith("QR code to join session")
    assert soup.select(shown, "[style]") == []  # the CSP forbids inline styles
    code = _code(facilitator, base)
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}", code)
    assert soup.text(soup.one(shown, "#join-code")) == code
    assert f"Open http://testserver/join/{code} or scan the QR code." in soup.content(shown)
    other = TestClient(facilitator.app)
    other.headers["accept-language"] = "en"
    sign_in(other, "other@example.org")
    assert other.get(base).status_code == 404
    assert other.get("/api/v1/sessions/1/summary").status_code == 404
    assert code not in soup.texts(soup.parse(other.get("/facilitator")), ".session-code")
    assert code in soup.texts(soup.parse(facilitator.get("/facilitator")), ".session-code")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("election", "nope", "Choose a published election."),
        ("language", "ru", "The election is not available in this language."),
        ("min_group", "0", "The minimum group size must be a whole number"),
        ("min_group", "five", "The minimum group size must be a whole number"),
        ("kiosk_minutes", "999", "The kiosk time-out must be"),
        ("day", "2025-02-30", "The date is not a valid date."),
    ],
)
def test_create_form_errors(
    facilitator: TestClient, demo: sa.Engine, field: str, value: str, message: str
) -> None:
    token = form_token(facilitator, "/facilitator")
    data = {
        "election": "demo",
        "language": "en",
        "min_group": "5",
        "kiosk_minutes": "3",
        "csrf_token": token,
        field: value,
    }
    response = facilitator.post("/facilitator/sessions", data=data)
    assert response.status_code == 400
    assert message in response.text
    with Session(demo) as session:
        assert session.exec(select(func.count()).select_from(GroupSession)).one() == 0


def test_forms_need_the_csrf_token(facilitator: TestClient) -> None:
    response = facilitator.post(
        "/facilitator/sessions", data={"election": "demo", "language": "en"}
    )
    assert response.status_code == 403


def test_join_answer_report_close(
    facilitator: TestClient, settings: Settings, demo: sa.Engine
) -> None:
    base = _create(facilitator)
    code = _code(facilitator, base)
    assert (
        facilitator.get(f"/join/{code.lower()}", follow_redirects=False).headers["location"]
        == f"/en/join/{code}"
    )
    phone, first = _join(facilitator, code, donate=True)
    _, second = _join(facilitator, code)
    _, third = _join(facilitator, code)  # the minimum group is at least 3
    url = f"/api/v1/sessions/{code}/answers"
    for person, answer in [(first, "agree"), (second, "disagree"), (third, "agree")]:
        sent = phone.post(
            url,
            json={
                "participant": person,
                "answers": {"e-petitions": answer},
                "weights": {"e-petitions": 2},
                "finished": True,
            },
        )
        assert sent.status_code == 200 and sent.json() == {"stored": 1}
    # Nothing about the person is stored: the participant row has no such columns.
    assert set(Participant.model_fields) == {
        "id",
        "session_id",
        "day",
        "source",
        "consent",
        "donate",
        "finished",
        "changes",  # a count of writes, for the projector
    }
    for body, status in [
        ({"participant": first, "answers": {"nope": "agree"}}, 400),
        ({"participant": first, "answers": {"e-petitions": "maybe"}}, 400),
        (
            {
                "participant": first,
                "answers": {"e-petitions": "agree"},
                "weights": {"e-petitions": 7},
            },
            422,
        ),
        ({"participant": "someone", "answers": {}}, 404),
        ({"participant": first, "answers": {}, "extra": 1}, 422),
    ]:
        assert phone.post(url, json=body).status_code == status
    assert (
        phone.post("/api/v1/sessions/AAAAAA/answers", json={"participant": first}).status_code
        == 404
    )
    summary = facilitator.get(f"/api/v1/sessions/{base.rsplit('/', 1)[1]}/summary").json()
    assert summary["shown"] and summary["statements"][0]["counts"] == [0, 1, 0, 2, 0]

    report = facilitator.get(f"{base}/report")
    assert report.status_code == 200
    sheet = soup.parse(report)
    facts = dict(
        zip(
            soup.texts(sheet, ".report__facts dt"),
            soup.select(sheet, ".report__facts dd"),
            strict=True,
        )
    )
    assert soup.text(facts["Place"]) == "Zugdidi"
    assert soup.one(facts["Date"], "time")["datetime"] == "2025-09-20"
    exported = facilitator.get(f"{base}/report.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "item", "option", "value", "label"]
    assert ["session", "joined", "", "3", ""] in rows
    assert ["session", "completion_percent", "", "100", ""] in rows
    assert any(r[:4] == ["statement", "e-petitions", "agree", "2"] for r in rows)
    assert sum(1 for r in rows if r[0] == "match") == 7

    token = form_token(facilitator, base)
    closed = facilitator.post(f"{base}/close", data={"csrf_token": token}, follow_redirects=False)
    assert closed.status_code == 303
    assert (
        phone.post(
            url, json={"participant": second, "answers": {"e-petitions": "agree"}}
        ).status_code
        == 404
    )
    # An ended session and an unknown code get the same 404, so codes cannot be probed.
    ended = phone.get(f"/en/join/{code}")
    assert ended.status_code == 404 and "If the session has ended" in soup.alerts(soup.parse(ended))
    unknown = phone.get("/en/join/ZZZZZZ")
    assert unknown.status_code == 404
    assert unknown.text.split("<main")[1] == ended.text.split("<main")[1]
    assert facilitator.get(f"{base}/report").status_code == 200
    with Session(demo) as session:
        assert session.exec(select(func.count()).select_from(SessionAnswer)).one() == 0
        actions = session.exec(select(AuditEntry.action)).all()
        assert "session.create" in actions and "session.close" in actions
    # A closed session's stream sends its summary once and ends.
    with facilitator.stream("GET", f"/api/v1/sessions/{base.rsplit('/', 1)[1]}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    data = json.loads(re.search(r"^data: (.*)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert data["status"] == "closed" and data["joined"] == 3


def test_join_needs_consent_and_a_valid_code(facilitator: TestClient, settings: Settings) -> None:
    code = _code(facilitator, _create(facilitator))
    phone = TestClient(facilitator.app)
    page = phone.get(f"/en/join/{code}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = phone.post(f"/en/join/{code}", data={"csrf_token": token})
    assert refused.status_code == 400
    assert soup.alerts(soup.parse(refused)) == "To join, please tick the box to agree."
    assert phone.post(f"/en/join/{code}", data={"consent": "yes"}).status_code == 403
    assert phone.get("/en/join?code=ab").status_code == 400
    assert (
        phone.get(f"/en/join?code={code.lower()}", follow_redirects=False).headers["location"]
        == f"/en/join/{code}"
    )
    georgian = phone.get(f"/ka/join/{code}")
    assert georgian.status_code == 200
    assert soup.text(soup.one(soup.parse(georgian), "label:has(#join-consent)")).startswith(
        "თანახმა ვარ"
    )


def test_paper_sheets_and_hands(facilitator: TestClient, demo: sa.Engine) -> None:
    base = _create(facilitator)
    token = form_token(facilitator, f"{base}/sheets")
    wrong = facilitator.post(f"{base}/sheets", data={"csrf_token": token, "sheet": "129"})
    assert wrong.status_code == 400
    assert "Character 3, „9“, is not an answer" in soup.alerts(soup.parse(wrong))
    assert 'value="129"' in wrong.text  # what was typed stays for correction
    short = facilitator.post(f"{base}/sheets", data={"csrf_token": token, "sheet": "12"})
    assert "2 answers typed, but the questionnaire has 28 statements." in soup.alerts(
        soup.parse(short)
    )
    for _ in range(3):  # the minimum group is at least 3
        saved = facilitator.post(
            f"{base}/sheets",
            data={"csrf_token": token, "sheet": "4!" + "3" * 27},
            follow_redirects=False,
        )
        assert saved.status_code == 303
    sheets = soup.parse(facilitator.get(saved.headers["location"]))
    assert "Paper sheets so far: 3." in soup.notices(sheets)
    bad = facilitator.post(f"{base}/hands", data={"csrf_token": token, "t-e-petitions-agree": "x"})
    assert bad.status_code == 400 and "Use whole numbers only" in soup.alerts(soup.parse(bad))
    ok = facilitator.post(
        f"{base}/hands",
        data={"csrf_token": token, "t-e-petitions-disagree": "3", "t-e-petitions-skip": "1"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert 'value="3"' in facilitator.get(f"{base}/hands").text
    summary = facilitator.get(f"/api/v1/sessions/{base.rsplit('/', 1)[1]}/summary").json()
    assert summary["paper"] == 3 and summary["finished"] == 3
    assert summary["statements"][0]["counts"] == [0, 3, 0, 3, 0]
    assert summary["statements"][0]["skipped"] == 1
    for language, word in [("en", "Answer sheet"), ("ka", "პასუხების ფურცელი")]:
        paper = facilitator.get(f"{base}/paper?language={language}")
        assert paper.status_code == 200 and word in paper.text
        assert paper.text.count('class="paper__box"') == 28 * 6


def test_projector_page_has_no_inline_code(facilitator: TestClient) -> None:
    base = _create(facilitator)
    page = facilitator.get(f"{base}/projector")
    assert page.status_code == 200
    assert soup.select(soup.parse(page), "[style]") == []
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts)
    data = json.loads(
        re.search(r'id="projector-data">(.*?)</script>', page.text).group(1)  # type: ignore[union-attr]
    )
    assert data["summary"]["shown"] is False and data["summary"]["statements"] is None
    assert len(data["meta"]["statements"]) == 28


def test_kiosk_page(facilitator: TestClient, settings: Settings) -> None:
    base = _create(facilitator)
    code = _code(facilitator, base)
    kiosk = facilitator.get(f"{base}/kiosk", follow_redirects=False)
    assert kiosk.headers["location"] == f"/en/join/{code}/kiosk"
    page = TestClient(facilitator.app).get(f"/en/join/{code}/kiosk")
    assert page.status_code == 200
    assert soup.one(soup.parse(page), "#kiosk-frame")["src"] == f"/en/join/{code}?kiosk=1"


def test_a_sessions_pages_offer_only_its_elections_languages(facilitator: TestClient) -> None:
    # The demo is in Georgian and English: a phone joining it must not be offered Russian,
    # Armenian or Azerbaijani pages with the statements in another language. The code form,
    # before any session is known, offers every language the app speaks.
    code = _code(facilitator, _create(facilitator))
    phone = TestClient(facilitator.app)

    def offered(url: str) -> list[str]:
        page = soup.parse(phone.get(url))
        return sorted(a["hreflang"] for a in page.select(".lang-switch a[hreflang]"))

    assert offered(f"/ka/join/{code}") == ["en", "ka"]
    assert offered("/ka/join") == ["az", "en", "hy", "ka", "ru"]
