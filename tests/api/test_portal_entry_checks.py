"""Issue 13 gaps: a justification missing a language is flagged where it is entered (the
party portal and review), and staff pages show local dates in the page's language."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_party_workflow import (
    ELECTION,
    PARTY,
    add_account,
    draft,
    party_client,
    post_positions,
    token_of,
    user_client,
)
from tests.soup import alerts, one, parse, text, texts
from vaa import party_workflow as workflow
from vaa.db import session_scope


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> TestClient:
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "editor@example.org", "editor")
    return user_client(client, "editor@example.org")


def _first_statement(demo: sa.Engine) -> tuple[str, int]:
    data, _ = draft(demo)
    return data["questionnaire"]["statements"][0]["id"], 1


def _english_only(statement: str) -> dict[str, dict[str, str]]:
    return {
        statement: {
            "answer": "agree",
            "justification-en": "Only in English so far.",
            "justification-ka": "",
        }
    }


def test_a_half_translated_justification_is_saved_with_a_warning_but_not_submitted(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    first, number = _first_statement(demo)
    saved = post_positions(party, _english_only(first))
    assert saved.status_code == 303  # a draft may be half-translated
    gaps = one(parse(party.get(f"/party/{ELECTION}/{PARTY}")), "#untranslated")
    assert f"Statement {number}" in texts(gaps, "a")
    assert "no text in ქართული" in text(gaps)

    refused = post_positions(party, action="submit")
    assert refused.status_code == 400
    assert "The justification has no text in ქართული" in alerts(parse(refused))
    assert f'<a href="#s-{first}">Statement {number}</a>' in refused.text
    with Session(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None and found.status == "draft"

    complete = {first: {"justification-ka": "ჯერჯერობით ინგლისურად."}}
    assert post_positions(party, complete, action="submit").status_code == 303
    with Session(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None and found.status == "pending"


def test_the_georgian_portal_names_the_statement_and_the_missing_language(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    party.headers["accept-language"] = "ka"
    first, number = _first_statement(demo)
    only_georgian = {
        first: {"answer": "agree", "justification-ka": "მიზეზი.", "justification-en": ""}
    }
    refused = post_positions(party, only_georgian, action="submit")
    assert refused.status_code == 400
    errors = one(parse(refused), "#form-errors")
    assert f"მოსაზრება {number}" in texts(errors, "a")
    assert "დასაბუთებას აკლია ტექსტი ამ ენაზე: English" in text(errors)


def test_review_flags_a_half_translated_submission_and_refuses_to_approve_it(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    first, number = _first_statement(demo)
    assert post_positions(party, _english_only(first)).status_code == 303
    # A submission sent before this check existed (or by another client) awaits review.
    with session_scope(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None
        found.status = "pending"
        session.add(found)
    before, _ = draft(demo)

    path = f"/admin/review/{ELECTION}/submissions/{PARTY}"
    gaps = one(parse(editor.get(path)), "#untranslated")
    assert any(line.startswith(f"Statement {number} (") for line in texts(gaps, "li"))
    assert "no text in ქართული" in text(gaps)
    token = token_of(editor, path)
    _, revision = draft(demo)
    refused = editor.post(f"{path}/approve", data={"revision": str(revision), "csrf_token": token})
    assert refused.status_code == 400
    assert "cannot be approved: some justifications are not written in every language" in (
        refused.text
    )
    after, _ = draft(demo)
    assert after == before  # nothing reached the draft
    with Session(demo) as session:
        found = workflow.submission(session, election=ELECTION, entity=PARTY)
        assert found is not None and found.status == "pending"


def test_georgian_staff_pages_show_local_dates_and_no_utc(
    client: TestClient, editor: TestClient, demo: sa.Engine
) -> None:
    party = party_client(client, editor)
    first, _ = _first_statement(demo)
    assert post_positions(party, {first: {"answer": "agree"}}, action="submit").status_code == 303
    admin = user_client(client, "admin@example.org")
    admin.headers["accept-language"] = "ka"
    window = f"/admin/review/{ELECTION}/window"
    token = token_of(admin, f"/admin/review/{ELECTION}")
    # Typed in Tbilisi time (UTC+4): 4 October 2030, 16:00 there is 12:00 UTC.
    data = {"deadline": "2030-10-04T16:00", "justification_limit": "500", "csrf_token": token}
    assert admin.post(window, data=data, follow_redirects=False).status_code == 303
    with Session(demo) as session:
        deadline = workflow.window(session, election=ELECTION).deadline
        assert deadline is not None
        assert deadline.replace(tzinfo=deadline.tzinfo or UTC) == datetime(
            2030, 10, 4, 12, 0, tzinfo=UTC
        )

    review = admin.get(f"/admin/review/{ELECTION}").text
    assert 'value="2030-10-04T16:00"' in review  # the form shows what was typed
    party.headers["accept-language"] = "ka"
    pages = {
        "review": review,
        "submission": admin.get(f"/admin/review/{ELECTION}/submissions/{PARTY}").text,
        "party": party.get(f"/party/{ELECTION}/{PARTY}").text,
        "audit": admin.get("/admin/audit").text,
        "users": admin.get("/admin/users").text,
    }
    assert "2030 წლის 4 ოქტომბერი, 16:00" in pages["party"]
    # The audit log's changed fields are named in Georgian too, not as raw keys.
    assert "ელფოსტის მისამართი" in pages["audit"] and "<code>email</code>" not in pages["audit"]
    assert ">true<" not in pages["audit"]
    this_year = f"{datetime.now(UTC).year} წლის"
    for name, page in pages.items():
        assert "UTC" not in page, name
        assert this_year in page or name == "party", name
