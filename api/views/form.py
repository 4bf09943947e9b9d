"""The quiz's no-JavaScript form, read as a match request (answers, weights, method, pair)."""

from starlette.datastructures import FormData

from api.views.texts import METHODS
from vaa.results import MatchRequest


class FormProblem(ValueError):
    """The posted form cannot be read as answers."""


def read_form(form: FormData) -> tuple[MatchRequest, tuple[str, str] | None]:
    """The quiz's no-JavaScript form as a match request, and the pair to compare, if any.

    `answer-<statement>` = option id or "skip", `weight-<statement>` = "0", "1" or "2",
    `method`, `compare-a`, `compare-b`, `place` (the voter's constituency, where the
    election has races); other fields (buttons, `race`) are ignored.
    """
    answers: dict[str, str | None] = {}
    weights: dict[str, float] = {}
    method: str | None = None
    place: str | None = None
    pair: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise FormProblem(f"{key!r} is not a text field")
        if key in seen and key.startswith(("answer-", "method", "compare-", "place")):
            raise FormProblem(f"{key!r} is given twice")
        seen.add(key)
        if key.startswith("answer-"):
            answers[key[7:]] = None if value == "skip" else value
        elif key.startswith("weight-"):
            if value not in ("0", "1", "2"):
                raise FormProblem(f"{key!r} must be 0, 1 or 2, not {value[:20]!r}")
            weights[key[7:]] = max(weights.get(key[7:], 0), float(value))
        elif key == "method":
            if value not in METHODS:
                raise FormProblem(f"unknown method {value[:20]!r}")
            method = value
        elif key in ("compare-a", "compare-b"):
            pair[key[8:]] = value
        elif key == "place" and value:
            place = value[:64]
    if not answers:
        raise FormProblem("no answers in the form")
    compare = (pair["a"], pair["b"]) if "a" in pair and "b" in pair else None
    request = MatchRequest.model_validate(
        {"answers": answers, "weights": weights, "method": method, "constituency": place},
        strict=False,
    )
    return request, compare
