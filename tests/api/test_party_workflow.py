"""Party self-service through the real app: invitations, positions, the deadline and lock,
review with a diff, approval into the draft, and the audit trail (issue 4, items 3 and 6)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.soup import alerts, content, fields, injected, notices, one, parse, text, texts
from vaa import accounts, audit
from vaa import party_workflow as workflow
from vaa.db import session_scope
from vaa.drafts import open_draft, publish_draft, save_draft
from vaa.models import utcnow

PASSWORD = "correct horse battery staple"
SCRIPT = "<script>alert(1)</script>"
ELECTION = "demo"
PARTY = "green-coast"
OTHER = "open-city"


def add_account(engine: sa.Engine, email: str, role: str) -> None:
    with session_scope(engine) as session:
        accounts.create_account(session, email=email, password=PASSWORD, role=role, actor="test")


def token_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def user_client(app_client: TestClient, email: str | None = None) -> TestClient:
    """Another browser on the same app, signed in as `email` (anonymous if None)."""
    other = TestClient(app_client.app, headers={"accept-language": "en"})
    if email:
        token = token_of(other, "/login")
        data = {"email": email, "password": PASSWORD, "csrf_token": token}
        assert other.post("/login", data=data, follow_redirects=False).status_code == 303
    return other


def audit_actions(engine: sa.Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in audit.entries(session)][::-1]


def draft(engine: sa.Engine) -> tuple[dict[str, Any], int]:
    with session_scope(engine) as session:
        opened = open_draft(session, slug=ELECTION)
        assert opened is not None
        return opened.data, opened.revision


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> TestClient:
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "editor@example.org", "editor")
    return user_client(client, "editor@example.org")


def invite(editor: TestClient, entity: str = PARTY) -> str:
    """Create an invitation as the editor; the link's path."""
    token = token_of(editor, f"/admin/review/{ELECTION}")
    page = editor.post(
        f"/admin/review/{ELECTION}/invitations",
        data={"entity": entity, "days": "14", "csrf_token": token},
    )
    assert page.status_code == 200, page.text
    link = urlsplit(text(one(parse(page), "#invitation-link")))
    assert (link.scheme, link.netloc) == ("http", "testserver") and link.path.startswith(
        "/party/invite/"
    ), link
    return link.path


def accept(client: TestClient, link: str, email: str) -> httpx.Response:
    token = token_of(client, link)
    data = {"email": email, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    return client.post(link, data=data, follow_redirects=False)


def party_client(client: TestClient, editor: TestClient, entity: str = PARTY) -> TestClient:
    browser = user_client(client)
    response = accept(browser, invite(editor, entity), f"{entity}@example.org")
    assert response.status_code == 303
    assert response.headers["location"] == f"/party/{ELECTION}/{entity}"
    return browser


def form_for(
    page: str, *, changes: dict[str, dict[str, str]] | None = None, action: str = "save"
) -> dict[str, str]:
    """The party form's fields as the page shows them, with some values changed."""
    data: dict[str, str] = {"action": action}
    data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    for select in re.finditer(
        r'<select id="(answer-[^"]+)" name="[^"]+">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    for area in re.finditer(
        r'<textarea id="(justification-[^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        data[area.group(1)] = (
            area.group(2)
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#34;", '"')
            .replace("&#39;", "'")
            .replace("&amp;", "&")
        )
    for field in re.finditer(r'<input id="(source-[^"]+)"[^>]*value="([^"]*)"', page):
        data[field.group(1)] = field.group(2).replace("&amp;", "&")
    for statement, values in (changes or {}).items():
        for name, value in values.items():
            kind, _, language = name.partition("-")  # answer, source, justification-<lang>
            data[f"{kind}-{statement}" + (f"-{language}" if language else "")] = value
    return data


def post_positions(
    party: TestClient,
    changes: dict[str, dict[str, str]] | None = None,
    action: str = "save",
    entity: str = PARTY,
) -> httpx.Response:
    path = f"/party/{ELECTION}/{entity}"
    page = party.get(path)
    assert page.status_code == 200, page.text
    return party.post(
        path, data=form_for(page.text, changes=changes, action=action), follow_redirects=False
    )


def test_an_invitation_makes_a_party_account_once(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    link = invite(editor)
    browser = user_client(client)
    page = browser.get(link)
    assert page.status_code == 200 and "Green Coast" in content(parse(page))
    response = accept(browser, link, "Rep@Example.org")
    assert response.status_code == 303
    assert browser.get(f"/party/{ELECTION}/{PARTY}").status_code == 200  # signed in
    assert browser.get("/party", follow_redirects=False).headers["location"] == (
        f"/party/{ELECTION}/{PARTY}"
    )
    # The link works once: a second visit and a second form are refused.
    again = user_client(client)
    assert again.get(link).status_code == 404
    token = token_of(again, "/login")
    data = {
        "email": "x@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": token,
    }
    assert again.post(link, data=data).status_code == 404
    listing = editor.get(f"/admin/review/{ELECTION}").text
    assert 'data-status="accepted"' in listing
    with Session(demo) as session:
        account = accounts.authenticate(
            session, email="rep@example.org", password=PASSWORD, client="t"
        )
        assert (account.role, account.election, account.entity) == ("party", ELECTION, PARTY)
    actions = audit_actions(demo)
    assert "party.invitation.create" in actions and "party.invitation.accept" in actions
    # The token is stored hashed: it appears nowhere in the database.
    with Session(demo) as session:
        invitation = workflow.invitations(session, election=ELECTION)[0]
    assert invitation.token_hash != link.rsplit("/", 1)[1] and len(invitation.token_hash) == 64


def test_invitation_form_errors_change_nothing(client: TestClient, editor: TestClient) -> None:
    link = invite(editor)
    browser = user_client(client)
    token = token_of(browser, link)
    short = {"email": "a@example.org", "password": "short", "confirm": "short", "csrf_token": token}
    assert "at least 10 characters" in alerts(parse(browser.post(link, data=short)))
    differ = {**short, "password": PASSWORD, "confirm": PASSWORD + "x"}
    assert browser.post(link, data=differ).status_code == 400
    no_csrf = {**differ, "confirm": PASSWORD, "csrf_token": "wrong"}
    assert browser.post(link, data=no_csrf).status_code == 403
    assert browser.get(link).status_code == 200  # still unused


def test_expired_and_revoked_invitations_are_refused(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    with session_scope(demo) as session:
        _, expired = workflow.create_invitation(
            session,
            election=ELECTION,
            entity=PARTY,
            days=1,
            actor="test",
            now=utcnow() - timedelta(days=2),
        )
    browser = user_client(client)
    assert browser.get(f"/party/invite/{expired}").status_code == 404
    link = invite(editor)
    with Session(demo) as session:
        newest = workflow.invitations(session, election=ELECTION)[0]
    token = token_of(editor, f"/admin/review/{ELECTION}")
    revoked = editor.post(
        f"/admin/review/{ELECTION}/invitations/{newest.id}/revoke",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert browser.get(link).status_code == 404
    token = token_of(browser, "/login")
    data = {
        "email": "r@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": token,
    }
    assert browser.post(link, data=data).status_code == 404
    listing = editor.get(f"/admin/review/{ELECTION}").text
    assert 'data-status="revoked"' in listing and 'data-status="expired"' in listing
    assert "party.invitation.revoke" in audit_actions(demo)


def test_revoking_an_accepted_invitation_ends_the_party_access(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    with Session(demo) as session:
        accepted = workflow.invitations(session, election=ELECTION)[0]
    token = token_of(editor, f"/admin/review/{ELECTION}")
    editor.post(
        f"/admin/review/{ELECTION}/invitations/{accepted.id}/revoke", data={"csrf_token": token}
    )
    assert party.get(f"/party/{ELECTION}/{PARTY}", follow_redirects=False).status_code in (
        303,
        401,
    )


def test_a_party_sees_and_changes_only_its_own_entity(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    own = party.get(f"/party/{ELECTION}/{PARTY}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', own.text).group(1)  # type: ignore[union-attr]
    for other in (OTHER, "no-such-party"):
        assert party.get(f"/party/{ELECTION}/{other}").status_code == 403
        response = party.post(
            f"/party/{ELECTION}/{other}", data={"action": "save", "csrf_token": token}
        )
        assert response.status_code == 403
    assert party.get(f"/party/other-election/{PARTY}").status_code == 403
    for staff_page in ("/admin/review", f"/admin/review/{ELECTION}", "/admin"):
        assert party.get(staff_page).status_code == 403
    # Editors review; they do not fill in a party's form. Strangers must sign in.
    assert editor.get(f"/party/{ELECTION}/{PARTY}").status_code == 403
    anonymous = user_client(client)
    assert anonymous.get(f"/party/{ELECTION}/{PARTY}", follow_redirects=False).status_code == 401
    assert anonymous.get("/admin/review", follow_redirects=False).status_code == 401
    # Without the CSRF token nothing is saved.
    assert party.post(f"/party/{ELECTION}/{PARTY}", data={"action": "save"}).status_code == 403
    with Session(demo) as session:
        assert workflow.submission(session, election=ELECTION, entity=PARTY) is None


def test_justifications_are_limited_per_language(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    data, _ = draft(demo)
    first = data["questionnaire"]["statements"][0]["id"]
    too_long = {first: {"answer": "agree", "justification-en": "x" * 501}}
    response = post_positions(party, too_long)
    assert response.status_code == 400
    assert "501 characters; at most 500 are allowed" in alerts(parse(response))
    with Session(demo) as session:
        assert workflow.submission(session, election=ELECTION, entity=PARTY) is None
    # Georgian letters count one each, and line breaks count once however they are sent.
    exact = {first: {"answer": "agree", "justification-ka": "ა" * 498 + "\r\nბ"}}
    assert post_positions(party, exact).status_code == 303
    with Session(demo) as session:
        saved = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert saved is not None and saved.status == "draft"
        assert saved.positions[first]["justification"]["ka"] == "ა" * 498 + "\nბ"
    page = content(parse(party.get(f"/party/{ELECTION}/{PARTY}")))
    assert "500 of 500 characters" in page
    bad = {first: {"answer": "maybe"}}
    assert post_positions(party, bad).status_code == 400
    bad_source = {first: {"answer": "agree", "source": "javascript:alert(1)"}}
    assert "must be a web address" in alerts(parse(post_positions(party, bad_source)))
    no_answer = {first: {"answer": "", "justification-en": "why"}}
    assert "Choose an answer" in alerts(parse(post_positions(party, no_answer)))


def test_the_deadline_and_the_lock_close_party_editing(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    admin = user_client(client, "admin@example.org")
    window_path = f"/admin/review/{ELECTION}/window"
    token = token_of(admin, f"/admin/review/{ELECTION}")
    # Editors may not set the window; admins may.
    editor_token = token_of(editor, f"/admin/review/{ELECTION}")
    assert editor.post(window_path, data={"csrf_token": editor_token}).status_code == 403
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = admin.post(
        window_path,
        data={"deadline": past, "justification_limit": "500", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = parse(party.get(f"/party/{ELECTION}/{PARTY}"))
    assert "The deadline" in content(page) and "has passed" in content(page)
    assert one(page, "fieldset.party-fields").has_attr("disabled")
    assert post_positions(party).status_code == 409
    assert post_positions(party, action="submit").status_code == 409
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    admin.post(
        window_path,
        data={"deadline": future, "locked": "1", "justification_limit": "500", "csrf_token": token},
    )
    response = post_positions(party)
    assert response.status_code == 409 and "locked by the organisers" in alerts(parse(response))
    admin.post(
        window_path, data={"deadline": future, "justification_limit": "600", "csrf_token": token}
    )
    data, _ = draft(demo)
    first = data["questionnaire"]["statements"][0]["id"]
    response = post_positions(party, {first: {"answer": "agree", "justification-en": "y" * 601}})
    assert response.status_code == 400 and "at most 600 are allowed" in alerts(parse(response))
    assert (
        post_positions(
            party, {first: {"answer": "agree", "justification-en": "y" * 600}}
        ).status_code
        == 303
    )
    bad = admin.post(window_path, data={"deadline": "soon", "csrf_token": token})
    assert bad.status_code == 400
    assert audit_actions(demo).count("party.window") == 3


def test_submit_return_resubmit_approve_writes_the_draft(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    data, _ = draft(demo)
    ids = [s["id"] for s in data["questionnaire"]["statements"]]
    held = next(e for e in data["entities"] if e["id"] == PARTY)["positions"]
    answered = next(i for i in ids if i in held)
    old_answer = held[answered]["answer"]
    new_answer = "disagree-strongly" if old_answer != "disagree-strongly" else "agree"
    changes = {
        answered: {"answer": new_answer, "justification-en": f"New reason {SCRIPT}"},
        ids[-1]: {"answer": "", "justification-ka": "", "justification-en": "", "source": ""},
    }
    assert post_positions(party, changes, action="submit").status_code == 303
    page = parse(party.get(f"/party/{ELECTION}/{PARTY}"))
    assert one(page, "[data-status]")["data-status"] == "pending"
    assert "being reviewed" in content(page)
    assert post_positions(party).status_code == 409  # no changes while under review

    review = editor.get(f"/admin/review/{ELECTION}/submissions/{PARTY}")
    assert review.status_code == 200
    one(parse(review), f'[data-statement="{answered}"]')
    assert f"New reason {SCRIPT}" in content(parse(review)) and injected(parse(review)) == []
    with Session(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None
        changed = {c.statement: c for c in workflow.diff(data, PARTY, found.positions)}
    assert changed[answered].before["answer"] == old_answer
    assert changed[answered].after["answer"] == new_answer
    assert "answer" in changed[answered].fields and "justification:en" in changed[answered].fields
    assert "justification:ka" not in changed[answered].fields
    assert ids[0] not in changed or ids[0] == answered

    token = token_of(editor, f"/admin/review/{ELECTION}/submissions/{PARTY}")
    path = f"/admin/review/{ELECTION}/submissions/{PARTY}"
    empty = editor.post(f"{path}/return", data={"comment": "  ", "csrf_token": token})
    assert empty.status_code == 400 and "Please write a comment" in alerts(parse(empty))
    comment = f"Please add a source for statement 1. {SCRIPT}"
    returned = editor.post(
        f"{path}/return", data={"comment": comment, "csrf_token": token}, follow_redirects=False
    )
    assert returned.status_code == 303
    page = parse(party.get(f"/party/{ELECTION}/{PARTY}"))
    assert one(page, "[data-status]")["data-status"] == "returned"
    assert comment in content(page) and injected(page) == []  # shown as typed, never run
    fix = {answered: {"source": "https://example.org/programme"}}
    assert post_positions(party, fix).status_code == 303  # saving keeps it returned
    status = one(parse(party.get(f"/party/{ELECTION}/{PARTY}")), "[data-status]")
    assert status["data-status"] == "returned"
    assert post_positions(party, action="submit").status_code == 303

    review = parse(editor.get(path))
    assert "https://example.org/programme" in texts(review, "main ins")
    revision = int(fields(one(review, "form[action$='/approve']"))["revision"][0])
    approved = editor.post(
        f"{path}/approve",
        data={"revision": str(revision), "csrf_token": token},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    after, new_revision = draft(demo)
    assert new_revision == revision + 1
    position = next(e for e in after["entities"] if e["id"] == PARTY)["positions"][answered]
    assert position["answer"] == new_answer
    assert position["justification"]["en"] == f"New reason {SCRIPT}"
    assert position["source"] == "https://example.org/programme"
    assert ids[-1] not in next(e for e in after["entities"] if e["id"] == PARTY)["positions"]
    other_before = next(e for e in data["entities"] if e["id"] == OTHER)
    assert next(e for e in after["entities"] if e["id"] == OTHER) == other_before
    assert 'data-status="approved"' in party.get(f"/party/{ELECTION}/{PARTY}").text
    assert (
        editor.post(
            f"{path}/approve", data={"revision": str(new_revision), "csrf_token": token}
        ).status_code
        == 409
    )

    actions = audit_actions(demo)
    flow = [a for a in actions if a.startswith("party.")]
    assert flow == [
        "party.invitation.create",
        "party.invitation.accept",
        "party.save",
        "party.submit",
        "party.return",
        "party.save",
        "party.submit",
        "party.approve",
    ]
    with Session(demo) as session:
        approval = audit.entries(session, where=audit.AuditFilter(action="party.approve"))[0]
    assert approval.actor == "editor@example.org"
    assert approval.before[answered]["answer"] == old_answer
    assert approval.after[answered]["answer"] == new_answer


def test_approval_refuses_a_draft_changed_meanwhile(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    data, revision = draft(demo)
    first = data["questionnaire"]["statements"][0]["id"]
    assert post_positions(party, {first: {"answer": "neutral"}}, action="submit").status_code == 303
    path = f"/admin/review/{ELECTION}/submissions/{PARTY}"
    token = token_of(editor, path)
    with session_scope(demo) as session:  # another editor saves the draft
        save_draft(session, slug=ELECTION, data=data, revision=revision)
    stale = editor.post(f"{path}/approve", data={"revision": str(revision), "csrf_token": token})
    assert stale.status_code == 409 and "changed by someone else" in alerts(parse(stale))
    assert draft(demo)[1] == revision + 1  # untouched by the refused approval
    with Session(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None and found.status == "pending"
    (fresh,) = fields(one(parse(stale), "form[action$='/approve']"))["revision"]
    ok = editor.post(
        f"{path}/approve", data={"revision": fresh, "csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_review_pages_need_an_editor(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    add_account(demo, "facilitator@example.org", "facilitator")
    facilitator = user_client(client, "facilitator@example.org")
    for path in ("/admin/review", f"/admin/review/{ELECTION}"):
        assert facilitator.get(path).status_code == 403
        assert editor.get(path).status_code == 200
    assert editor.get("/admin/review/no-such-election").status_code == 404
    assert editor.get(f"/admin/review/{ELECTION}/submissions/{PARTY}").status_code == 404
    token = token_of(editor, f"/admin/review/{ELECTION}")
    bad = editor.post(
        f"/admin/review/{ELECTION}/invitations",
        data={"entity": "no-such-party", "days": "14", "csrf_token": token},
    )
    assert bad.status_code == 400 and "Please choose a party" in alerts(parse(bad))
    assert (
        editor.post(
            f"/admin/review/{ELECTION}/invitations", data={"entity": PARTY, "days": "14"}
        ).status_code
        == 403
    )  # no CSRF token


def add_borrowing_candidate(demo: sa.Engine, *, publish: bool = False) -> dict[str, Any]:
    """Put a candidate standing on PARTY's positions into the draft; return the draft."""
    data, revision = draft(demo)
    data["entities"].append(
        {
            "id": "nino-beridze",
            "kind": "candidate",
            "name": {"ka": "ნინო ბერიძე", "en": "Nino Beridze"},
            "party": PARTY,
            "positions_from": PARTY,
            "positions": {},
        }
    )
    with session_scope(demo) as session:
        save_draft(session, slug=ELECTION, data=data, revision=revision)
        if publish:
            publish_draft(session, slug=ELECTION)
    return data


def test_a_candidate_on_its_partys_positions_gets_its_own_once_approved(demo: sa.Engine) -> None:
    # A candidate invited like a party fills in its own positions; approving them ends
    # its use of the party's (it cannot have both: publishing would refuse the draft).
    data = add_borrowing_candidate(demo)
    first = data["questionnaire"]["statements"][0]["id"]
    own = {first: {"answer": "agree", "justification": {"ka": "ჩემი", "en": "Mine"}, "source": ""}}
    with session_scope(demo) as session:
        positions, errors = workflow.check_positions(own, data=data, limit=2000)
        assert errors == []
        workflow.save_positions(
            session,
            election=ELECTION,
            entity="nino-beridze",
            positions=positions,
            actor="nino@example.org",
            submit=True,
        )
    _, revision = draft(demo)
    with session_scope(demo) as session:
        workflow.approve_submission(
            session, election=ELECTION, entity="nino-beridze", revision=revision, actor="test"
        )
    nino = next(e for e in draft(demo)[0]["entities"] if e["id"] == "nino-beridze")
    assert "positions_from" not in nino
    assert nino["positions"][first]["answer"] == "agree"


def test_a_candidate_on_its_partys_positions_is_told_so_in_its_portal(
    client: TestClient, demo: sa.Engine
) -> None:
    add_borrowing_candidate(demo, publish=True)
    with session_scope(demo) as session:
        accounts.create_account(
            session,
            email="nino@example.org",
            password=PASSWORD,
            role="party",
            election=ELECTION,
            entity="nino-beridze",
            actor="test",
        )
    nino = user_client(client, "nino@example.org")
    page = nino.get(f"/party/{ELECTION}/nino-beridze")
    assert page.status_code == 200
    assert "Voters now see the positions of Green Coast for you." in notices(parse(page))
