"""The result's headline grading (api/views/headline.py), on hand-made ranked results."""

from typing import Any

from api.views.headline import enough_answers, grade_lead


def _r(entity: str, rank: int, score: float | None, close: bool) -> dict[str, Any]:
    return {"entity": entity, "rank": rank, "score": score, "close_to_top": close}


def test_no_runner_up_close_is_a_clear_lead() -> None:
    results = [_r("a", 1, 70.0, True), _r("b", 2, 50.0, False), _r("c", 3, 40.0, False)]
    assert grade_lead(results) == {"grade": "clear", "top": ["a"], "other": None}


def test_close_runner_up_within_five_points_is_neck_and_neck() -> None:
    # 70 - 66 = 4 < 5; the paired test cannot tell b from a.
    results = [_r("a", 1, 70.0, True), _r("b", 2, 66.0, True), _r("c", 3, 57.0, True)]
    assert grade_lead(results) == {"grade": "neck", "top": ["a"], "other": "b"}


def test_close_runner_up_five_or_more_points_behind_is_ahead() -> None:
    # 70 - 65 = 5, not < 5: "ahead of b"; only b is named, not every close entity.
    results = [_r("a", 1, 70.0, True), _r("b", 2, 65.0, True), _r("c", 3, 57.0, True)]
    assert grade_lead(results) == {"grade": "ahead", "top": ["a"], "other": "b"}


def test_equal_scores_are_a_tie() -> None:
    results = [_r("a", 1, 60.0, True), _r("b", 1, 60.0, True), _r("c", 3, 40.0, False)]
    assert grade_lead(results) == {"grade": "tied", "top": ["a", "b"], "other": None}
    assert grade_lead(results, certainty=0.95)["grade"] == "tied"


def test_certainty_grades_when_given() -> None:
    results = [_r("a", 1, 70.0, True), _r("b", 2, 69.0, True)]
    assert grade_lead(results, certainty=0.9)["grade"] == "clear"
    assert grade_lead(results, certainty=0.89) == {"grade": "ahead", "top": ["a"], "other": "b"}
    assert grade_lead(results, certainty=0.6)["grade"] == "ahead"
    assert grade_lead(results, certainty=0.59)["grade"] == "neck"


def test_nothing_scored_and_a_single_entity() -> None:
    assert grade_lead([_r("a", 1, None, True)])["grade"] == "none"
    assert grade_lead([_r("a", 1, 80.0, True)])["grade"] == "clear"


def test_minimum_of_five_answers_unless_settled() -> None:
    assert not enough_answers(4, statements=28)
    assert enough_answers(5, statements=28)
    assert enough_answers(1, statements=28, settled=True)
    # A quiz shorter than the minimum shows its result once every statement is answered.
    assert not enough_answers(3, statements=4)
    assert enough_answers(4, statements=4)
