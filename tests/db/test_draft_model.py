"""The lenient draft model (vaa/draft_model.py): every draft the app stores reads into it
and writes back unchanged, however incomplete; a change writes back only itself."""

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.conftest import DEMO_FILES, RACE_FILES, SHIPPED_DEMO_FILES
from vaa.db import session_scope
from vaa.draft_model import ElectionDraft, ThemeDraft
from vaa.drafts import create_election, new_election_data, open_draft
from vaa.loading import load_files
from vaa.models import Draft, Election


def _round_trip(data: dict[str, Any]) -> dict[str, Any]:
    return ElectionDraft.load(data).dump()


def _same_json(a: Any, b: Any) -> bool:
    """Equal as stored: 1 and 1.0 differ in JSON, so compare the serialised text."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_every_draft_in_a_database_round_trips(engine: sa.Engine) -> None:
    # The test elections and the shipped demo (a second version of "demo"), each opened as
    # a draft from its published version, and a new empty election.
    with session_scope(engine) as session:
        for files in (DEMO_FILES, RACE_FILES, SHIPPED_DEMO_FILES):
            load_files(session, paths=files)
        create_election(session, slug="empty", title={"ka": "ცარიელი"}, languages=["ka", "en"])
    with session_scope(engine) as session:
        for election in session.exec(select(Election)).all():
            assert open_draft(session, slug=election.slug) is not None
    with session_scope(engine) as session:
        drafts = session.exec(select(Draft)).all()
        assert len(drafts) == 3
        for draft in drafts:
            assert _same_json(_round_trip(draft.data), draft.data), draft.election_id


INCOMPLETE: list[dict[str, Any]] = [
    {},
    {"questionnaire": {}},
    new_election_data("x", {"en": "X"}, ["en", "ka"]),
    {  # a statement with no theme yet, a text in one language, an explicit null
        "questionnaire": {
            "election": "x",
            "languages": ["ka", "en"],
            "statements": [{"id": "s", "text": {"ka": "ტექსტი"}, "info": None}],
        },
        "entities": [],
    },
    {  # a party without a kind or a name, a position without an answer, integer loadings
        "questionnaire": {
            "axes": [{"id": "a", "label": {}}],
            "statements": [{"id": "s", "theme": "t", "text": {}, "axes": {"a": 1, "b": -0.5}}],
            "matching": {"method": "cityblock", "settled": 1},
        },
        "entities": [{"id": "p", "positions": {"s": {"justification": {"en": "why"}}}}],
    },
    {  # keys the model does not know (an older or newer app's) are kept as they are
        "questionnaire": {"election": "x", "colour_scheme": "dark"},
        "entities": [{"id": "p", "kind": "party", "name": {"en": "P"}, "logo": "p.png"}],
        "notes": ["to do"],
    },
]


@pytest.mark.parametrize("data", INCOMPLETE)
def test_an_incomplete_draft_round_trips(data: dict[str, Any]) -> None:
    assert _same_json(_round_trip(data), data)


def test_a_change_writes_back_only_itself() -> None:
    data: dict[str, Any] = {"questionnaire": {"election": "x"}, "entities": []}
    draft = ElectionDraft.load(data)
    draft.items("themes").append(ThemeDraft(id="roads", label={"en": "Roads"}))
    draft.questionnaire.put("description", {"en": "About"})
    assert draft.dump() == {
        "questionnaire": {
            "election": "x",
            "themes": [{"id": "roads", "label": {"en": "Roads"}}],
            "description": {"en": "About"},
        },
        "entities": [],
    }
    draft.questionnaire.put("description", {})  # an emptied optional text is removed
    assert "description" not in draft.dump()["questionnaire"]
    assert data == {"questionnaire": {"election": "x"}, "entities": []}  # the input is untouched
