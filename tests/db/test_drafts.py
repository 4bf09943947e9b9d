"""Drafts (vaa/drafts.py) on both databases: creating, opening, saving with a revision,
validating and publishing, and published versions staying frozen."""

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from vaa.db import session_scope
from vaa.drafts import (
    ElectionExists,
    StaleDraft,
    create_election,
    draft_content,
    open_draft,
    publish_draft,
    save_draft,
)
from vaa.formats import DataError
from vaa.models import Draft, QuestionnaireVersion
from vaa.publish import build_bundle, content_data
from vaa.store import bundle_bytes, published_ref


def small(data: dict) -> dict:  # type: ignore[type-arg]
    """Fill an empty draft with one theme and one statement, in both languages."""
    q = data["questionnaire"]
    q["themes"] = [{"id": "roads", "label": {"ka": "გზები", "en": "Roads"}}]
    q["statements"] = [
        {"id": "potholes", "theme": "roads", "text": {"ka": "ორმოები", "en": "Potholes"}}
    ]
    q["date"] = "2026-10-04"  # as JSON holds it
    data["entities"] = [
        {
            "id": "a",
            "kind": "party",
            "name": {"ka": "ა", "en": "A"},
            "positions": {"potholes": {"answer": "agree"}},
        }
    ]
    return data


def small_election(
    engine: sa.Engine, change: Callable[[dict[str, Any]], None] = lambda _data: None
) -> str:
    """The election "ed" in ka and en whose draft is small(), changed by `change`, saved."""
    with session_scope(engine) as session:
        create_election(session, slug="ed", title={"ka": "ა", "en": "E"}, languages=["ka", "en"])
        opened = open_draft(session, slug="ed")
        assert opened is not None
        data = small(opened.data)
        change(data)
        save_draft(session, slug="ed", data=data, revision=opened.revision)
    return "ed"


def read_draft(engine: sa.Engine, slug: str = "ed") -> tuple[dict[str, Any], int]:
    """The draft's data and revision, as an editor opens it."""
    with session_scope(engine) as session:
        opened = open_draft(session, slug=slug)
        assert opened is not None
        return opened.data, opened.revision


def test_a_new_election_has_an_empty_draft_and_no_version(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        create_election(session, slug="new-one", title={"ka": "ახალი"}, languages=["ka", "en"])
    with session_scope(engine) as session:
        opened = open_draft(session, slug="new-one")
        assert opened is not None and not opened.published and opened.revision == 1
        q = opened.data["questionnaire"]
        assert q["languages"] == ["ka", "en"] and q["statements"] == []
        assert q["scale"][0]["label"]["en"] == "Strongly disagree"
        with pytest.raises(ElectionExists, match="already exists"):
            create_election(session, slug="new-one", title={"ka": "x"}, languages=["ka"])
        assert published_ref(session, slug="new-one") is None
        assert open_draft(session, slug="nothing") is None


def test_saving_needs_the_revision_that_was_opened(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        create_election(session, slug="e", title={"en": "E"}, languages=["en"])
    with session_scope(engine) as session:
        opened = open_draft(session, slug="e")
        assert opened is not None
        data = opened.data
        data["questionnaire"]["title"] = {"en": "First"}
        assert save_draft(session, slug="e", data=data, revision=opened.revision) == 2
    with session_scope(engine) as session:
        data["questionnaire"]["title"] = {"en": "Second"}
        with pytest.raises(StaleDraft):
            save_draft(session, slug="e", data=data, revision=opened.revision)
    with Session(engine) as session:
        stored = session.exec(select(Draft)).one()
        assert stored.revision == 2 and stored.data["questionnaire"]["title"] == {"en": "First"}


def test_draft_content_validates_like_publishing(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        create_election(session, slug="e", title={"ka": "ე"}, languages=["ka", "en"])
        opened = open_draft(session, slug="e")
        assert opened is not None
    content, problems = draft_content(opened.data)
    assert content is None
    assert {p.field for p in problems} >= {"questionnaire.themes", "questionnaire.statements"}
    data = small(opened.data)
    content, problems = draft_content(data)
    assert [str(p.field) for p in problems] == ["title.en"]
    data["questionnaire"]["title"]["en"] = "E"
    data["questionnaire"]["statements"][0]["theme"] = "nowhere"
    data["questionnaire"]["statements"][0]["axes"] = {"x": 2}
    content, problems = draft_content(data)
    assert content is None
    assert any("axes" in p.field for p in problems)  # a loading of 2 is out of range
    data["questionnaire"]["statements"][0]["axes"] = {}
    content, problems = draft_content(data)
    assert [p.message for p in problems] == ["unknown theme 'nowhere'"]
    data["questionnaire"]["statements"][0]["theme"] = "roads"
    content, problems = draft_content(data)
    assert problems == [] and content is not None
    assert str(content.questionnaire.date) == "2026-10-04"


def test_publishing_freezes_versions(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        create_election(session, slug="e", title={"ka": "ე"}, languages=["ka", "en"])
        opened = open_draft(session, slug="e")
        assert opened is not None
        with pytest.raises(DataError):
            publish_draft(session, slug="e")
        data = small(opened.data)
        data["questionnaire"]["title"]["en"] = "E"
        save_draft(session, slug="e", data=data, revision=opened.revision)
    with session_scope(engine) as session:
        first = publish_draft(session, slug="e")
        assert first.created and first.version.number == 1
    with Session(engine) as session:
        ref = published_ref(session, slug="e")
        assert ref is not None
        frozen = bundle_bytes(session, version_id=ref.version_id)
        content, _ = draft_content(data)
        assert content is not None and frozen == build_bundle(content)
    # The draft goes on; the published version does not move.
    with session_scope(engine) as session:
        opened = open_draft(session, slug="e")
        assert opened is not None and opened.published
        changed = opened.data
        changed["questionnaire"]["statements"][0]["text"]["en"] = "Deep potholes"
        save_draft(session, slug="e", data=changed, revision=opened.revision)
    with Session(engine) as session:
        assert published_ref(session, slug="e") == ref
        assert bundle_bytes(session, version_id=ref.version_id) == frozen
    with session_scope(engine) as session:
        second = publish_draft(session, slug="e")
        assert second.created and second.version.number == 2
        again = publish_draft(session, slug="e")
        assert not again.created and again.version.number == 2
    with Session(engine) as session:
        assert bundle_bytes(session, version_id=ref.version_id) == frozen
        versions = session.exec(select(QuestionnaireVersion)).all()
        assert sorted(v.number for v in versions) == [1, 2]


def test_a_published_election_without_a_draft_gets_one_from_its_version(
    demo: sa.Engine,
) -> None:
    with session_scope(demo) as session:
        assert session.exec(select(Draft)).first() is None
        opened = open_draft(session, slug="demo")
        assert opened is not None and opened.published
        ref = published_ref(session, slug="demo")
        assert ref is not None
        content, problems = draft_content(opened.data)
        assert problems == [] and content is not None
        assert content_data(content) == opened.data
        assert build_bundle(content) == bundle_bytes(session, version_id=ref.version_id)
