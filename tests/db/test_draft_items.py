"""Editing a draft's items (vaa/draft_items.py) on both databases: what refers to what,
what a deletion takes along, moving, contradictory entity fields, conflicts, and the
audit entry stored with every change (and nothing stored when a change is refused)."""

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.db.test_drafts import read_draft, small_election
from vaa.db import session_scope
from vaa.draft_items import (
    InUse,
    ItemInvalid,
    add_item,
    delete_item,
    move_item,
    replace_item,
)
from vaa.drafts import StaleDraft
from vaa.errors import Conflict, NotFound
from vaa.models import AuditEntry

EDITOR = "editor@example.org"


@pytest.fixture
def election(engine: sa.Engine) -> str:
    """A draft with one theme, one statement with a loading, one axis and one party."""

    def change(data: dict[str, Any]) -> None:
        data["questionnaire"]["axes"] = [
            {"id": "left-right", "label": {"en": "L-R"}, "low": {"en": "L"}, "high": {"en": "R"}}
        ]
        data["questionnaire"]["statements"][0]["axes"] = {"left-right": 0.5}

    return small_election(engine, change)


def _actions(engine: sa.Engine) -> list[str]:
    with session_scope(engine) as session:
        return [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_added_item_is_stored_with_its_audit_entry(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    theme = {"id": "parks", "label": {"en": "Parks"}}
    with session_scope(engine) as session:
        new = add_item(session, EDITOR, slug=election, kind="themes", item=theme, revision=revision)
    data, now = read_draft(engine)
    assert now == new == revision + 1
    assert [t["id"] for t in data["questionnaire"]["themes"]] == ["roads", "parks"]
    assert _actions(engine) == ["draft.theme.add"]
    with session_scope(engine) as session, pytest.raises(Conflict):
        add_item(session, EDITOR, slug=election, kind="themes", item=theme, revision=now)


def test_an_item_in_use_is_not_deleted_and_nothing_is_stored(
    engine: sa.Engine, election: str
) -> None:
    _, revision = read_draft(engine)
    with session_scope(engine) as session, pytest.raises(InUse):
        delete_item(
            session, EDITOR, slug=election, kind="themes", item_id="roads", revision=revision
        )
    data, now = read_draft(engine)
    assert now == revision and data["questionnaire"]["themes"][0]["id"] == "roads"
    assert _actions(engine) == []


def test_deleting_takes_along_what_only_the_item_used(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    with session_scope(engine) as session:
        revision = delete_item(
            session, EDITOR, slug=election, kind="axes", item_id="left-right", revision=revision
        )
        revision = delete_item(
            session, EDITOR, slug=election, kind="statements", item_id="potholes", revision=revision
        )
    data, _ = read_draft(engine)
    assert data["questionnaire"]["axes"] == [] and data["questionnaire"]["statements"] == []
    assert data["entities"][0]["positions"] == {}  # the party's answer went with the statement
    assert _actions(engine) == ["draft.axis.delete", "draft.statement.delete"]


def test_moving_swaps_neighbours_and_refuses_past_the_ends(
    engine: sa.Engine, election: str
) -> None:
    _, revision = read_draft(engine)
    park = {"id": "parks", "label": {"en": "Parks"}}
    with session_scope(engine) as session:
        revision = add_item(
            session, EDITOR, slug=election, kind="themes", item=park, revision=revision
        )
        assert (
            move_item(
                session,
                EDITOR,
                slug=election,
                kind="themes",
                item_id="roads",
                direction="up",
                revision=revision,
            )
            is None
        )
        move_item(
            session,
            EDITOR,
            slug=election,
            kind="themes",
            item_id="parks",
            direction="up",
            revision=revision,
        )
    data, _ = read_draft(engine)
    assert [t["id"] for t in data["questionnaire"]["themes"]] == ["parks", "roads"]
    assert _actions(engine) == ["draft.theme.add", "draft.theme.move"]


def test_contradictory_entity_fields_are_refused_field_by_field(
    engine: sa.Engine, election: str
) -> None:
    _, revision = read_draft(engine)
    party = {"id": "b", "kind": "party", "name": {"en": "B"}, "party": "a", "backing": ["a"]}
    with session_scope(engine) as session, pytest.raises(ItemInvalid) as refused:
        add_item(session, EDITOR, slug=election, kind="entities", item=party, revision=revision)
    assert refused.value.fields == {
        "party": "entity.party_of_party",
        "backing": "entity.backing_repeats_party",
    }
    assert read_draft(engine)[1] == revision


def test_a_stale_revision_or_unknown_item_changes_nothing(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    edited = {"label": {"en": "Streets"}}
    with session_scope(engine) as session, pytest.raises(StaleDraft):
        replace_item(
            session,
            EDITOR,
            slug=election,
            kind="themes",
            item_id="roads",
            item=edited,
            revision=revision - 1,
        )
    with session_scope(engine) as session, pytest.raises(NotFound):
        replace_item(
            session,
            EDITOR,
            slug=election,
            kind="themes",
            item_id="nowhere",
            item=edited,
            revision=revision,
        )
    data, now = read_draft(engine)
    assert now == revision and data["questionnaire"]["themes"][0]["label"]["en"] == "Roads"
    with session_scope(engine) as session:
        replace_item(
            session,
            EDITOR,
            slug=election,
            kind="themes",
            item_id="roads",
            item=edited,
            revision=revision,
        )
    data, _ = read_draft(engine)
    assert data["questionnaire"]["themes"][0] == {"id": "roads", "label": {"en": "Streets"}}
    assert _actions(engine) == ["draft.theme.edit"]
