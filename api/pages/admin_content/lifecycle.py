"""An election's life after publishing: hide, archive, unpublish, list again; delete (admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import require_role
from api.deps import SessionDep
from api.pages.admin_content.core import DraftDep, EditorDep, base_url, redirect
from api.pages.admin_content.forms import FormDep, get
from vaa.models import Account
from vaa.publishing import LifecycleRefused, delete_election, set_visibility

router = APIRouter(prefix="/admin/elections")

AdminDep = Annotated[Account, Depends(require_role("admin"))]


@router.post("/{election}/visibility")
def update_visibility(
    request: Request, opened: DraftDep, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """List, hide, archive or unpublish the election (audited)."""
    try:
        changed = set_visibility(
            session, slug=opened.slug, visibility=get(form, "visibility"), actor=user
        )
    except LifecycleRefused:
        session.rollback()
        return redirect(f"{base_url(opened.slug)}?done=visibility_invalid#visibility")
    session.commit()
    done = "visibility" if changed else "unchanged"
    return redirect(f"{base_url(opened.slug)}?done={done}#visibility")


@router.post("/{election}/delete")
def delete(
    request: Request, opened: DraftDep, session: SessionDep, user: AdminDep, form: FormDep
) -> Response:
    """Delete the election; one that was published needs its name typed to confirm."""
    try:
        delete_election(session, slug=opened.slug, confirm=get(form, "confirm"), actor=user)
    except LifecycleRefused:
        session.rollback()
        return redirect(f"{base_url(opened.slug)}?done=delete_confirm#delete")
    session.commit()
    return redirect("/admin/elections?done=election_deleted")
