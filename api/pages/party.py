"""A party's own pages: accepting an invitation, and filling in and submitting its positions.

Every page with {election}/{entity} in its path is behind `require_party`: a party
account sees only its own entity (any other is 403); admins may look too.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.auth import PartyUser, csrf_protect, require_role, signed_in_redirect
from api.deps import SessionDep
from api.errors import status_of
from api.i18n import language_name
from api.pages.account import NewAccountDep
from api.pages.admin import admin_language, render_admin
from vaa import party_workflow as workflow
from vaa.drafts import open_draft
from vaa.errors import VaaError
from vaa.models import Account
from vaa.rules import text_in

router = APIRouter(prefix="/party", include_in_schema=False)
party_or_admin = require_role("party")


def pick(text: dict[str, str] | None, language: str, fallbacks: list[str]) -> str:
    """A content text in the reader's language, else in the election's first language."""
    return text_in(text, language, fallbacks)


# --- invitations --------------------------------------------------------------------------


@router.get("/invite/{token}", response_class=HTMLResponse)
def read_invitation(request: Request, session: SessionDep, token: str) -> HTMLResponse:
    """Show the form a party representative uses to create their account."""
    invitation = workflow.find_invitation(session, token=token)
    if invitation is None:
        return render_admin(request, "party/invite_invalid.html", status_code=404)
    return render_admin(
        request, "party/invite.html", **_invitation_context(session, request, invitation), email=""
    )


def _invitation_context(session: SessionDep, request: Request, invitation: Any) -> dict[str, Any]:
    language = admin_language(request)
    opened = open_draft(session, slug=invitation.election)
    data = opened.data if opened else {}
    entity = workflow.draft_entity(data, invitation.entity) or {}
    langs = workflow.languages(data)
    return {
        "election_title": pick(data.get("questionnaire", {}).get("title"), language, langs),
        "entity_name": pick(entity.get("name"), language, langs),
        "expires_at": invitation.expires_at,
    }


@router.post("/invite/{token}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def accept_invitation(
    request: Request, session: SessionDep, token: str, form: NewAccountDep
) -> Response:
    """Create the party account of an invitation and sign in; the link then stops working."""
    invitation = workflow.find_invitation(session, token=token)
    if invitation is None:
        return render_admin(request, "party/invite_invalid.html", status_code=404)
    context = _invitation_context(session, request, invitation)
    try:
        password = form.new_password.checked()
        account = workflow.accept_invitation(
            session, token=token, email=form.email, password=password
        )
    except VaaError as exc:
        session.rollback()
        status = status_of(exc)
        if exc.code == "link":
            return render_admin(request, "party/invite_invalid.html", status_code=404)
        return render_admin(
            request,
            "party/invite.html",
            status_code=status,
            error=exc.code,
            email=form.shown_email,
            **context,
        )
    return signed_in_redirect(
        request, session, account, f"/party/{account.election}/{account.entity}"
    )


# --- the party's positions ----------------------------------------------------------------


@router.get("")
def read_party_home(user: Annotated[Account, Depends(party_or_admin)]) -> Response:
    """Go to the signed-in party's own page (admins go to the review area)."""
    if user.role == "party" and user.election and user.entity:
        return RedirectResponse(f"/party/{user.election}/{user.entity}", status_code=303)
    return RedirectResponse("/admin/review", status_code=303)


@dataclass(frozen=True)
class _Party:
    """The entity a positions page is about, in its election's draft."""

    election: str
    entity: str
    data: dict[str, Any]

    def working_positions(self, session: SessionDep) -> dict[str, dict[str, Any]]:
        return workflow.working_positions(
            session, election=self.election, entity=self.entity, data=self.data
        )


def _opened(session: SessionDep, election: str, entity: str) -> _Party:
    opened = open_draft(session, slug=election)
    if opened is None or workflow.draft_entity(opened.data, entity) is None:
        raise HTTPException(404, f"election {election!r} has no entity {entity!r}")
    return _Party(election, entity, opened.data)


def _render_positions(
    request: Request,
    session: SessionDep,
    party: _Party,
    positions: dict[str, dict[str, Any]],
    *,
    errors: list[workflow.FieldError] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    election, entity, data = party.election, party.entity, party.data
    language = admin_language(request)
    langs = workflow.languages(data)
    questionnaire = data.get("questionnaire", {})
    themes = {
        t["id"]: pick(t.get("label"), language, langs) for t in questionnaire.get("themes", [])
    }
    options = [
        {"id": o["id"], "label": pick(o.get("label"), language, langs)}
        for o in questionnaire.get("scale", [])
    ]
    by_statement: dict[str, list[workflow.FieldError]] = {}
    for error in errors or []:
        by_statement.setdefault(error.statement, []).append(error)
    gaps: dict[str, list[workflow.FieldError]] = {}
    for gap in workflow.untranslated(positions, data):
        gaps.setdefault(gap.statement, []).append(gap)
    rows = [
        {
            "id": s["id"],
            "number": i,
            "theme": themes.get(s.get("theme", ""), ""),
            "text": pick(s.get("text"), language, langs),
            "position": positions.get(s["id"], workflow.normalize(None)),
            "errors": by_statement.get(s["id"], []),
            "gaps": [] if errors else gaps.get(s["id"], []),
        }
        for i, s in enumerate(workflow.statements(data), start=1)
    ]
    found_window = workflow.window(session, election=election)
    found = workflow.submission(session, election=election, entity=entity)
    closed = workflow.closed_reason(found_window)
    missing = set(workflow.missing(positions, data))
    if notice == "submitted" and (found is None or found.status != "pending"):
        notice = None  # reviewed since (a reload of the old address): the status says what now
    return render_admin(
        request,
        "party/positions.html",
        status_code=status_code,
        election=election,
        entity=entity,
        election_title=pick(questionnaire.get("title"), language, langs),
        entity_name=pick((workflow.draft_entity(data, entity) or {}).get("name"), language, langs),
        borrows=_borrowed_name(data, entity, language, langs),
        languages=[{"code": c, "name": language_name(c)} for c in langs],
        language_names={c: language_name(c) for c in langs},
        options=options,
        rows=rows,
        missing=[r for r in rows if r["id"] in missing],
        untranslated=[r for r in rows if r["gaps"]],
        window=found_window,
        closed=closed,
        submission=found,
        editable=closed is None and (found is None or found.status != "pending"),
        limit=found_window.justification_limit,
        errors=errors or [],
        notice=notice,
    )


def _borrowed_name(data: dict[str, Any], entity: str, language: str, langs: list[str]) -> str:
    """The name of the entity whose positions this candidate stands on, or ''."""
    source = (workflow.draft_entity(data, entity) or {}).get("positions_from")
    found = workflow.draft_entity(data, source) if source else None
    return pick(found.get("name"), language, langs) if found else ""


@router.get("/{election}/{entity}", response_class=HTMLResponse)
def read_positions(
    request: Request,
    session: SessionDep,
    user: PartyUser,
    election: str,
    entity: str,
    done: str | None = None,
) -> HTMLResponse:
    """Show the party's positions on every statement, what is missing, and its review status."""
    party = _opened(session, election, entity)
    notice = done if done in ("saved", "submitted") else None
    return _render_positions(
        request, session, party, party.working_positions(session), notice=notice
    )


async def _form(request: Request) -> FormData:
    return await request.form()


def positions_from_form(form: FormData, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The raw positions of the form: answer-<id>, justification-<id>-<lang>, source-<id>."""

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    return {
        s["id"]: {
            "answer": text(f"answer-{s['id']}"),
            "justification": {
                lang: text(f"justification-{s['id']}-{lang}") for lang in workflow.languages(data)
            },
            "source": text(f"source-{s['id']}"),
        }
        for s in workflow.statements(data)
    }


@router.post("/{election}/{entity}", response_class=HTMLResponse)
def save_positions(
    request: Request,
    session: SessionDep,
    user: PartyUser,
    election: str,
    entity: str,
    form: Annotated[FormData, Depends(_form)],
) -> Response:
    """Save the working copy (action=save) or send it for review (action=submit)."""
    party = _opened(session, election, entity)
    data = party.data
    action = form.get("action")
    if action not in ("save", "submit"):
        raise HTTPException(400, "the form must say action=save or action=submit")
    limit = workflow.window(session, election=election).justification_limit
    positions, errors = workflow.check_positions(
        positions_from_form(form, data), data=data, limit=limit
    )
    if action == "submit":
        # Saving a half-translated draft is allowed (the page then warns); submitting is
        # not: the editors could not approve it and it would fail at publish.
        errors += workflow.untranslated(positions, data)
    closed = workflow.closed_reason(workflow.window(session, election=election))
    notice, status = None, 400
    if closed is not None or not errors:
        try:
            workflow.save_positions(
                session,
                election=election,
                entity=entity,
                positions=positions,
                actor=user,
                submit=action == "submit",
            )
        except VaaError as exc:
            # Refused as a whole (closed, locked): the page shows what is stored, and why.
            session.rollback()
            positions = party.working_positions(session)
            errors, notice, status = [], exc.code, status_of(exc)
        else:
            session.commit()
            done = "submitted" if action == "submit" else "saved"
            return RedirectResponse(f"/party/{election}/{entity}?done={done}", status_code=303)
    return _render_positions(
        request, session, party, positions, errors=errors, notice=notice, status_code=status
    )
