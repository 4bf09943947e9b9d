"""Safe publishing through the real app, on SQLite and PostgreSQL: concurrent publishes."""

import threading
import time
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from vaa.db import session_scope
from vaa.drafts import publish_draft, save_draft
from vaa.models import Election, QuestionnaireVersion


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
