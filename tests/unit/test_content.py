"""vaa.content: the one in-memory shape of an election, strict as the data files are."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import RACE_FILES
from vaa.content import ElectionContent, Entity, Position, Questionnaire, Statement
from vaa.loading import read_elections


def _questionnaire(**changes: Any) -> dict[str, Any]:
    return {
        "election": "town",
        "title": {"ka": "ქალაქი", "en": "Town"},
        "languages": ["ka", "en"],
        "scale": [
            {"id": "no", "label": {"ka": "არა", "en": "No"}},
            {"id": "yes", "label": {"ka": "კი", "en": "Yes"}},
        ],
        "themes": [{"id": "roads", "label": {"ka": "გზები", "en": "Roads"}}],
        "statements": [{"id": "s1", "theme": "roads", "text": {"ka": "ა", "en": "A"}}],
        **changes,
    }


def test_a_minimal_questionnaire_gets_the_default_matching() -> None:
    q = Questionnaire.model_validate(_questionnaire())
    assert (q.matching.method, q.matching.missing, q.matching.settled) == (
        "cityblock",
        "max",
        0.9,
    )
    assert (q.axes, q.races, q.constituencies, q.date) == ([], [], [], None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),  # unknown fields are refused, not ignored
        ({"election": "Town"}, "election"),  # ids are lower-case slugs
        ({"languages": []}, "languages"),
        ({"scale": [{"id": "yes", "label": {"en": "Yes"}}]}, "scale"),  # at least two
        ({"title": {"en": ""}}, "title"),  # no empty text
        ({"date": "2025-10-04"}, "date"),  # strict: a date, not a string
    ],
)
def test_what_the_files_may_not_say_is_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Questionnaire.model_validate(_questionnaire(**changes))
    assert caught.value.errors()[0]["loc"][0] == field


def test_a_dated_questionnaire_keeps_its_date() -> None:
    q = Questionnaire.model_validate(_questionnaire(date=dt.date(2025, 10, 4)))
    assert q.date == dt.date(2025, 10, 4)


def test_axis_loadings_are_from_minus_one_to_one() -> None:
    base = {"id": "s1", "theme": "roads", "text": {"en": "A"}}
    assert Statement.model_validate({**base, "axes": {"economic": -1.0}}).axes == {"economic": -1}
    with pytest.raises(ValidationError):
        Statement.model_validate({**base, "axes": {"economic": 1.5}})


def test_content_is_frozen() -> None:
    position = Position(answer="yes")
    with pytest.raises(ValidationError):
        position.answer = "no"  # type: ignore[misc]


def test_an_entity_is_matched_on_its_own_positions_or_those_it_takes() -> None:
    (content,) = read_elections(RACE_FILES)
    by_id = {e.id: e for e in content.entities}
    assert content.slug == "races"
    assert content.positions_of(by_id["d1-eka"]) == by_id["party-a"].positions
    assert content.positions_of(by_id["party-a"]) == by_id["party-a"].positions
    orphan = Entity(kind="candidate", id="x", name={"en": "X"}, positions_from="nobody")
    alone = ElectionContent(questionnaire=content.questionnaire, entities=[orphan])
    assert alone.positions_of(orphan) == {}
