"""Voter pages: the result, and the statistics of donated answers.

The result page has two paths that show the same content from the same templates:
without JavaScript the quiz POSTs the answers, the server scores them
(vaa.results.score_answers), renders and stores nothing; with JavaScript the page is
a shell whose <template> elements results.js fills from the answers kept on the
device (matching.js), so the answers never leave it. What the page shows is built in
api/views/ (result.py the view model, charts.py the SVG geometry, share.py the share
link, form.py the no-JavaScript form, texts.py the sentences); these routes only load,
call and render.
"""

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api import csrf
from api.assets import module_urls
from api.deps import SessionDep
from api.errors import message_of
from api.i18n import translations
from api.next_statement import NextRequest, next_step
from api.pages.quiz import quick_race
from api.pages.render import LanguageDep, VoterElectionDep, render
from api.published import load_prepared
from api.schemas import statistics_response
from api.throttle import client_address, retry_minutes, throttles
from api.views.charts import voter_label, voter_mark
from api.views.form import FormProblem, read_form
from api.views.headline import enough_answers, minimum_answers
from api.views.result import (
    answered_any,
    ballot_views,
    carried_state,
    form_state,
    page_frame,
    race_response,
    result_view,
    with_answers,
)
from api.views.share import share_fragment
from api.views.texts import Texts
from vaa.donations import THRESHOLD, InvalidToken, donate, spend_token, statistics
from vaa.errors import VaaError
from vaa.publish import justification_slice
from vaa.results import MatchRequest, PreparedElection, score_answers
from vaa.store import VersionRef, bundle_bytes, published_ref

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, lang: str, election: dict[str, Any], template: str, /, **context: Any
) -> HTMLResponse:
    """A page of this election in `lang`, its language switch limited to the election's
    (positional, so the context may carry the election on to the template too)."""
    return render(request, template, language=lang, languages=election["languages"], **context)


def _page_context(
    election: dict[str, Any], session: Session, lang: str, t: Texts
) -> tuple[VersionRef, PreparedElection, dict[str, Any]]:
    ref = published_ref(session, slug=election["election"])
    assert ref is not None  # voter_election found it a moment ago
    prepared = load_prepared(session, ref)
    return ref, prepared, page_frame(election, prepared, lang=lang, t=t)


@router.get("/{lang}/{election}/results", response_class=HTMLResponse)
def read_results(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Show the result computed in the browser from the answers kept on the device."""
    t = Texts(lang)
    _ref, _prepared, context = _page_context(election, session, lang, t)
    return _page(
        request,
        lang,
        election,
        "results.html",
        view=None,
        # The modules results.js imports, fetched while the page is parsed, not after.
        modulepreload=module_urls("js/results.js")[1:],
        **context,
    )


def unseen_certainty(prepared: PreparedElection, match: MatchRequest) -> float | None:
    """How sure the top match is, when the voter has not seen every statement (quick mode,
    or a quiz left early): the probability that it stays (docs/adaptive.md). None when
    every statement was shown: then nothing is left that could change it, and the result's
    own interval says how close it is."""
    if all(sid in match.answers for sid in prepared.statement_ids):
        return None
    request = NextRequest(
        answers=dict(match.answers),
        weights=dict(match.weights),
        method=match.method,
        race=quick_race(prepared, match.constituency),
    )
    return float(next_step(prepared, request)["certainty"])


def _no_result(
    request: Request,
    lang: str,
    election: dict[str, Any],
    context: dict[str, Any],
    *,
    status_code: int = 200,
    **message: str,
) -> HTMLResponse:
    """The results page without a ranking, saying why (a bad form, too few answers)."""
    return _page(
        request,
        lang,
        election,
        "results.html",
        status_code=status_code,
        view=None,
        **message,
        **context,
    )


@router.post("/{lang}/{election}/results", response_class=HTMLResponse)
async def create_results(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Score the posted answers (the quiz without JavaScript); nothing is stored."""
    t = Texts(lang)
    ref, prepared, context = _page_context(election, session, lang, t)
    statements = len(prepared.statement_ids)
    form = await request.form()
    try:
        match, compare = read_form(form)
        match = match.model_copy(update={"language": lang})
        # Nothing answered is a voter who skipped everything, not a broken form: it gets
        # the too-few message, not the engine's refusal.
        response = (
            with_answers(score_answers(prepared, match), match, prepared.statement_ids)
            if answered_any(match)
            else None
        )
    except (VaaError, ValueError) as exc:  # ValueError: pydantic's, e.g. an over-long id
        problem = message_of(exc, lang)
        return _no_result(request, lang, election, context, status_code=400, problem=problem)
    answered = len(response["answered_ids"]) if response else 0
    certainty = unseen_certainty(prepared, match) if response else None
    settled = certainty is not None and certainty >= prepared.content.questionnaire.matching.settled
    if response is None or not enough_answers(answered, statements=statements, settled=settled):
        too_few = t("too_few", minimum=minimum_answers(statements), answered=answered)
        return _no_result(request, lang, election, context, too_few=too_few)
    races = response["races"]
    chosen = form.get("race")
    selected = next((r for r in races if r["race"] == chosen), races[0] if races else None)
    profiles = context["script"]["profiles"]
    quick = quick_race(prepared, match.constituency)
    view = result_view(
        election,
        race_response(response, selected) if selected else response,
        weights=match.weights,
        compare=compare,
        t=t,
        profiles=profiles,
        certainty=certainty if selected is None or selected["race"] == quick else None,
        unseen=statements - len(match.answers),
    )
    race_entities = {e["entity"] for e in selected["results"]} if selected else None
    if context["map"]:
        # The map shows the chosen race's entities: the star keeps clear of those.
        shown = [
            p
            for p in context["map"]["points"]
            if race_entities is None or p["entity"] in race_entities
        ]
        view["voter_mark"] = voter_mark(view["voter"], shown)
        view["voter_label"] = voter_label(view["voter_mark"], shown, t("you"))
    reasons = json.loads(
        justification_slice(bundle_bytes(session, version_id=ref.version_id), lang)
    )
    share = str(request.url_for("read_results", lang=lang, election=election["election"]))
    share += "#" + share_fragment(
        election, response["answers"], match.weights, match.method, match.constituency
    )
    page = _page(
        request,
        lang,
        election,
        "results.html",
        view=view,
        state=form_state(
            response["answers"],
            match.weights,
            response["method"],
            (view["compare"]["a"], view["compare"]["b"]),
            place=match.constituency,
            race=selected["race"] if selected else None,
        ),
        ballots=ballot_views(
            election,
            response,
            weights=match.weights,
            t=t,
            profiles=profiles,
            certainty={quick: certainty} if quick and certainty is not None else None,
            unseen=statements - len(match.answers),
        )
        if races
        else None,
        race_entities=race_entities,
        reasons=reasons["entities"],
        share_url=share,
        csrf_token=csrf.anonymous_token(request),  # for the donation form below the result
        **context,
    )
    csrf.attach_anonymous_cookie(request, page)
    return page


class _DonationFlood(Exception):
    """Too many donations from this connection lately: wait this many minutes."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many donations: wait {minutes} min")
        self.minutes = minutes


async def _donation_csrf(request: Request) -> None:
    # The anonymous double-submit token, even for a signed-in editor trying the quiz: a
    # donation is not an account's action, and the results page carries that token.
    await csrf.check(request, request.cookies.get(csrf.anonymous_cookie(request)))


@router.post(
    "/{lang}/{election}/donations", response_model=None, dependencies=[Depends(_donation_csrf)]
)
async def create_donation_page(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> Response:
    """Store the answers anonymously when the voter ticked the box (no JavaScript).

    The thanks page is the statistics page, whose "back to your result" re-posts the
    answers: without JavaScript they are nowhere else (a redirect would lose them).
    """
    t = Texts(lang)
    form = await request.form()
    try:
        if form.get("consent") != "yes":
            raise FormProblem("form.consent")
        match, compare = read_form(form)
        version = form.get("version")
        if not isinstance(version, str):
            raise FormProblem("form.version")
        # The form's CSRF token (checked above) is this visitor's one-time donation token.
        token = form.get(csrf.FIELD)
        spend_token(session, token=token if isinstance(token, str) else "")
        wait = throttles(request).donations.check(client_address(request))
        if wait:
            raise _DonationFlood(retry_minutes(wait))
        donate(
            session,
            election=election["election"],
            version=version,
            answers=match.answers,
            weights={sid: int(w) for sid, w in match.weights.items()},
        )
    except _DonationFlood as flood:
        session.rollback()
        _ref, _prepared, context = _page_context(election, session, lang, t)
        problem = translations(lang).gettext(
            "Too many answers have been given from your connection lately. "
            "Please try again in %(minutes)s min."
        ) % {"minutes": flood.minutes}
        return _no_result(request, lang, election, context, status_code=429, problem=problem)
    except InvalidToken:
        session.rollback()
        _ref, _prepared, context = _page_context(election, session, lang, t)
        return _no_result(
            request,
            lang,
            election,
            context,
            status_code=403,
            problem=translations(lang).gettext(
                "This form has already been sent or is too old. Please show your result "
                "again to give your answers."
            ),
        )
    except (VaaError, ValueError) as exc:  # ValueError: pydantic's, e.g. an over-long id
        session.rollback()
        _ref, _prepared, context = _page_context(election, session, lang, t)
        problem = message_of(exc, lang)
        return _no_result(request, lang, election, context, status_code=400, problem=problem)
    session.commit()
    state = carried_state(election, match, compare)
    return _statistics_page(request, lang, election, session, thanks=True, state=state)


@router.get("/{lang}/{election}/statistics", response_class=HTMLResponse)
def read_statistics_page(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Show how the voters who gave their answers answered, once there are enough of them."""
    thanks = request.query_params.get("thanks") == "1"
    return _statistics_page(request, lang, election, session, thanks=thanks, state=None)


@router.post("/{lang}/{election}/statistics", response_class=HTMLResponse)
async def create_statistics_page(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """The statistics with a way back to the posted result (the language switch, no JS)."""
    try:
        state = carried_state(election, *read_form(await request.form()))
    except (VaaError, ValueError) as exc:  # ValueError: pydantic's, e.g. an over-long id
        _ref, _prepared, context = _page_context(election, session, lang, Texts(lang))
        problem = message_of(exc, lang)
        return _no_result(request, lang, election, context, status_code=400, problem=problem)
    return _statistics_page(request, lang, election, session, thanks=False, state=state)


def _statistics_page(
    request: Request,
    lang: str,
    election: dict[str, Any],
    session: Session,
    *,
    thanks: bool,
    state: dict[str, Any] | None,
) -> HTMLResponse:
    found = statistics_response(statistics(session, election=election["election"]))
    labels = {o["id"]: o["label"] for o in election["scale"]}
    texts = {s["id"]: s for s in election["statements"]}
    rows = []
    for s in found.statements or []:
        if s.statement not in texts:
            continue
        bars = [
            {"label": labels[a.option], "count": a.count, "share": _share(a.count, s.total)}
            for a in s.answers
        ]
        bars.append(
            {
                "label": translations(lang).gettext("Skipped"),
                "count": s.skipped,
                "share": _share(s.skipped, s.total),
                "skipped": True,
            }
        )
        rows.append(
            {
                "statement": texts[s.statement],
                "bars": bars,
                "total": s.total,
                "important": s.important,
            }
        )
    return _page(
        request,
        lang,
        election,
        "statistics.html",
        election=election,
        statistics=found,
        threshold=THRESHOLD,
        rows=rows,
        thanks=thanks,
        state=state,
        pct=Texts(lang).pct,
        results_url=f"/{lang}/{election['election']}/results",
    )


def _share(count: int, total: int) -> float:
    return 0.0 if total == 0 else 100 * count / total
