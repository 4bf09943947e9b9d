"""What every content page shares: the guard, loading the draft, rendering and redirects.

Pages parse a form, call one domain function (vaa.draft_items, vaa.draft_edits) with the
revision the form was opened at, and render: a save that comes after someone else's
raises StaleDraft and is shown as a conflict, never written over.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.auth import require_role
from api.deps import SessionDep
from api.i18n import language_name
from api.pages.admin import render_admin
from api.pages.admin_content.forms import Errors, FormDep, revision_of
from api.pages.admin_content.labels import describe_field
from vaa.draft_items import ItemInvalid
from vaa.drafts import OpenDraft, StaleDraft, open_draft
from vaa.models import Account
from vaa.rules import SLUG, text_in

editor_guard = require_role("editor")  # admins always pass too
EditorDep = Annotated[Account, Depends(editor_guard)]


def load(session: Session, slug: str) -> OpenDraft:
    """The election's draft, or 404."""
    if not SLUG.match(slug):
        raise HTTPException(404, "no such election")
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise HTTPException(404, "no such election")
    session.commit()  # open_draft may have started the draft from the published version
    return opened


def load_draft(election: str, session: SessionDep) -> OpenDraft:
    """The draft of the election in the path, or 404 (the pages' dependency)."""
    return load(session, election)


DraftDep = Annotated[OpenDraft, Depends(load_draft)]


def languages(data: dict[str, Any]) -> list[str]:
    return list(data["questionnaire"].get("languages") or [])


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def base_url(slug: str) -> str:
    return f"/admin/elections/{slug}"


@dataclass(frozen=True)
class Edit:
    """An editor's change to the draft they opened at `revision` (the form's)."""

    session: Session
    user: Account
    opened: OpenDraft
    revision: int

    def save(
        self,
        change: Callable[..., object],
        *,
        again: Callable[[OpenDraft], Response],
        done: str,
        invalid: Callable[[ItemInvalid], Response] | None = None,
    ) -> Response:
        """Make one domain edit (a vaa.draft_edits or vaa.draft_items function, given all
        but session, actor, slug and revision), commit it and go to `done`. Nothing is
        written when someone else saved first (StaleDraft: the form again, `again`, over
        the draft as it is now) or, given `invalid`, when the domain refuses the fields
        (ItemInvalid: the form again with each field's problem)."""
        try:
            change(self.session, self.user, slug=self.opened.slug, revision=self.revision)
        except StaleDraft:
            self.session.rollback()
            return again(load(self.session, self.opened.slug))
        except ItemInvalid as exc:
            if invalid is None:
                raise
            self.session.rollback()
            return invalid(exc)
        self.session.commit()
        return redirect(done)


def edit_of(opened: DraftDep, session: SessionDep, user: EditorDep, form: FormDep) -> Edit:
    return Edit(session, user, opened, revision_of(form))


EditDep = Annotated[Edit, Depends(edit_of)]


def page(
    request: Request,
    template: str,
    *,
    opened: OpenDraft | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a content page; with a draft, the election's own navigation too."""
    if opened is not None:
        context.setdefault("data", opened.data)
        context.setdefault("revision", opened.revision)
        context.setdefault("slug", opened.election.slug)
        context.setdefault("election_languages", languages(opened.data))
        context.setdefault("base", base_url(opened.election.slug))
    context.setdefault("notice", request.query_params.get("done"))
    context.setdefault("request_item", request.query_params.get("item"))
    return render_admin(
        request,
        f"admin/content/{template}",
        status_code=status_code,
        title_in=title_in,
        language_name=language_name,
        describe_field=describe_field,
        **context,
    )


def form_page(
    request: Request,
    template: str,
    *,
    opened: OpenDraft,
    errors: Errors | None = None,
    stale: bool = False,
    revision: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """A content page with a form: 409 after a conflict, 400 with errors, else 200.

    The form carries the revision it was opened at (the draft's own unless given).
    """
    return page(
        request,
        template,
        opened=opened,
        status_code=409 if stale else 400 if errors else 200,
        errors=errors or {},
        stale=stale,
        revision=revision if revision is not None else opened.revision,
        **context,
    )


def title_in(text: dict[str, str] | None, lang: str, fallback: str = "") -> str:
    """A text in the UI language if it has it, else in its first language."""
    return text_in(text, lang, default=fallback)


def item_in(opened: OpenDraft, kind: str, item_id: str) -> dict[str, Any]:
    """The draft's item of this kind (themes ... entities) with this id, or 404."""
    items = (
        opened.data.get("entities", [])
        if kind == "entities"
        else opened.data["questionnaire"].get(kind, [])
    )
    for item in items:
        if item.get("id") == item_id:
            return dict(item)
    raise HTTPException(404, "no such item in this election")
