"""The editors' side of party self-service: invitations, the deadline, reviewing submissions."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import FormText, SessionDep
from api.errors import status_of
from api.formatting import local_time
from api.i18n import language_name
from api.pages.admin import admin_language, admin_only, admin_or_editor, render_admin
from api.pages.party import pick
from vaa import party_workflow as workflow
from vaa.drafts import OpenDraft, StaleDraft, open_draft
from vaa.errors import NotFound, VaaError
from vaa.models import Account, Election
from vaa.settings import get_settings

router = APIRouter(
    prefix="/admin/review", include_in_schema=False, dependencies=[Depends(admin_or_editor)]
)
Editor = Annotated[Account, Depends(admin_or_editor)]


@dataclass(frozen=True)
class _Review:
    """An editor's request about one election's party self-service (the path's election)."""

    request: Request
    session: Session
    user: Account
    election: str


def _review(request: Request, session: SessionDep, user: Editor, election: str) -> _Review:
    return _Review(request, session, user, election)


ReviewDep = Annotated[_Review, Depends(_review)]


def _opened(session: SessionDep, election: str) -> OpenDraft:
    opened = open_draft(session, slug=election)
    if opened is None:
        raise HTTPException(404, f"no election {election!r}")
    return opened


def _title(data: dict[str, Any], language: str) -> str:
    return pick(data.get("questionnaire", {}).get("title"), language, workflow.languages(data))


@router.get("", response_class=HTMLResponse)
def read_review_home(request: Request, session: SessionDep, user: Editor) -> HTMLResponse:
    """List the elections with their party submissions awaiting review."""
    language = admin_language(request)
    elections = []
    for election in session.exec(select(Election).order_by(col(Election.slug))):
        opened = open_draft(session, slug=election.slug)
        if opened is None:
            continue
        found = workflow.submissions(session, election=election.slug)
        elections.append(
            {
                "slug": election.slug,
                "title": _title(opened.data, language),
                "pending": sum(s.status == "pending" for s in found),
                "entities": len(opened.data.get("entities", [])),
            }
        )
    return render_admin(request, "admin/review/index.html", elections=elections)


def _election_page(
    review: _Review,
    *,
    new_link: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    request, session, election = review.request, review.session, review.election
    opened = _opened(session, election)
    language = admin_language(request)
    langs = workflow.languages(opened.data)
    names = {e["id"]: pick(e.get("name"), language, langs) for e in opened.data.get("entities", [])}
    found_window = workflow.window(session, election=election)
    return render_admin(
        request,
        "admin/review/election.html",
        status_code=status_code,
        election=election,
        title=_title(opened.data, language),
        entities=names,
        invitations=[
            {
                "row": i,
                "status": workflow.invitation_status(i),
                "name": names.get(i.entity, i.entity),
            }
            for i in workflow.invitations(session, election=election)
        ],
        submissions=[
            {
                "row": s,
                "name": names.get(s.entity, s.entity),
                "missing": len(workflow.missing(s.positions, opened.data)),
            }
            for s in workflow.submissions(session, election=election)
        ],
        window=found_window,
        closed=workflow.closed_reason(found_window),
        deadline_value=local_time(found_window.deadline, get_settings().timezone).strftime(
            "%Y-%m-%dT%H:%M"
        )
        if found_window.deadline
        else "",
        new_link=new_link,
        error=error,
        default_days=workflow.DEFAULT_INVITATION_DAYS,
        max_days=workflow.MAX_INVITATION_DAYS,
        max_limit=workflow.MAX_LIMIT,
    )


@router.get("/{election}", response_class=HTMLResponse)
def read_election_review(review: ReviewDep) -> HTMLResponse:
    """Show an election's invitations, editing window and party submissions."""
    return _election_page(review)


@router.post("/{election}/invitations", response_class=HTMLResponse)
def create_invitation(
    review: ReviewDep,
    entity: FormText = "",
    days: FormText = str(workflow.DEFAULT_INVITATION_DAYS),
) -> HTMLResponse:
    """Create an invitation link for an entity; the link is shown once, on this page."""
    session, election = review.session, review.election
    _opened(session, election)
    try:
        valid_days = int(days)
    except ValueError:
        valid_days = 0
    try:
        _invitation, token = workflow.create_invitation(
            session, election=election, entity=entity, days=valid_days, actor=review.user
        )
    except VaaError as exc:
        session.rollback()
        return _election_page(review, error=exc.code, status_code=status_of(exc))
    session.commit()
    link = f"{str(review.request.base_url).rstrip('/')}/party/invite/{token}"
    return _election_page(review, new_link=link)


@router.post("/{election}/invitations/{invitation_id}/revoke")
def revoke_invitation(
    session: SessionDep, user: Editor, election: str, invitation_id: int
) -> Response:
    """Revoke an invitation (and the access of an account made with it)."""
    try:
        workflow.revoke_invitation(
            session, election=election, invitation_id=invitation_id, actor=user
        )
    except VaaError:
        session.rollback()
        raise  # the error page, in the reader's language (api/errors.py)
    session.commit()
    return RedirectResponse(f"/admin/review/{election}#invitations", status_code=303)


@router.post("/{election}/window", response_class=HTMLResponse)
def set_window(
    review: ReviewDep,
    user: Annotated[Account, Depends(admin_only)],
    deadline: FormText = "",
    locked: FormText = "",
    justification_limit: FormText = str(workflow.DEFAULT_LIMIT),
) -> Response:
    """Set the deadline, the lock and the justification limit (admins only).

    The deadline is typed in local time (VAA_TIMEZONE), as the parties read it; it is
    kept in UTC.
    """
    session, election = review.session, review.election
    _opened(session, election)
    zone = ZoneInfo(get_settings().timezone)
    try:
        when = (
            datetime.strptime(deadline.strip(), "%Y-%m-%dT%H:%M")
            .replace(tzinfo=zone)
            .astimezone(UTC)
            if deadline.strip()
            else None
        )
    except ValueError:
        return _election_page(review, error="deadline", status_code=400)
    try:
        limit = int(justification_limit)
    except ValueError:
        limit = 0
    try:
        workflow.set_window(
            session,
            election=election,
            deadline=when,
            locked=bool(locked),
            justification_limit=limit,
            actor=user,
        )
    except VaaError as exc:
        session.rollback()
        return _election_page(review, error=exc.code, status_code=status_of(exc))
    session.commit()
    return RedirectResponse(f"/admin/review/{election}#window", status_code=303)


def _submission_page(
    review: _Review,
    entity: str,
    *,
    error: str | None = None,
    comment: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    request, session, election = review.request, review.session, review.election
    opened = _opened(session, election)
    found = workflow.submission(session, election=election, entity=entity)
    if found is None or workflow.draft_entity(opened.data, entity) is None:
        raise HTTPException(404, f"no submission for {entity!r} in {election!r}")
    language = admin_language(request)
    data = opened.data
    langs = workflow.languages(data)
    questionnaire = data.get("questionnaire", {})
    options = {
        o["id"]: pick(o.get("label"), language, langs) for o in questionnaire.get("scale", [])
    }
    texts = {s["id"]: pick(s.get("text"), language, langs) for s in workflow.statements(data)}
    numbers = {s["id"]: i for i, s in enumerate(workflow.statements(data), start=1)}
    changes = workflow.diff(data, entity, found.positions)
    untranslated = [
        {"number": numbers.get(g.statement), "text": texts.get(g.statement, g.statement), "gap": g}
        for g in workflow.untranslated(found.positions, data)
    ]
    return render_admin(
        request,
        "admin/review/submission.html",
        status_code=status_code,
        election=election,
        entity=entity,
        title=_title(data, language),
        entity_name=pick((workflow.draft_entity(data, entity) or {}).get("name"), language, langs),
        submission=found,
        changes=[
            {
                "change": c,
                "text": texts.get(c.statement, c.statement),
                "number": numbers.get(c.statement),
            }
            for c in changes
        ],
        options=options,
        languages=[{"code": c, "name": language_name(c)} for c in langs],
        language_names={c: language_name(c) for c in langs},
        untranslated=untranslated,
        missing=len(workflow.missing(found.positions, data)),
        statement_count=len(numbers),
        revision=opened.revision,
        error=error,
        comment=comment,
        max_comment=workflow.MAX_COMMENT,
    )


@router.get("/{election}/submissions/{entity}", response_class=HTMLResponse)
def read_submission(review: ReviewDep, entity: str) -> HTMLResponse:
    """Show what a party's submission would change in the draft, with approve and return."""
    return _submission_page(review, entity)


@router.post("/{election}/submissions/{entity}/approve", response_class=HTMLResponse)
def approve_submission(review: ReviewDep, entity: str, revision: FormText = "") -> Response:
    """Write the submission's positions into the draft (409 if the draft changed meanwhile)."""
    try:
        opened_revision = int(revision)
    except ValueError:
        raise HTTPException(400, "the form lacks the draft revision") from None
    session, election = review.session, review.election
    try:
        workflow.approve_submission(
            session, election=election, entity=entity, revision=opened_revision, actor=review.user
        )
    except StaleDraft:
        session.rollback()
        return _submission_page(review, entity, error="stale", status_code=409)
    except VaaError as exc:
        return _refused(review, entity, exc)
    return _reviewed(review, entity)


@router.post("/{election}/submissions/{entity}/return", response_class=HTMLResponse)
def return_submission(review: ReviewDep, entity: str, comment: FormText = "") -> Response:
    """Send the submission back to the party with a comment."""
    session, election = review.session, review.election
    try:
        workflow.return_submission(
            session, election=election, entity=entity, comment=comment, actor=review.user
        )
    except VaaError as exc:
        return _refused(review, entity, exc, comment=comment)
    return _reviewed(review, entity)


def _refused(review: _Review, entity: str, exc: VaaError, *, comment: str = "") -> HTMLResponse:
    """The submission again with why the review was refused (NotFound: the error page)."""
    review.session.rollback()
    if isinstance(exc, NotFound):
        raise exc  # the error page, in the reader's language (api/errors.py)
    return _submission_page(
        review,
        entity,
        error=exc.code,
        comment=comment[: workflow.MAX_COMMENT + 100],
        status_code=status_of(exc),
    )


def _reviewed(review: _Review, entity: str) -> Response:
    review.session.commit()
    url = f"/admin/review/{review.election}/submissions/{entity}"
    return RedirectResponse(url, status_code=303)
