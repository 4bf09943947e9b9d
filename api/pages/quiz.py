"""Voter pages before the result: the start page, the quiz and "how is this calculated".

The quiz is one plain form (every statement, POSTed to the result page) that quiz.js
turns into one statement per phone screen; the answers then stay in the browser's
storage. After the last statement an optional step marks the important ones: quiz.js
shows it in the page; without JavaScript the form is POSTed to /quiz/weights, which
carries the answers on in hidden fields to the result (or back to POST /quiz, the form
with the answers ticked). Nothing is stored.

Quick mode (docs/adaptive.md) asks the statements that tell most first and says how
settled the top match is. With JavaScript, quick.js chooses each next statement in the
browser (adaptive.js); without, each answer is POSTed back here, the answers so far
ride along in hidden fields and the server chooses the next one with the same engine.
Either way nothing is stored.
"""

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
from babel.numbers import format_decimal
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from api.assets import static_url
from api.deps import SessionDep
from api.i18n import translations
from api.next_statement import NextRequest, next_step, race_entities
from api.pages.place import known_place
from api.pages.render import LanguageDep, VoterElectionDep, render
from api.prefetch import result_prefetch
from api.published import load_prepared
from api.views.headline import minimum_answers
from vaa import adaptive
from vaa.adaptive import SETTLED
from vaa.errors import InvalidAnswers
from vaa.matching import match, round_half_up, scale_positions
from vaa.races import ballots
from vaa.results import PreparedElection
from vaa.rules import METHODS, MISSING
from vaa.store import published_ref

router = APIRouter(include_in_schema=False)


def _urls(lang: str, election: dict[str, Any]) -> dict[str, Any]:
    base = f"/{lang}/{election['election']}"
    return {
        "start_url": f"{base}/",
        "quiz_url": f"{base}/quiz",
        "results_url": f"{base}/results",
        "method_url": f"{base}/method",
        "place_url": f"{base}/place",
        "quick_url": f"{base}/quick",
    }


def _page(
    request: Request, template: str, lang: str, election: dict[str, Any], **context: Any
) -> HTMLResponse:
    """A page of the election in the voter's language, with its links and language switch."""
    return render(
        request,
        template,
        language=lang,
        languages=election["languages"],
        election=election,
        **_urls(lang, election),
        **context,
    )


def _labels(election: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The names a statement page shows beside a statement: its theme's, the places'."""
    return {
        "themes": {t["id"]: t["label"] for t in election["themes"]},
        "place_names": {c["id"]: c["name"] for c in election.get("constituencies", [])},
    }


def _script_links(lang: str, election: dict[str, Any]) -> dict[str, Any]:
    """What the quiz's scripts (all statements, or quick mode) need to store and go on."""
    return {
        "election": election["election"],
        "version": election["version"],
        "answers": static_url("js/answers.js"),
        "results": _urls(lang, election)["results_url"],
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
        "quick": urls["quick_url"],
        "modeQuick": gettext("You were in quick mode."),
        "modeAll": gettext("You were answering all statements in order."),
    }
    return _page(
        request,
        "start.html",
        lang,
        election,
        entities=entities,
        kinds={e["kind"] for e in entities},
        fictional=[e for e in entities if e.get("fictional")],
        script=script,
    )


def _quiz_page(
    request: Request,
    lang: str,
    election: dict[str, Any],
    place: str | None,
    chosen: dict[str, str | None] | None = None,
    weighted: dict[str, float] | None = None,
) -> HTMLResponse:
    gettext = translations(lang).gettext
    script = {
        **_script_links(lang, election),
        "step": _placeholders(gettext("Statement %(n)s of %(total)s"), n="n", total="total"),
        "weighing": gettext("Last step"),
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
    return _page(
        request,
        "quiz.html",
        lang,
        election,
        place=known_place(election, place),
        **_labels(election),
        chosen=chosen or {},
        weighted={sid: w >= 2 for sid, w in (weighted or {}).items()},
        script=script,
        prefetch=result_prefetch(lang, election),
    )


@router.get("/{lang}/{election}/quiz", response_class=HTMLResponse)
def read_quiz(
    request: Request, lang: LanguageDep, election: VoterElectionDep, place: str | None = None
) -> HTMLResponse:
    """Every statement in one form; quiz.js shows them one at a time and keeps the answers.

    The voter's place (where the election has races) rides along in the form."""
    return _quiz_page(request, lang, election, place)


@dataclass(frozen=True)
class QuizForm:
    """What a quiz page without JavaScript posts: answers (None = skipped), weights (0, 1
    or 2 per statement) and the voter's place."""

    answers: dict[str, str | None]
    weights: dict[str, float]
    place: str | None


async def _posted_answers(request: Request, election: dict[str, Any]) -> QuizForm:
    """The answers, weights and place a no-JavaScript quiz page posted (400 if unreadable)."""
    try:
        posted = read_quick_form(await request.form())
    except QuickFormProblem as exc:
        raise HTTPException(400, str(exc)) from exc
    options = {o["id"] for o in election["scale"]}
    statements = {s["id"] for s in election["statements"]}
    for sid, answer in posted.answers.items():
        if sid not in statements or (answer is not None and answer not in options):
            raise HTTPException(400, f"unknown answer {sid[:40]!r}")
    weights = {s: w for s, w in posted.weights.items() if s in statements}
    return QuizForm(posted.answers, weights, posted.place)


@router.post("/{lang}/{election}/quiz", response_class=HTMLResponse)
async def create_quiz(
    request: Request, lang: LanguageDep, election: VoterElectionDep
) -> HTMLResponse:
    """Back from the weighting step without JavaScript: the quiz with the posted answers."""
    posted = await _posted_answers(request, election)
    return _quiz_page(request, lang, election, posted.place, posted.answers, posted.weights)


@router.post("/{lang}/{election}/quiz/weights", response_class=HTMLResponse)
async def create_quiz_weights(
    request: Request, lang: LanguageDep, election: VoterElectionDep
) -> HTMLResponse:
    """The optional weighting step without JavaScript: the answered statements, each with
    an "important" box; the answers ride along in hidden fields to the result."""
    posted = await _posted_answers(request, election)
    answers = posted.answers
    order = [s["id"] for s in election["statements"]]
    return _page(
        request,
        "quiz_weights.html",
        lang,
        election,
        place=known_place(election, posted.place),
        carried=[(sid, answers[sid]) for sid in order if sid in answers],
        answered=[s for s in election["statements"] if answers.get(s["id"]) is not None],
        weighted={sid: w >= 2 for sid, w in posted.weights.items()},
    )


class QuickFormProblem(ValueError):
    """The posted quick-mode form cannot be read as answers."""


def quick_race(prepared: PreparedElection, place: str | None) -> str | None:
    """The race quick mode separates: the first on the voter's ballot (None without races)."""
    if not prepared.content.questionnaire.races:
        return None
    return ballots(prepared.content, place)[0].id


def read_quick_form(form: FormData) -> QuizForm:
    """Answers (null = skipped), weights and place of a posted quick-mode page.

    `answer-<id>` = option id or "skip", `weight-<id>` = "0", "1" or "2", `shown` = the
    statement the page asked (skipped when it has no answer), `place`; buttons are ignored.
    """
    answers: dict[str, str | None] = {}
    weights: dict[str, float] = {}
    seen: set[str] = set()
    shown: str | None = None
    place: str | None = None
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise QuickFormProblem(f"{key!r} is not a text field")
        if key in seen:
            raise QuickFormProblem(f"{key!r} is given twice")
        seen.add(key)
        if key.startswith("answer-"):
            answers[key[7:]] = None if value == "skip" else value
        elif key.startswith("weight-"):
            if value not in ("0", "1", "2"):
                raise QuickFormProblem(f"{key!r} must be 0, 1 or 2, not {value[:20]!r}")
            weights[key[7:]] = float(value)
        elif key == "shown":
            shown = value
        elif key == "place":
            place = value
    if shown is not None:
        answers.setdefault(shown, None)  # asked, not answered: skipped, never asked again
    return QuizForm(answers, weights, place)


def quick_view(
    prepared: PreparedElection, election: dict[str, Any], lang: str, posted: QuizForm
) -> dict[str, Any]:
    """What a quick-mode page shows: the statement to ask, the certainty, whether settled."""
    q = prepared.content.questionnaire
    answers, weights = posted.answers, posted.weights
    race = quick_race(prepared, posted.place)
    step = next_step(
        prepared, NextRequest.model_validate({"answers": answers, "weights": weights, "race": race})
    )
    answered = sum(1 for sid, a in answers.items() if a is not None and weights.get(sid, 1) > 0)
    enough = answered >= minimum_answers(len(prepared.statement_ids))
    percent = int(round_half_up(100 * step["certainty"]))
    members = race_entities(prepared, race)
    gettext = translations(lang).gettext
    script = {
        **_script_links(lang, election),
        "statements": list(prepared.statement_ids),
        "options": dict(
            zip([o.id for o in q.scale], scale_positions(len(q.scale)).tolist(), strict=True)
        ),
        "levels": scale_positions(len(q.scale)).tolist(),
        "entities": [
            [None if np.isnan(x) else float(x) for x in prepared.entity_answers[e]] for e in members
        ],
        "entityIds": [prepared.entity_ids[e] for e in members],
        "method": q.matching.method,
        "missing": q.matching.missing,
        "settled": q.matching.settled,
        "minimum": minimum_answers(len(prepared.statement_ids)),
        "texts": {
            "sure": gettext(SURE) % {"n": "{n}"},
            "settledSure": gettext(SETTLED_SURE) % {"n": "{n}"},
            "progress": _placeholders(gettext(PROGRESS), n="n", total="total"),
            "saved": _placeholders(gettext("Saved: %(answer)s."), answer="answer"),
            "skipped": gettext("Skipped."),
        },
    }
    return {
        "statement": step["statement"],
        "certainty": step["certainty"],
        "percent": percent,
        "answered": answered,
        "seen": len(answers),
        "settled": step["settled"] and enough,
        "enough": enough,
        "script": script,
    }


def N_(message: str) -> str:
    """Mark a message for translation; translated where it is shown."""
    return message


# Certainty in plain words (docs/adaptive.md); the method page defines it.
SURE = N_(
    "How sure is your top match? %(n)s%% sure that it would stay the same if you answered "
    "every statement."
)
SETTLED_SURE = N_(
    "Your top match is settled: %(n)s%% sure that it would stay the same if you answered "
    "every statement."
)
PROGRESS = N_("Statements answered or skipped: %(n)s of %(total)s")


def _quick_page(
    request: Request,
    lang: str,
    election: dict[str, Any],
    prepared: PreparedElection,
    posted: QuizForm,
) -> HTMLResponse:
    """The quick-mode page for what the voter has posted so far (its place checked)."""
    view = quick_view(prepared, election, lang, posted)
    answers, weights = posted.answers, posted.weights
    gettext = translations(lang).gettext
    return _page(
        request,
        "quick.html",
        lang,
        election,
        place=posted.place,
        **_labels(election),
        carried=[(sid, answers[sid]) for sid in prepared.statement_ids if sid in answers],
        weights={sid: int(w) for sid, w in weights.items() if w != 1},
        view=view,
        script=view["script"],
        prefetch=result_prefetch(lang, election),
        progress_text=gettext(PROGRESS) % {"n": view["seen"], "total": len(prepared.statement_ids)},
        sure_text=gettext(SETTLED_SURE if view["settled"] else SURE) % {"n": view["percent"]},
    )


def _prepared(session: SessionDep, election: dict[str, Any]) -> PreparedElection:
    ref = published_ref(session, slug=election["election"])
    assert ref is not None  # voter_election found it a moment ago
    return load_prepared(session, ref)


@router.get("/{lang}/{election}/quick", response_class=HTMLResponse)
def read_quick(
    request: Request,
    lang: LanguageDep,
    election: VoterElectionDep,
    session: SessionDep,
    place: str | None = None,
) -> HTMLResponse:
    """Quick mode's first statement: the one that tells most about the voter's top match."""
    prepared = _prepared(session, election)
    posted = QuizForm({}, {}, known_place(election, place))
    return _quick_page(request, lang, election, prepared, posted)


@router.post("/{lang}/{election}/quick", response_class=HTMLResponse)
async def create_quick(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Quick mode without JavaScript: the answers so far in, the next statement out (nothing stored)."""
    prepared = _prepared(session, election)
    try:
        posted = read_quick_form(await request.form())
        posted = replace(posted, place=known_place(election, posted.place))
        return _quick_page(request, lang, election, prepared, posted)
    except (QuickFormProblem, InvalidAnswers) as exc:
        return _page(
            request,
            "quick.html",
            lang,
            election,
            status_code=400,
            problem=str(exc),
            view=None,
        )


@router.get("/{lang}/{election}/method", response_class=HTMLResponse)
def read_method(request: Request, lang: LanguageDep, election: VoterElectionDep) -> HTMLResponse:
    """Explain in plain words how the match is calculated, with a worked example."""
    positions = scale_positions(len(election["scale"]))
    scale = [
        {"label": option["label"], "position": _signed(float(x), lang)}
        for option, x in zip(election["scale"], positions, strict=True)
    ]
    return _page(
        request,
        "method.html",
        lang,
        election,
        scale=scale,
        example=worked_example(lang),
        certainty_example=certainty_example(),
        settled=int(round_half_up(100 * float(election["matching"].get("settled", SETTLED)))),
        minimum=minimum_answers(len(election["statements"])),
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

    base = run(METHODS[0], MISSING[0])
    scores = {
        method: {missing: [number(s) for s in run(method, missing).scores] for missing in MISSING}
        for method in METHODS
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


# The certainty example of the method page: a 3-point scale, parties A and B on five
# statements, a voter neutral on the first and agreeing with the second.
CERTAINTY_PARTIES = ((1.0, 1.0, -1.0, 1.0, 1.0), (1.0, -1.0, 1.0, 1.0, -1.0))
CERTAINTY_VOTER = (0.0, 1.0, None, None, None)


@cache
def certainty_example() -> dict[str, int]:
    """The engine's own numbers for the method page's certainty example, in whole percent."""
    levels = scale_positions(3)
    voter = np.array([np.nan if x is None else x for x in CERTAINTY_VOTER])
    parties = np.array(CERTAINTY_PARTIES)
    pi = adaptive.posterior(voter, levels, parties)
    result = adaptive.step(
        voter, np.ones(5), np.zeros(5, dtype=np.bool_), levels, parties, entity_ids=["a", "b"]
    )
    a, b, ab = (int(round_half_up(100 * float(x))) for x in pi[:3])
    return {
        "a": a,
        "b": b,
        "ab": ab,  # halfway between the two
        "u": 100 - a - b - ab,
        "kept": round(result.certainty * adaptive.SAMPLES),
        "sure": int(round_half_up(100 * result.certainty)),
        "temper": int(round_half_up(100 * adaptive.TEMPER)),  # the weight of one answer
    }


def _signed(value: float, language: str) -> str:
    """A scale position with its sign: "−1", "−0.5", "0", "+0.5", "+1" (a comma in Georgian)."""
    text = format_decimal(abs(value), format="0.##", locale=language)
    return "0" if text == "0" else ("+" if value > 0 else "\u2212") + text
