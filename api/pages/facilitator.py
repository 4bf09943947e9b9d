"""The facilitator's pages for group sessions: create, share, project, paper, close, report.

Every page is behind the facilitator guard (admins too); a facilitator sees only the
sessions they created. The projector page is a shell that projector.js fills from the
summary stream (api/routes/session_events.py).
"""

import csv
import io
import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from api.auth import require_role
from api.deps import SessionDep
from api.i18n import available_languages, translations
from api.pages.admin import admin_language, render_admin
from api.session_summary import ManagedSession, summary_of
from vaa import group_sessions
from vaa.content import ElectionContent
from vaa.errors import VaaError
from vaa.models import Account, GroupSession
from vaa.spreadsheets import formula_safe
from vaa.store import published_versions

facilitator = require_role("facilitator")
router = APIRouter(
    prefix="/facilitator", include_in_schema=False, dependencies=[Depends(facilitator)]
)
FacilitatorDep = Annotated[Account, Depends(facilitator)]


def _base(group: GroupSession) -> str:
    return f"/facilitator/sessions/{group.id}"


def _content_language(request: Request, content: ElectionContent, group: GroupSession) -> str:
    ui = admin_language(request)
    return ui if ui in content.questionnaire.languages else group.language


def _joining(request: Request, content: ElectionContent, group: GroupSession) -> dict[str, Any]:
    """What the session page and the projector both show: the title and how to join."""
    url = join_url(request, group)
    gettext = translations(admin_language(request)).gettext
    return {
        "group": group,
        "base": _base(group),
        "title": content.questionnaire.title[_content_language(request, content, group)],
        "join_url": url,
        "qr": qr_svg(url, gettext("QR code to join session %(code)s") % {"code": group.code}),
    }


def _choices(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "slug": e.slug,
            "title": v.title,
            "languages": v.languages,
            "constituencies": v.constituencies or [],
        }
        for e, v in published_versions(session)
        if e.visibility != "archived"
    ]


def script_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no closing tags)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def join_url(request: Request, group: GroupSession) -> str:
    """The absolute short address people open (typed or from the QR code).

    VAA_PUBLIC_URL names it when the facilitator's own address is not the room's (a laptop
    hub opened at 127.0.0.1; `vaa serve --host 0.0.0.0` sets it to the LAN address).
    """
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/join/{group.code}"


def qr_svg(url: str, label: str) -> Markup:
    """The join address as an inline SVG QR code (no style attributes: the CSP allows it)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, svgclass="qr", lineclass="qr__line", omitsize=True
    )
    label = str(Markup.escape(label))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


# --- list and create --------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def read_sessions(request: Request, session: SessionDep, user: FacilitatorDep) -> HTMLResponse:
    """List the facilitator's sessions and offer a form to start one."""
    return _sessions_page(request, session, user)


def _sessions_page(
    request: Request,
    session: Session,
    user: Account,
    *,
    status_code: int = 200,
    problem: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    sessions = group_sessions.sessions_of(session, account=user)
    elections = _choices(session)
    slugs = {g.election_id: group_sessions.slug_of(session, g) for g in sessions}
    return render_admin(
        request,
        "sessions/list.html",
        status_code=status_code,
        sessions=sessions,
        slugs=slugs,
        elections=elections,
        languages=available_languages(),
        problem=problem,
        values=values or {"min_group": 5, "kiosk_minutes": 3, "day": date.today().isoformat()},
        limits={"min": group_sessions.MIN_GROUP, "kiosk": group_sessions.KIOSK_MINUTES},
    )


@router.post("/sessions", response_class=HTMLResponse)
def create_session(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    election: Annotated[str, Form(max_length=64)],
    language: Annotated[str, Form(max_length=16)],
    place: Annotated[str, Form(max_length=1000)] = "",
    constituency: Annotated[str, Form(max_length=200)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    min_group: Annotated[str, Form(max_length=10)] = "5",
    kiosk_minutes: Annotated[str, Form(max_length=10)] = "3",
) -> Response:
    """Start a session; its code and QR code are on the page it leads to."""
    values = {
        "election": election,
        "language": language,
        "place": place,
        "constituency": constituency,
        "day": day,
        "min_group": min_group,
        "kiosk_minutes": kiosk_minutes,
    }

    def refuse(problem: str) -> HTMLResponse:
        return _sessions_page(
            request, session, user, status_code=400, problem=problem, values=values
        )

    try:
        when = date.fromisoformat(day) if day.strip() else None
    except ValueError:
        return refuse("day")
    if not min_group.strip().isdigit():
        return refuse("min")
    if not kiosk_minutes.strip().isdigit():
        return refuse("kiosk")
    try:
        group = group_sessions.create_session(
            session,
            election=election,
            language=language,
            place=place,
            constituency=_constituency_of(election, constituency),
            day=when,
            min_group=int(min_group),
            kiosk_minutes=int(kiosk_minutes),
            facilitator=user,
        )
    except VaaError as exc:
        return refuse(exc.code)
    session.commit()
    return RedirectResponse(_base(group), status_code=303)


def _constituency_of(election: str, choice: str) -> str | None:
    """The form's "election/place" choice (the select spans every election) as a place id.

    A choice made for another election is refused by create_session as unknown."""
    slug, _, place = choice.partition("/")
    if not place:
        return None
    return place if slug == election else f"{slug}/{place}"


# --- one session ------------------------------------------------------------------------


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def read_session(
    request: Request, group: ManagedSession, session: SessionDep, saved: str | None = None
) -> HTMLResponse:
    """The session's code, QR code, counts and everything the facilitator can do with it."""
    content = group_sessions.content_of(session, group)
    return render_admin(
        request,
        "sessions/detail.html",
        **_joining(request, content, group),
        election_languages=content.questionnaire.languages,
        summary=summary_of(session, group),
        saved=saved,
    )


@router.post("/sessions/{session_id}/close")
def close_session(group: ManagedSession, session: SessionDep, user: FacilitatorDep) -> Response:
    """End the session: keep the summary, donate what was offered, delete every answer."""
    if group.status == "open":
        group_sessions.close_session(session, group=group, actor=user)
        session.commit()
    return RedirectResponse(f"{_base(group)}?saved=closed", status_code=303)


@router.get("/sessions/{session_id}/projector", response_class=HTMLResponse)
def read_projector(request: Request, group: ManagedSession, session: SessionDep) -> HTMLResponse:
    """The room's view: counts, then (past the minimum group) the group's anonymous results."""
    content = group_sessions.content_of(session, group)
    return render_admin(
        request,
        "sessions/projector.html",
        **_joining(request, content, group),
        script=script_json(
            {
                "events": f"/api/v1/sessions/{group.id}/events",
                "summary": summary_of(session, group),
                "meta": _meta(content, _content_language(request, content, group)),
                "texts": _projector_texts(admin_language(request)),
            }
        ),
    )


def _meta(content: ElectionContent, lang: str) -> dict[str, Any]:
    """The labels the projector and the report need, in one language."""
    q = content.questionnaire
    colors = {e.id: e.color for e in content.entities if e.color}
    return {
        "options": [o.label[lang] for o in q.scale],
        "statements": {
            s.id: {"n": i + 1, "text": s.text[lang]} for i, s in enumerate(q.statements)
        },
        "entities": {
            e.id: {
                # the full name: a room reads it off the wall, and few know the abbreviations
                "name": e.name[lang],
                # a candidate without a colour wears its nominating party's
                "color": e.color or colors.get(e.party or "") or "#6b7785",
            }
            for e in content.entities
        },
        "axes": {
            a.id: {"label": a.label[lang], "low": a.low[lang], "high": a.high[lang]} for a in q.axes
        },
        "races": {r.id: r.title[lang] for r in q.races},
    }


def _projector_texts(language: str) -> dict[str, str]:
    gettext = translations(language).gettext
    return {
        "waiting": gettext(
            "The group's results appear once %(min)s people have finished (%(finished)s so far)."
        ),
        "joined": gettext("Joined"),
        "finished": gettext("Finished"),
        "closed": gettext("This session has ended."),
        "offline": gettext("Connection lost: reconnecting…"),
        "skipped": gettext("skipped"),
        "respondents": gettext("Average of %(n)s people's matches"),
    }


# --- report -----------------------------------------------------------------------------


def _report_context(
    request: Request, group: GroupSession, session: Session
) -> tuple[dict[str, Any], dict[str, Any], str]:
    content = group_sessions.content_of(session, group)
    lang = _content_language(request, content, group)
    return summary_of(session, group), _meta(content, lang), lang


@router.get("/sessions/{session_id}/report", response_class=HTMLResponse)
def read_report(request: Request, group: ManagedSession, session: SessionDep) -> HTMLResponse:
    """A printable one-page report: date, place, participants, distributions, matches."""
    summary, meta, lang = _report_context(request, group, session)
    content = group_sessions.content_of(session, group)
    return render_admin(
        request,
        "sessions/report.html",
        group=group,
        base=_base(group),
        title=content.questionnaire.title[lang],
        summary=summary,
        meta=meta,
        completion=_completion(summary),
    )


def _completion(summary: dict[str, Any]) -> int | None:
    joined = summary["joined"]
    return None if not joined else round(100 * summary["finished"] / joined)


@router.get("/sessions/{session_id}/report.csv")
def read_report_csv(request: Request, group: ManagedSession, session: SessionDep) -> Response:
    """The group's summary as CSV: one row per figure (section, item, option, value, label)."""
    summary, meta, _lang = _report_context(request, group, session)
    content = group_sessions.content_of(session, group)
    options = [o.id for o in content.questionnaire.scale]
    out = io.StringIO()
    writer = csv.writer(out)

    def writerow(cells: list[Any]) -> None:
        # The place, statement texts and names are typed by people: no cell may run.
        writer.writerow([formula_safe(c) if isinstance(c, str) else c for c in cells])

    writerow(["section", "item", "option", "value", "label"])
    facts = {
        "code": group.code,
        "election": content.questionnaire.election,
        "version": group.version,
        "date": group.day.isoformat() if group.day else "",
        "place": group.place or "",
        "constituency": group.constituency or "",
        "status": summary["status"],
        "joined": summary["joined"],
        "finished": summary["finished"],
        "paper": summary["paper"],
        "completion_percent": _completion(summary) if summary["joined"] else "",
        "shown": summary["shown"],
        "counted": summary.get("counted") or "",
    }
    for key, value in facts.items():
        writerow(["session", key, "", value, ""])
    for s in summary["statements"] or []:
        label = meta["statements"][s["id"]]["text"]
        for option, n in zip(options, s["counts"], strict=True):
            writerow(["statement", s["id"], option, n, label])
        writerow(["statement", s["id"], "skip", s["skipped"], label])
    for m in summary["matches"] or []:
        name = meta["entities"][m["entity"]]["name"]
        writerow(["match", m["entity"], "", "" if m["score"] is None else m["score"], name])
    for race in summary.get("races") or []:  # one section per race: its own ranking
        title = meta["races"][race["race"]]
        for m in race["matches"]:
            name = meta["entities"][m["entity"]]["name"]
            score = "" if m["score"] is None else m["score"]
            writerow([f"race:{race['race']}", m["entity"], "", score, f"{title}: {name}"])
        for entity in race["did_not_answer"]:
            name = meta["entities"][entity]["name"]
            writerow([f"race:{race['race']}", entity, "did-not-answer", "", f"{title}: {name}"])
    body = "\ufeff" + out.getvalue()  # a BOM, so spreadsheet programs read Georgian right
    filename = f"session-{group.code}-{group.day or date.today()}.csv"
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


# --- paper ------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/paper", response_class=HTMLResponse)
def read_paper(
    request: Request,
    group: ManagedSession,
    session: SessionDep,
    language: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """A printable A4 questionnaire and answer sheet, in one of the election's languages."""
    content = group_sessions.content_of(session, group)
    q = content.questionnaire
    lang = language if language in q.languages else _content_language(request, content, group)
    return render_admin(
        request,
        "sessions/paper.html",
        group=group,
        base=_base(group),
        title=q.title[lang],
        paper_lang=lang,
        election_languages=q.languages,
        statements=[s.text[lang] for s in q.statements],
        options=[o.label[lang] for o in q.scale],
        paper_texts=_paper_texts(lang),
    )


def _paper_texts(language: str) -> dict[str, str]:
    """The sheet's own words in the sheet's language (not the facilitator's)."""
    gettext = translations(language).gettext
    return {
        "questionnaire": gettext("Questionnaire"),
        "sheet": gettext("Answer sheet"),
        "how": gettext(
            "For each statement, mark one box with the number of your answer, or leave the row "
            "empty to skip it. Tick the last column for the statements that matter most to you."
        ),
        "scale": gettext("Answers"),
        "statement": gettext("Statement"),
        "important": gettext("Matters to me"),
        "anonymous": gettext("Do not write your name: the sheet is anonymous."),
        "session": gettext("Session"),
    }


@router.get("/sessions/{session_id}/sheets", response_class=HTMLResponse)
def read_sheets(
    request: Request, group: ManagedSession, session: SessionDep, saved: int | None = None
) -> HTMLResponse:
    """The keyboard form for paper answer sheets, one sheet at a time."""
    return _sheets_page(request, group, session, saved=saved)


def _sheets_page(
    request: Request,
    group: GroupSession,
    session: Session,
    *,
    status_code: int = 200,
    saved: int | None = None,
    error: group_sessions.SheetError | None = None,
    value: str = "",
) -> HTMLResponse:
    content = group_sessions.content_of(session, group)
    lang = _content_language(request, content, group)
    q = content.questionnaire
    return render_admin(
        request,
        "sessions/sheets.html",
        status_code=status_code,
        group=group,
        base=_base(group),
        statements=[s.text[lang] for s in q.statements],
        options=[o.label[lang] for o in q.scale],
        summary=summary_of(session, group),
        saved=saved,
        error=error,
        value=value,
    )


@router.post("/sessions/{session_id}/sheets", response_class=HTMLResponse)
def create_sheet(
    request: Request,
    group: ManagedSession,
    session: SessionDep,
    sheet: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Enter one paper sheet: it counts like a phone that finished the quiz."""
    if group.status != "open":
        return RedirectResponse(f"{_base(group)}?saved=closed", status_code=303)
    content = group_sessions.content_of(session, group)
    try:
        parsed = group_sessions.parse_sheet(sheet, content)
    except group_sessions.SheetError as exc:
        return _sheets_page(request, group, session, status_code=400, error=exc, value=sheet)
    group_sessions.enter_sheet(session, group=group, sheet=parsed)
    session.commit()
    sheets = summary_of(session, group)["paper"]
    return RedirectResponse(f"{_base(group)}/sheets?saved={sheets}", status_code=303)


@router.get("/sessions/{session_id}/hands", response_class=HTMLResponse)
def read_hands(
    request: Request, group: ManagedSession, session: SessionDep, saved: str | None = None
) -> HTMLResponse:
    """The show-of-hands form: how many chose each answer, statement by statement."""
    return _hands_page(request, group, session, saved=saved is not None)


def _hands_page(
    request: Request,
    group: GroupSession,
    session: Session,
    *,
    status_code: int = 200,
    saved: bool = False,
    problem: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    content = group_sessions.content_of(session, group)
    lang = _content_language(request, content, group)
    q = content.questionnaire
    if values is None:
        values = {
            f"t-{s}-{o}": str(n)
            for s, counts in group_sessions.tallies_of(session, group=group).items()
            for o, n in counts.items()
        }
    return render_admin(
        request,
        "sessions/hands.html",
        status_code=status_code,
        group=group,
        base=_base(group),
        statements=[(s.id, s.text[lang]) for s in q.statements],
        options=[(o.id, o.label[lang]) for o in q.scale] + [("skip", None)],
        values=values,
        saved=saved,
        problem=problem,
    )


@router.post("/sessions/{session_id}/hands", response_class=HTMLResponse)
async def create_hands(request: Request, group: ManagedSession, session: SessionDep) -> Response:
    """Replace the show-of-hands counts of every statement with a number filled in."""
    if group.status != "open":
        return RedirectResponse(f"{_base(group)}?saved=closed", status_code=303)
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k.startswith("t-")}
    content = group_sessions.content_of(session, group)
    q = content.questionnaire
    tallies: dict[str, dict[str, int]] = {}
    for s in q.statements:
        row = {o: values.get(f"t-{s.id}-{o}", "") for o in [*(o.id for o in q.scale), "skip"]}
        if not any(row.values()):
            continue
        counts: dict[str, int] = {}
        for option, text in row.items():
            if text and (not text.isdigit() or int(text) > group_sessions.MAX_TALLY):
                lang = _content_language(request, content, group)
                return _hands_page(
                    request, group, session, status_code=400, problem=s.text[lang], values=values
                )
            counts[option] = int(text or 0)
        tallies[s.id] = counts
    group_sessions.set_tallies(session, group=group, tallies=tallies)
    session.commit()
    return RedirectResponse(f"{_base(group)}/hands?saved=1", status_code=303)


@router.get("/sessions/{session_id}/kiosk")
def open_kiosk(group: ManagedSession) -> RedirectResponse:
    """Start kiosk mode on this device (the shared tablet)."""
    return RedirectResponse(f"/{group.language}/join/{group.code}/kiosk", status_code=303)
