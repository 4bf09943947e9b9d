"""The result's headline: what is certain first, then how sure the lead is, in words.

`grade_lead` is pure and has a JavaScript twin, `gradeLead` in
frontend/static/js/results-view.js; keep the two in step (tests check both on the
same hand-computed cases).
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

Grade = Literal["none", "tied", "clear", "ahead", "neck"]

# Without a certainty from the adaptive engine: a runner-up the paired test cannot tell
# apart from the top (close_to_top, matching.md) is "neck and neck" when fewer than this
# many percentage points behind, else the top is "ahead" of it.
NECK_GAP = 5.0
# With a certainty (the probability that the top match stays on top).
CLEAR_CERTAINTY = 0.9
AHEAD_CERTAINTY = 0.6
# No result before this many answered statements, unless the quiz says it is settled.
MINIMUM_ANSWERS = 5


class Lead(TypedDict):
    grade: Grade
    top: list[str]  # the entities sharing the top score (one unless tied)
    other: str | None  # the runner-up the line names, if any


def grade_lead(results: Sequence[Mapping[str, Any]], certainty: float | None = None) -> Lead:
    """How clear the top match is, from ranked results (the match response's order).

    - "none": nobody has a score;
    - "tied": more than one entity shares rank 1 (ties are shown as ties);
    - with `certainty`: >= 0.9 "clear", >= 0.6 "ahead", else "neck";
    - without: "clear" when no other entity is close_to_top, else "neck" when the
      runner-up is less than NECK_GAP points behind, else "ahead".
    """
    if not results or results[0]["score"] is None:
        return {"grade": "none", "top": [], "other": None}
    top = [r["entity"] for r in results if r["rank"] == 1]
    if len(top) > 1:
        return {"grade": "tied", "top": top, "other": None}
    runner = results[1] if len(results) > 1 and results[1]["score"] is not None else None
    other = runner["entity"] if runner else None
    if runner is None:
        return {"grade": "clear", "top": top, "other": None}
    grade: Grade
    if certainty is not None:
        grade = (
            "clear"
            if certainty >= CLEAR_CERTAINTY
            else "ahead"
            if certainty >= AHEAD_CERTAINTY
            else "neck"
        )
    elif not any(r["close_to_top"] for r in results[1:] if r["score"] is not None):
        grade = "clear"
    elif results[0]["score"] - runner["score"] < NECK_GAP:
        grade = "neck"
    else:
        grade = "ahead"
    return {"grade": grade, "top": top, "other": None if grade == "clear" else other}


def minimum_answers(statements: int) -> int:
    """The answers needed for a result: MINIMUM_ANSWERS, or every statement of a shorter quiz."""
    return min(MINIMUM_ANSWERS, statements)


def enough_answers(answered: int, *, statements: int, settled: bool = False) -> bool:
    """Whether a result is shown: the minimum answered, or the quiz says settled.

    `settled` is the hook for the adaptive quiz's quick mode (vaa/adaptive.py).
    """
    return settled or answered >= minimum_answers(statements)
