"""Joining a group session on a phone or a shared tablet: the code, the consent, then the quiz.

The join page asks for consent and makes an anonymous participant; session-join.js
then keeps the session's context in this tab's sessionStorage and opens the voter
quiz, which (only in such a tab) sends each answer to the session. Without
JavaScript nothing can be sent: the page says so and points to the paper sheet.
"""

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import csrf
from api.assets import static_url
from api.auth import csrf_protect, signed_in
from api.deps import SessionDep, SettingsDep
from api.i18n import available_languages, negotiate, translations
from api.pages.render import LanguageDep, render
from api.throttle import client_address, retry_minutes, throttles
from vaa import group_sessions
from vaa.accounts import SignedIn
from vaa.errors import TooMany, VaaError
from vaa.models import GroupSession

# signed_in runs first on every join page, so _page knows which CSRF token the form needs.
router = APIRouter(include_in_schema=False, dependencies=[Depends(signed_in)])


def _page(
    request: Request, template: str, lang: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("csrf_field", csrf.FIELD)
    # A signed-in facilitator joining on their own device (kiosk) posts the session's
    # token, which is what csrf_protect expects of a signed-in browser.
    signed: SignedIn | None = getattr(request.state, "signed_in", None)
    token = signed.session.csrf_token if signed else csrf.anonymous_token(request)
    context.setdefault("csrf_token", token)
    # A session's pages offer only its election's languages (the election decides what
    # its voters see); the code form, before any session is known, offers them all.
    languages = context.get("election_languages")
    response = render(
        request, template, language=lang, status_code=status_code, languages=languages, **context
    )
    response.headers["Cache-Control"] = "no-store"
    csrf.attach_anonymous_cookie(request, response)
    return response


class _Throttled(TooMany):
    def __init__(self, wait: float) -> None:
        super().__init__("throttled", "too many attempts to join")
        self.minutes = retry_minutes(wait)


def _find(request: Request, session: SessionDep, code: str) -> GroupSession:
    """The open session with this code; a client that tried too many wrong codes waits."""
    misses, client = throttles(request).join_misses, client_address(request)
    wait = misses.wait(client)
    if wait:
        raise _Throttled(wait)
    try:
        return group_sessions.find_session(session, code=code)
    except VaaError:
        misses.hit(client)
        raise


def _problem(request: Request, lang: str, exc: VaaError) -> HTMLResponse:
    """The code form again: one 404 for a session unknown or ended (codes cannot be told
    apart by probing), or 429 after too many attempts."""
    if isinstance(exc, _Throttled):
        response = _page(
            request,
            "sessions/join_code.html",
            lang,
            status_code=429,
            problem=exc.code,
            minutes=exc.minutes,
        )
        response.headers["Retry-After"] = str(exc.minutes * 60)
        return response
    return _page(request, "sessions/join_code.html", lang, status_code=404, problem="unknown")


@router.get("/join")
def redirect_join(request: Request, settings: SettingsDep) -> RedirectResponse:
    """Send the visitor to the code form in the language their browser prefers."""
    language = negotiate(
        request.headers.get("accept-language"), available_languages(), settings.default_language
    )
    return RedirectResponse(f"/{language}/join", status_code=303)


@router.get("/join/{code}")
def redirect_join_code(
    request: Request, code: str, session: SessionDep, settings: SettingsDep
) -> RedirectResponse:
    """The QR code's short address: go to the session's page in its own language.

    An unknown or ended session has no language to offer: its message is shown in the
    one the visitor's browser prefers.
    """
    normal = group_sessions.normalize_code(code) or code
    language = negotiate(
        request.headers.get("accept-language"), available_languages(), settings.default_language
    )
    with contextlib.suppress(VaaError):
        language = _find(request, session, normal).language
    return RedirectResponse(f"/{language}/join/{normal}", status_code=303)


@router.get("/{lang}/join", response_class=HTMLResponse)
def read_join_code(
    request: Request,
    lang: LanguageDep,
    code: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Ask for the session's code (shown by the facilitator)."""
    if code is not None:
        normal = group_sessions.normalize_code(code)
        if normal is None:
            return _page(
                request, "sessions/join_code.html", lang, status_code=400, problem="format"
            )
        return RedirectResponse(f"/{lang}/join/{normal}", status_code=303)
    return _page(request, "sessions/join_code.html", lang)


def _session_context(session: SessionDep, group: GroupSession, lang: str) -> dict[str, Any]:
    content = group_sessions.content_of(session, group)
    q = content.questionnaire
    language = lang if lang in q.languages else group.language
    return {
        "group": group,
        "title": q.title[language],
        "statements": len(q.statements),
        "election_languages": q.languages,
        "content_language": language,
        "slug": q.election,
    }


@router.get("/{lang}/join/{code}", response_class=HTMLResponse)
def read_join(
    request: Request,
    lang: LanguageDep,
    code: str,
    session: SessionDep,
    kiosk: Annotated[bool, Query()] = False,
) -> Response:
    """Show the session, what happens to the answers, and the consent to join."""
    try:
        group = _find(request, session, code)
    except VaaError as exc:
        return _problem(request, lang, exc)
    if code != group.code:
        return RedirectResponse(f"/{lang}/join/{group.code}", status_code=303)
    context = _session_context(session, group, lang)
    return _page(request, "sessions/join.html", lang, kiosk=kiosk, **context)


@router.post(
    "/{lang}/join/{code}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def create_participant(
    request: Request,
    lang: LanguageDep,
    code: str,
    session: SessionDep,
    consent: Annotated[str | None, Form(max_length=10)] = None,
    donate: Annotated[str | None, Form(max_length=10)] = None,
    kiosk: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """Join with consent: an anonymous participant, then on to the quiz."""
    try:
        group = _find(request, session, code)
        if consent == "yes":
            wait = throttles(request).joins.check(client_address(request))
            if wait:
                raise _Throttled(wait)
    except VaaError as exc:
        return _problem(request, lang, exc)
    context = _session_context(session, group, lang)
    in_kiosk = kiosk == "1"
    if consent != "yes":
        return _page(
            request,
            "sessions/join.html",
            lang,
            status_code=400,
            kiosk=in_kiosk,
            problem="consent",
            **context,
        )
    participant = group_sessions.join(
        session,
        group=group,
        consent=True,
        donate=donate == "yes",
        source="kiosk" if in_kiosk else "phone",
    )
    session.commit()
    language = context["content_language"]
    gettext = translations(lang).gettext
    script = {
        "code": group.code,
        "participant": participant.id,
        "election": context["slug"],
        "version": group.version,
        "total": context["statements"],
        "endpoint": f"/api/v1/sessions/{group.code}/answers",
        "script": static_url("js/session-join.js"),
        "answers": static_url("js/answers.js"),
        "quiz": f"/{language}/{context['slug']}/quiz",
        "join": f"/{lang}/join/{group.code}" + ("?kiosk=1" if in_kiosk else ""),
        "kiosk": in_kiosk,
        "texts": {
            "banner": gettext(
                "Group session %(code)s: your answers are sent to the group anonymously."
            )
            % {"code": group.code},
            "pending": gettext("Sending your answers…"),
            "sent": gettext("All your answers have reached the group."),
            "failed": gettext("Your answers could not be sent yet; we will keep trying."),
            "closed": gettext("This group session has ended: your answers are no longer sent."),
        },
    }
    return _page(request, "sessions/joined.html", lang, script=script, **context)


@router.get("/{lang}/join/{code}/kiosk", response_class=HTMLResponse)
def read_kiosk(request: Request, lang: LanguageDep, code: str, session: SessionDep) -> Response:
    """A shared tablet: the join page in a frame that starts afresh after a quiet spell."""
    try:
        group = _find(request, session, code)
    except VaaError as exc:
        return _problem(request, lang, exc)
    context = _session_context(session, group, lang)
    script = {
        "start": f"/{lang}/join/{group.code}?kiosk=1",
        "election": context["slug"],
        "minutes": group.kiosk_minutes,
    }
    return _page(request, "sessions/kiosk.html", lang, script=script, **context)
