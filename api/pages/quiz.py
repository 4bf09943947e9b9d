"""Voter pages before the result: the start page, the quiz and "how is this calculated".

The quiz is one plain form (every statement, POSTed to the result page) that quiz.js
turns into one statement at a time; the answers then stay in the browser's storage.
"""

from functools import cache
from typing import Any

import numpy as np
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.assets import static_url
from api.i18n import translations
from api.pages.place import known_place
from api.pages.render import LanguageDep, VoterElectionDep, render
from vaa.matching import match, round_half_up, scale_positions

router = APIRouter(include_in_schema=False)


def _urls(lang: str, election: dict[str, Any]) -> dict[str, Any]:
    base = f"/{lang}/{election['election']}"
    return {
        "start_url": f"{base}/",
        "quiz_url": f"{base}/quiz",
        "results_url": f"{base}/results",
        "method_url": f"{base}/method",
        "place_url": f"{base}/place",
    }


def _placeholders(message: str, **names: str) -> str:
    """A translated message with its %(name)s turned into {name}, for quiz.js."""
    return message % {name: "{" + name + "}" for name in names}


@router.get("/{lang}/{election}/", response_class=HTMLResponse)
def read_start(request: Request, lang: LanguageDep, election: VoterElectionDep) -> HTMLResponse:
    """Introduce the election: what the quiz is, who prepared it, which parties it compares."""
    gettext = translations(lang).gettext
    urls = _urls(lang, election)
    # Neutral order: alphabetical in this language (Georgian letters sort in code order).
    entities = sorted(election["entities"], key=lambda e: (e["name"].casefold(), e["id"]))
    script = {
        "election": election["election"],
        "answers": static_url("js/answers.js"),
        "statements": [s["id"] for s in election["statements"]],
        "answered": _placeholders(
            gettext("You have answered or skipped %(n)s of %(total)s statements on this device."),
            n="n",
            total="total",
        ),
        "confirm": gettext("Delete your answers and start again?"),
    }
    return render(
        request,
        "start.html",
        language=lang,
        languages=election["languages"],
        election=election,
        entities=entities,
        kinds={e["kind"] for e in entities},
        fictional=[e for e in entities if e.get("fictional")],
        script=script,
        **urls,
    )


@router.get("/{lang}/{election}/quiz", response_class=HTMLResponse)
def read_quiz(
    request: Request, lang: LanguageDep, election: VoterElectionDep, place: str | None = None
) -> HTMLResponse:
    """Every statement in one form; quiz.js shows them one at a time and keeps the answers.

    The voter's place (where the election has races) rides along in the form."""
    gettext = translations(lang).gettext
    script = {
        "election": election["election"],
        "version": election["version"],
        "answers": static_url("js/answers.js"),
        "results": _urls(lang, election)["results_url"],
        "step": _placeholders(gettext("Statement %(n)s of %(total)s"), n="n", total="total"),
        "saved": _placeholders(gettext("Saved: %(answer)s."), answer="answer"),
        "skipped": gettext("Skipped."),
        "important": gettext("Marked as important: it counts twice."),
        "normal": gettext("No longer marked as important."),
        "confirm": gettext("Delete your answers and start again?"),
        "cleared": gettext("Your answers were deleted."),
        "changed": _placeholders(
            gettext(
                "The questionnaire has been updated since your last visit. We kept your "
                "answers to the statements that are still in it (%(kept)s of %(total)s)."
            ),
            kept="kept",
            total="total",
        ),
        "dropped": gettext("Your answers to statements that have been removed were deleted."),
    }
    return render(
        request,
        "quiz.html",
        language=lang,
        languages=election["languages"],
        election=election,
        themes={t["id"]: t["label"] for t in election["themes"]},
        place=known_place(election, place),
        place_names={c["id"]: c["name"] for c in election.get("constituencies", [])},
        script=script,
        **_urls(lang, election),
    )


@router.get("/{lang}/{election}/method", response_class=HTMLResponse)
def read_method(request: Request, lang: LanguageDep, election: VoterElectionDep) -> HTMLResponse:
    """Explain in plain words how the match is calculated, with a worked example."""
    positions = scale_positions(len(election["scale"]))
    scale = [
        {"label": option["label"], "position": _signed(float(x), lang)}
        for option, x in zip(election["scale"], positions, strict=True)
    ]
    return render(
        request,
        "method.html",
        language=lang,
        languages=election["languages"],
        election=election,
        scale=scale,
        example=worked_example(lang),
        **_urls(lang, election),
    )


# The worked example of matching.md: a voter and two parties on four statements, on a
# 5-point scale (index 0 = strongly disagree .. 4 = strongly agree; None = no answer).
EXAMPLE_VOTER = (4, 3, 2, 0)
EXAMPLE_WEIGHTS = (1, 2, 1, 1)
EXAMPLE_PARTIES = {"a": (3, 3, 0, 1), "b": (0, 4, None, 0)}
EXAMPLE_THEMES = (0, 0, 1, 1)


@cache
def worked_example(language: str) -> dict[str, Any]:
    """The example's answers and the engine's own numbers for it, written in a language."""
    x = scale_positions(5)
    voter = np.array([x[i] for i in EXAMPLE_VOTER])
    weights = np.array(EXAMPLE_WEIGHTS, dtype=np.float64)
    parties = np.array(
        [[np.nan if i is None else x[i] for i in p] for p in EXAMPLE_PARTIES.values()]
    )

    def run(method: Any, missing: Any) -> Any:
        return match(
            voter,
            weights,
            parties,
            entity_ids=list(EXAMPLE_PARTIES),
            themes=np.array(EXAMPLE_THEMES, dtype=np.intp),
            n_themes=2,
            method=method,
            missing=missing,
        )

    def number(value: float, ndigits: int = 1) -> str:
        # Half up, as the result page rounds; "62,5" in Georgian, "62.5" in English.
        rounded = round_half_up(float(value), ndigits)
        return format_decimal(rounded, format="#,##0.#", locale=language)

    base = run("cityblock", "max")
    scores = {
        method: {
            missing: [number(s) for s in run(method, missing).scores]
            for missing in ("max", "neutral", "skip")
        }
        for method in ("cityblock", "euclidean", "directional", "hybrid")
    }
    return {
        "voter": EXAMPLE_VOTER,
        "weights": EXAMPLE_WEIGHTS,
        "parties": list(EXAMPLE_PARTIES.values()),
        "agreements": [[number(g) for g in row] for row in base.agreements],
        "scores": scores,
        "themes": [[number(t) for t in row] for row in base.theme_scores],
        "interval": [number(v, 0) for v in base.intervals[0]],
        "close": bool(base.close_to_top[1]),
    }


def _signed(value: float, language: str) -> str:
    """A scale position with its sign: "−1", "−0.5", "0", "+0.5", "+1" (a comma in Georgian)."""
    text = format_decimal(abs(value), format="0.##", locale=language)
    return "0" if text == "0" else ("+" if value > 0 else "\u2212") + text
