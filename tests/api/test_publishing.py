"""Safe publishing through the real app, on SQLite and PostgreSQL: concurrent publishes."""

import threading
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.soup import content, hrefs, one, parse, text, texts
from vaa.db import session_scope
from vaa.drafts import publish_draft, save_draft
from vaa.models import Donation, Election, GroupSession, QuestionnaireVersion


def change_draft(engine: sa.Engine, slug: str = "demo") -> None:
    """An edit, so publishing makes a new version."""
    data = draft(engine, slug)
    data["questionnaire"]["title"]["en"] = "Demo, second edition"
    with session_scope(engine) as session:
        save_draft(session, slug=slug, data=data, revision=revision(engine, slug))


def versions(engine: sa.Engine, slug: str = "demo") -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(QuestionnaireVersion.number)
                .join(Election, col(Election.id) == QuestionnaireVersion.election_id)
                .where(Election.slug == slug)
                .order_by(col(QuestionnaireVersion.number))
            ).all()
        )


def test_two_simultaneous_publishes_make_one_version(demo: sa.Engine) -> None:
    change_draft(demo)
    assert versions(demo) == [1]
    ready = threading.Barrier(2)
    outcome: dict[int, Any] = {}

    def publish(n: int) -> None:
        with Session(demo) as session:
            session.exec(select(QuestionnaireVersion)).all()
            # Both have read the versions before either writes.
            ready.wait()
            try:
                outcome[n] = publish_draft(session, slug="demo").created
                session.commit()
            except Exception as exc:  # the failure before the fix
                session.rollback()
                outcome[n] = repr(exc)

    threads = [threading.Thread(target=publish, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values(), key=str) == [False, True], outcome
    assert versions(demo) == [1, 2]


def test_the_second_editor_is_told_someone_else_published(
    client: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(client, demo)
    change_draft(demo)
    form = {"csrf_token": editor.token, "revision": str(revision(demo, "demo"))}
    answer: dict[str, httpx.Response] = {}

    def press_publish() -> None:
        answer["second"] = editor.client.post(
            f"{ADMIN}/demo/publish", data=form, follow_redirects=False
        )

    # The first editor's publish is under way (not yet committed) when the second presses.
    with Session(demo) as first:
        assert publish_draft(first, slug="demo").created
        second = threading.Thread(target=press_publish)
        second.start()
        time.sleep(2)  # the second request now waits for the first to finish
        first.commit()
    second.join(timeout=60)
    response = answer["second"]
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"{ADMIN}/demo/publish?done=concurrent"
    page = editor.client.get(response.headers["location"]).text
    assert "Someone else published this draft at the same moment" in page
    assert "Version 2" in page
    assert versions(demo) == [1, 2]


def test_thin_answers_and_unanswered_statements_are_warned_not_refused(
    client: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(client, demo)
    data = draft(demo, "demo")
    entities = {e["id"]: e for e in data["entities"]}
    entities["green-coast"]["positions"] = {}
    few = entities["colchis-development"]["positions"]
    entities["colchis-development"]["positions"] = {k: few[k] for k in list(few)[:2]}
    # A candidate standing on a party's positions counts as answered through it.
    data["entities"].append(
        {
            "id": "a-candidate",
            "kind": "candidate",
            "name": {"ka": "კანდიდატი", "en": "A Candidate"},
            "party": "open-city",
            "positions_from": "open-city",
        }
    )
    first = data["questionnaire"]["statements"][0]
    data["questionnaire"]["statements"].append(
        {
            "id": "new-bridge",
            "theme": first["theme"],
            "text": {"ka": "ახალი ხიდი", "en": "Build a new bridge."},
        }
    )
    with session_scope(demo) as session:
        save_draft(session, slug="demo", data=data, revision=revision(demo, "demo"))

    page = editor.client.get(f"{ADMIN}/demo/publish")
    assert page.status_code == 200
    warnings = one(parse(page), "#publish-warnings")
    warned = text(warnings)
    total = len(data["questionnaire"]["statements"])
    green = next(e for e in data["entities"] if e["id"] == "green-coast")["name"]["en"]
    colchis = next(e for e in data["entities"] if e["id"] == "colchis-development")["name"]["en"]
    assert f"{green} has answered none of the {total} statements." in warned
    assert f"{colchis} has answered only 2 of the {total} statements." in warned
    assert "Nobody answered the statement “Build a new bridge.”" in warned
    assert f"{ADMIN}/demo/entities/green-coast/positions" in hrefs(warnings)
    assert f"{ADMIN}/demo/statements/new-bridge" in hrefs(warnings)
    assert "A Candidate" not in warned
    # In the editor's language too, and still publishable.
    editor.client.cookies.set("vaa_lang", "ka")
    assert (
        "მოსაზრებას „ახალი ხიდი“ არავინ უპასუხა." in editor.client.get(f"{ADMIN}/demo/publish").text
    )
    editor.client.cookies.set("vaa_lang", "en")
    published = editor.post(f"{ADMIN}/demo/publish", {}, slug="demo")
    assert published.headers["location"] == f"{ADMIN}/demo/publish?done=published"
    assert versions(demo) == [1, 2]


def set_visibility_form(editor: Editor, visibility: str) -> httpx.Response:
    return editor.post(f"{ADMIN}/demo/visibility", {"visibility": visibility})


def home_lists(client: TestClient, slug: str) -> bool:
    listed = [e["election"] for e in client.get("/api/v1/elections").json()]
    return slug in listed


def test_hide_archive_unpublish_and_list_again(client: TestClient, demo: sa.Engine) -> None:
    from vaa import audit

    editor = Editor(client, demo)
    checksum = client.get("/api/v1/elections/demo").json()["version"]
    bundle = f"/api/v1/elections/demo/bundle/{checksum}"
    assert home_lists(client, "demo")

    assert set_visibility_form(editor, "hidden").status_code == 303
    assert not home_lists(client, "demo")
    assert "/en/demo/" not in client.get("/en/", follow_redirects=False).headers.get("location", "")
    assert client.get("/en/demo/").status_code == 200  # reachable by link

    set_visibility_form(editor, "archived")
    assert not home_lists(client, "demo")
    start = client.get("/en/demo/")
    assert start.status_code == 200
    assert "This election is archived" in text(one(parse(start), "#election-archived"))
    assert "არქივშია" in text(one(parse(client.get("/ka/demo/")), "#election-archived"))

    set_visibility_form(editor, "unpublished")
    assert client.get("/en/demo/").status_code == 404
    assert client.get("/api/v1/elections/demo").status_code == 404
    assert client.get(bundle).status_code == 200  # voters' links by checksum still work

    set_visibility_form(editor, "listed")
    assert home_lists(client, "demo") and client.get("/en/demo/").status_code == 200
    refused = set_visibility_form(editor, "gone")
    assert refused.headers["location"].endswith("?done=visibility_invalid#visibility")
    with Session(demo) as session:
        changes = [
            (e.before, e.after) for e in audit.entries(session) if e.action == "election.visibility"
        ]
    assert [a["visibility"] for _b, a in reversed(changes)] == [
        "hidden",
        "archived",
        "unpublished",
        "listed",
    ]


def test_delete_needs_an_admin_and_for_a_published_election_its_name(
    client: TestClient, demo: sa.Engine
) -> None:
    from vaa import audit

    editor = Editor(client, demo)
    assert editor.post(f"{ADMIN}/demo/delete", {"confirm": "demo"}).status_code == 403
    admin = Editor(client, demo, role="admin")
    overview = admin.client.get(f"{ADMIN}/demo").text
    assert 'action="/admin/elections/demo/delete"' in overview
    refused = admin.post(f"{ADMIN}/demo/delete", {"confirm": "dem"})
    assert refused.headers["location"] == f"{ADMIN}/demo?done=delete_confirm#delete"
    assert client.get("/en/demo/").status_code == 200
    # A group session and a donation exist: deleting takes them along, nothing half-left.
    deleted = admin.post(f"{ADMIN}/demo/delete", {"confirm": "demo"})
    assert deleted.headers["location"] == "/admin/elections?done=election_deleted"
    assert client.get("/en/demo/").status_code == 404
    assert versions(demo) == []
    with Session(demo) as session:
        assert session.exec(select(Election)).all() == []
        assert "election.delete" in [e.action for e in audit.entries(session)]
    log = parse(admin.client.get("/admin/audit?lang=en"))
    assert "Election deleted" in texts(log, ".audit-entry__head strong")

    # An election never published is deleted without typing its name.
    admin.ok(
        ADMIN,
        {"slug": "trial", "title_en": "Trial", "title_ka": "ცდა", "languages": ["ka", "en"]},
    )
    assert admin.post(f"{ADMIN}/trial/delete", {}).status_code == 303
    with Session(demo) as session:
        assert session.exec(select(Election)).all() == []


def test_editors_preview_the_ranking_and_reasons_before_publishing(
    client: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(client, demo)
    data = draft(demo, "demo")
    party = data["entities"][0]
    party["name"]["en"] = "Renamed In The Draft"
    with session_scope(demo) as session:
        save_draft(session, slug="demo", data=data, revision=revision(demo, "demo"))
    publish_page = parse(editor.client.get(f"{ADMIN}/demo/publish"))
    assert one(publish_page, "#preview-results-link")

    shown = editor.client.get(f"{ADMIN}/demo/preview/en/results?sample={party['id']}")
    assert shown.status_code == 200
    ranking = parse(shown).select("#preview-results > li")
    # Answering as the party puts it first at 100%, with its own reasons from the draft.
    first = ranking[0]
    assert text(one(first, ".preview-name")) == "Renamed In The Draft"
    assert text(one(first, "h2")).endswith(": 100%")
    quoted = texts(first, "q")
    reasons = [p["justification"]["en"] for p in party["positions"].values()]
    assert (
        sum(1 for r in reasons if any(q.startswith(" ".join(r.split())[:40]) for q in quoted)) >= 3
    )
    assert len(ranking) == len(data["entities"])
    voters = content(parse(client.get("/en/demo/")))
    assert "Renamed In The Draft" not in voters  # nothing published

    georgian = editor.client.get(f"{ADMIN}/demo/preview/ka/results?lang=ka")
    assert georgian.status_code == 200
    assert "შედეგების წინასწარი ნახვა" in texts(parse(georgian), "h1")
    assert editor.client.get(f"{ADMIN}/demo/preview/fr/results").status_code == 404


def test_publish_problems_name_the_field_in_the_editors_words(
    client: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(client, demo)
    data = draft(demo, "demo")
    party = data["entities"][0]
    sid = next(iter(party["positions"]))
    del party["positions"][sid]["justification"]["en"]
    statement = next(s for s in data["questionnaire"]["statements"] if s["id"] == sid)
    with session_scope(demo) as session:
        save_draft(session, slug="demo", data=data, revision=revision(demo, "demo"))

    shown = editor.client.get(f"{ADMIN}/demo/publish")
    assert shown.status_code == 200
    text = shown.text.replace("&#34;", '"').replace("&#39;", "'")
    assert f"Justification for “{statement['text']['en']}” (English)" in text
    assert f'href="{ADMIN}/demo/entities/{party["id"]}/positions"' in text
    raw = f"entities[0].positions.{sid}.justification.en"
    assert f">{raw}<" not in text and f"<code>{raw}" not in text  # only as a tooltip
    editor.client.cookies.set("vaa_lang", "ka")
    georgian = editor.client.get(f"{ADMIN}/demo/publish").text.replace("&#34;", '"')
    assert f"დასაბუთება მოსაზრებაზე „{statement['text']['ka']}“ (English)" in georgian


def donate_to(client: TestClient, checksum: str) -> httpx.Response:
    bundle = client.get(f"/api/v1/elections/demo/bundle/{checksum}").json()
    first = bundle["questionnaire"]["statements"][0]["id"]
    option = bundle["questionnaire"]["scale"][0]["id"]
    token = client.post("/api/v1/elections/demo/donation-tokens")
    assert token.status_code == 201, token.text
    return client.post(
        "/api/v1/elections/demo/donations",
        json={
            "version": checksum,
            "token": token.json()["token"],
            "answers": {first: option},
            "weights": {},
        },
    )


def test_an_archived_election_takes_no_more_donated_answers(
    client: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(client, demo)
    checksum = client.get("/api/v1/elections/demo").json()["version"]
    assert donate_to(client, checksum).status_code == 201
    set_visibility_form(editor, "archived")
    refused = donate_to(client, checksum)
    assert refused.status_code == 409 and "archived" in refused.text
    with Session(demo) as session:
        assert len(session.exec(select(Donation)).all()) == 1
    # Nor new group sessions; its listing for editors says it is archived.
    from vaa.errors import Gone
    from vaa.group_sessions import create_session

    with Session(demo) as session, pytest.raises(Gone, match="archived"):
        create_session(session, election="demo", language="en", facilitator=None)
    listing = editor.client.get(f"{ADMIN}?lang=en").text
    assert '<span class="muted election-visibility">(Archived)</span>' in listing


def test_deleting_a_published_election_takes_its_donations_and_sessions_along(
    client: TestClient, demo: sa.Engine
) -> None:
    from vaa.group_sessions import create_session

    admin = Editor(client, demo, role="admin")
    checksum = client.get("/api/v1/elections/demo").json()["version"]
    assert donate_to(client, checksum).status_code == 201
    with session_scope(demo) as session:
        create_session(session, election="demo", language="en", facilitator=None)
    deleted = admin.post(f"{ADMIN}/demo/delete", {"confirm": "demo"})
    assert deleted.status_code == 303
    with Session(demo) as session:
        for table in (Donation, GroupSession, Election, QuestionnaireVersion):
            assert session.exec(select(table)).all() == [], table
