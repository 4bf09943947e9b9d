"""Editing the rest of a draft (vaa/draft_edits.py) on both databases: settings, the
scale, positions, translations, place lists and spreadsheets, each stored with its audit
entry, and nothing stored when a change is refused or comes after someone else's save."""

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.db.test_drafts import read_draft, small, small_election
from vaa import draft_edits
from vaa.db import session_scope
from vaa.draft_items import ItemInvalid
from vaa.drafts import (
    ElectionExists,
    StaleDraft,
    create_election,
    lenient_content,
    open_draft,
    publish_draft,
    save_draft,
)
from vaa.errors import NotFound
from vaa.formats import DataError
from vaa.models import AuditEntry
from vaa.spreadsheets import export_csv

EDITOR = "editor@example.org"


@pytest.fixture
def election(engine: sa.Engine) -> str:
    """A draft in Georgian and English with one theme, statement and party."""

    def change(data: dict[str, Any]) -> None:
        data["questionnaire"]["matching"]["settled"] = 0.8
        data["entities"][0]["positions"]["potholes"]["justification"] = {"ka": "ჰო", "en": "Yes"}

    return small_election(engine, change)


def _audit(engine: sa.Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(e.action, e.target) for e in entries]


def _settings(**change: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "languages": ["ka", "en"],
        "texts": {"title": {"ka": "ა", "en": "E"}},
        "date": "",
        "method": "cityblock",
        "missing": "skip",
    }
    return given | change


def test_removing_a_language_removes_its_texts_everywhere(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    with session_scope(engine) as session:
        draft_edits.update_settings(
            session,
            EDITOR,
            slug=election,
            revision=revision,
            **_settings(languages=["ka"], date="2026-10-04"),
        )
    data, now = read_draft(engine)
    q = data["questionnaire"]
    assert now == revision + 1 and q["languages"] == ["ka"] and q["date"] == "2026-10-04"
    assert q["title"] == {"ka": "ა"} and q["statements"][0]["text"] == {"ka": "ორმოები"}
    assert data["entities"][0]["positions"]["potholes"]["justification"] == {"ka": "ჰო"}
    assert q["matching"]["settled"] == 0.8  # quick mode's threshold, which the form lacks, stays
    assert _audit(engine) == [("draft.settings.edit", "ed/settings")]


def test_settings_that_make_no_sense_are_refused_and_nothing_is_stored(
    engine: sa.Engine, election: str
) -> None:
    _, revision = read_draft(engine)
    with session_scope(engine) as session, pytest.raises(ItemInvalid) as refused:
        draft_edits.update_settings(
            session, EDITOR, slug=election, revision=revision,
            **_settings(languages=["Georgian"], date="4 October", method="guess", texts={}),
        )  # fmt: skip
    assert set(refused.value.fields) == {"languages", "title", "date", "method"}
    assert read_draft(engine)[1] == revision and _audit(engine) == []


def test_a_save_after_someone_elses_is_refused(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    labels = {
        o: {"en": o.upper()}
        for o in ("disagree-strongly", "disagree", "neutral", "agree", "agree-strongly")
    }
    with session_scope(engine) as session:
        draft_edits.update_scale(session, EDITOR, slug=election, revision=revision, labels=labels)
    with session_scope(engine) as session, pytest.raises(StaleDraft):
        draft_edits.update_scale(session, EDITOR, slug=election, revision=revision, labels=labels)
    data, _ = read_draft(engine)
    assert data["questionnaire"]["scale"][0]["label"] == {"en": "DISAGREE-STRONGLY"}
    assert _audit(engine) == [("draft.scale.edit", "ed/scale")]


def test_positions_are_replaced_and_checked_against_the_draft(
    engine: sa.Engine, election: str
) -> None:
    _, revision = read_draft(engine)
    with session_scope(engine) as session, pytest.raises(ItemInvalid) as refused:
        draft_edits.update_positions(
            session, EDITOR, slug=election, revision=revision, entity="a",
            positions={"potholes": {"answer": "maybe"}, "nothing": {"answer": "agree"}},
        )  # fmt: skip
    assert refused.value.fields == {
        "answer_potholes": "position.answer",
        "answer_nothing": "position.statement",
    }
    with session_scope(engine) as session, pytest.raises(NotFound):
        draft_edits.update_positions(
            session, EDITOR, slug=election, revision=revision, entity="zz", positions={}
        )
    with session_scope(engine) as session:
        draft_edits.update_positions(
            session, EDITOR, slug=election, revision=revision, entity="a",
            positions={"potholes": {"answer": "disagree", "source": "https://a.ge"}},
        )  # fmt: skip
    data, _ = read_draft(engine)
    assert data["entities"][0]["positions"] == {
        "potholes": {"answer": "disagree", "source": "https://a.ge"}
    }
    assert _audit(engine) == [("draft.positions.edit", "ed/entity/a/positions")]


def test_translations_store_only_what_changed(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    same = {("theme/roads/label", "ka"): "გზები"}
    with session_scope(engine) as session:
        assert (
            draft_edits.update_translations(
                session, EDITOR, slug=election, revision=revision, values=same
            )
            is None
        )
    values = {
        ("theme/roads/label", "en"): "Streets",
        ("statement/potholes/info", "ka"): "ინფო",  # an optional text, new
        ("position/a/potholes/justification", "en"): "",  # removed in one language
    }
    with session_scope(engine) as session:
        draft_edits.update_translations(
            session, EDITOR, slug=election, revision=revision, values=values
        )
    data, _ = read_draft(engine)
    q = data["questionnaire"]
    assert q["themes"][0]["label"] == {"ka": "გზები", "en": "Streets"}
    assert q["statements"][0]["info"] == {"ka": "ინფო"}
    assert data["entities"][0]["positions"]["potholes"]["justification"] == {"ka": "ჰო"}
    assert _audit(engine) == [("draft.translations.edit", "ed/translations")]


def test_imported_places_replace_those_with_their_id(engine: sa.Engine, election: str) -> None:
    _, revision = read_draft(engine)
    places = [
        {"id": "zugdidi", "name": {"en": "Zugdidi"}},
        {"id": "d1", "name": {"en": "D1"}, "within": "zugdidi"},
    ]
    with session_scope(engine) as session:
        revision = draft_edits.import_places(
            session, EDITOR, slug=election, revision=revision, places=places
        )
        draft_edits.import_places(
            session, EDITOR, slug=election, revision=revision,
            places=[{"id": "zugdidi", "name": {"en": "Zugdidi town"}}],
        )  # fmt: skip
    data, _ = read_draft(engine)
    assert [(c["id"], c["name"]["en"]) for c in data["questionnaire"]["constituencies"]] == [
        ("zugdidi", "Zugdidi town"),
        ("d1", "D1"),
    ]
    assert [a for a, _ in _audit(engine)] == ["draft.constituency.import"] * 2


def test_a_spreadsheet_applies_to_the_draft_with_its_changes(
    engine: sa.Engine, election: str
) -> None:
    data, revision = read_draft(engine)
    content = lenient_content(data)
    assert content is not None
    files = export_csv(content)
    with session_scope(engine) as session:
        assert (
            draft_edits.import_spreadsheet(
                session, EDITOR, slug=election, revision=revision, files=files
            )
            == []
        )
    name = next(n for n in files if n.endswith("questionnaire.csv"))
    edited = dict(files, **{name: files[name].replace(b"Potholes", b"Holes")})
    with session_scope(engine) as session, pytest.raises(DataError):
        draft_edits.import_spreadsheet(
            session, EDITOR, slug=election, revision=revision, files={"x.txt": b"?"}
        )
    with session_scope(engine) as session:
        changes = draft_edits.import_spreadsheet(
            session, EDITOR, slug=election, revision=revision, files=edited
        )
    assert [(c.id, c.after) for c in changes] == [("potholes", "Holes")]
    data, now = read_draft(engine)
    assert data["questionnaire"]["statements"][0]["text"]["en"] == "Holes" and now == revision + 1
    assert _audit(engine) == [("draft.spreadsheet.import", "ed/spreadsheet")]


def test_creating_and_publishing_are_audited(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        create_election(
            session, slug="e", title={"ka": "ე", "en": "E"}, languages=["ka", "en"], actor=EDITOR
        )
        opened = open_draft(session, slug="e")
        assert opened is not None
        save_draft(session, slug="e", data=small(opened.data), revision=opened.revision)
    with session_scope(engine) as session, pytest.raises(ElectionExists):
        create_election(
            session, slug="e", title={"ka": "ე", "en": "E"}, languages=["ka", "en"], actor=EDITOR
        )
    with session_scope(engine) as session:
        assert publish_draft(session, slug="e", actor=EDITOR).created
    with session_scope(engine) as session:
        assert not publish_draft(session, slug="e", actor=EDITOR).created  # unchanged: no entry
    assert _audit(engine) == [("election.create", "e"), ("election.publish", "e")]
