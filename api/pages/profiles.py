"""Voter pages: a profile for every party and candidate (who they are, every answer with
its reasons and source), at /{lang}/{election}/entities/{entity}; works without JavaScript."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.deps import SessionDep
from api.errors import message_of
from api.pages.render import LanguageDep, VoterElectionDep, render
from api.views.form import read_form
from api.views.profile import directory, profile_view
from api.views.result import carried_state
from vaa.publish import justification_slice
from vaa.store import bundle_bytes, published_ref

router = APIRouter(include_in_schema=False)

EntityPath = Annotated[str, Path(max_length=200)]


@router.get("/{lang}/{election}/entities/{entity}", response_class=HTMLResponse)
def read_profile(
    request: Request,
    lang: LanguageDep,
    election: VoterElectionDep,
    entity: EntityPath,
    session: SessionDep,
) -> HTMLResponse:
    """Show a party's or candidate's profile: who they are, every answer with its reasons."""
    return _profile_page(request, lang, election, entity, session, state=None)


@router.post("/{lang}/{election}/entities/{entity}", response_class=HTMLResponse)
async def create_profile_page(
    request: Request,
    lang: LanguageDep,
    election: VoterElectionDep,
    entity: EntityPath,
    session: SessionDep,
) -> HTMLResponse:
    """The profile opened from a result without JavaScript: its links carry the answers back."""
    try:
        state = carried_state(election, *read_form(await request.form()))
    except ValueError as exc:  # FormProblem, or pydantic's for an over-long id
        return render(
            request,
            "error.html",
            language=lang,
            languages=election["languages"],
            status_code=400,
            status=400,
            message=message_of(exc, lang),
        )
    return _profile_page(request, lang, election, entity, session, state=state)


def _profile_page(
    request: Request,
    lang: str,
    election: dict[str, Any],
    entity: str,
    session: Session,
    *,
    state: dict[str, Any] | None,
) -> HTMLResponse:
    ref = published_ref(session, slug=election["election"])
    assert ref is not None  # voter_election found it a moment ago
    reasons = json.loads(
        justification_slice(bundle_bytes(session, version_id=ref.version_id), lang)
    )["entities"]
    profile = profile_view(election, reasons, entity, lang=lang)
    slug = election["election"]
    return render(
        request,
        "profile.html",
        language=lang,
        languages=election["languages"],
        status_code=200 if profile else 404,
        election=election,
        profile=profile,
        state=state,
        everyone=directory(election, lang),
        results_url=f"/{lang}/{slug}/results",
        start_url=f"/{lang}/{slug}/",
    )
