"""What every content page shares: the guard, the draft, forms, saving with the audit log.

A draft is plain content data (vaa.publish.content_data's shape). Pages read it, change
a copy and save it with the revision the form was opened at: a save that comes after
someone else's answers StaleDraft and is shown as a conflict, never written over.
"""

import copy
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from api.auth import require_role
from api.i18n import language_name
from api.pages.admin import render_admin
from api.pages.admin_content.labels import describe_field
from vaa import audit
from vaa.content import ElectionContent, Entity, Questionnaire
from vaa.drafts import OpenDraft, StaleDraft, open_draft, save_draft
from vaa.models import Account
from vaa.rules import SLUG, text_in

editor_guard = require_role("editor")  # admins always pass too
EditorDep = Annotated[Account, Depends(editor_guard)]

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TEXT = 5000


def N_(message: str) -> str:
    """Mark a message for translation; the template translates it."""
    return message


@dataclass(frozen=True)
class Message:
    """A translatable message (msgid) with its %(name)s values, for a template."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)


Errors = dict[str, Message]
"""Form errors by field name."""


async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The request's form (Starlette caches it; the CSRF check has read it already).

    Uploaded files are closed once the response is sent.
    """
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(read_form)]


def get(form: FormData, name: str) -> str:
    """A text field, stripped; '' when absent or a file."""
    value = form.get(name)
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else ""


def form_values(form: FormData) -> dict[str, str]:
    """The form's text fields as sent, to fill the form again."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def load(session: Session, slug: str) -> OpenDraft:
    """The election's draft, or 404."""
    if not SLUG.match(slug):
        raise HTTPException(404, "no such election")
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise HTTPException(404, "no such election")
    session.commit()  # open_draft may have started the draft from the published version
    return opened


def languages(data: dict[str, Any]) -> list[str]:
    return list(data["questionnaire"].get("languages") or [])


def revision_of(form: FormData) -> int:
    try:
        return int(get(form, "revision"))
    except ValueError:
        raise HTTPException(400, "the form has no valid revision: reload the page") from None


def saved(
    session: Session,
    user: Account,
    *,
    slug: str,
    data: dict[str, Any],
    revision: int,
    action: str,
    target: str,
    before: Any,
    after: Any,
) -> bool:
    """Store the draft and its audit entry in one transaction.

    False, with nothing stored, when someone else saved the draft since this revision.
    """
    try:
        save_draft(session, slug=slug, data=data, revision=revision)
    except StaleDraft:
        session.rollback()
        return False
    audit.record(session, user, action, target, before=before, after=after)
    session.commit()
    return True


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def base_url(slug: str) -> str:
    return f"/admin/elections/{slug}"


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


# -- texts per language -------------------------------------------------------------------


def text_field(form: FormData, prefix: str, langs: Iterable[str], errors: Errors) -> dict[str, str]:
    """{language: text} from the fields prefix_<lang>; empty languages are left out."""
    text = {}
    for lang in langs:
        value = get(form, f"{prefix}_{lang}")
        if len(value) > MAX_TEXT:
            errors[f"{prefix}_{lang}"] = Message(
                N_("This text is too long (at most %(n)s characters)."), {"n": MAX_TEXT}
            )
        elif value:
            text[lang] = value
    return text


def text_values(prefix: str, text: dict[str, str] | None, langs: Iterable[str]) -> dict[str, str]:
    """Form values prefix_<lang> for a text."""
    return {f"{prefix}_{lang}": (text or {}).get(lang, "") for lang in langs}


def check_slug(value: str, taken: Iterable[str], errors: Errors, name: str = "id") -> None:
    if not value:
        errors[name] = Message(N_("Enter an id."))
    elif not SLUG.match(value):
        errors[name] = Message(
            N_(
                "Use only lower-case Latin letters, digits and hyphens (for example: public-transport)."
            )
        )
    elif value == "new":
        errors[name] = Message(N_("The id “new” is reserved: please choose another."))
    elif value in set(taken):
        errors[name] = Message(N_("The id %(id)s is already used here."), {"id": value})


# -- content views of a draft ------------------------------------------------------------

_DUMMY_THEME = {"id": "x", "label": {}}
_DUMMY_STATEMENT = {"id": "x", "theme": "x", "text": {}}


def lenient_content(data: dict[str, Any]) -> ElectionContent | None:
    """The draft as content even while it has no theme or statement yet (None if malformed).

    Only the shape is checked, not the references or languages (publishing checks those):
    diagnostics, translation counts and spreadsheets work on a draft in progress.
    """
    try:
        return ElectionContent.model_validate_json(json.dumps(data))
    except ValidationError:
        pass
    q = dict(data.get("questionnaire") or {})
    empty = [k for k in ("themes", "statements") if not q.get(k)]
    if not empty:
        return None
    if "themes" in empty:
        q["themes"] = [_DUMMY_THEME]
    if "statements" in empty:
        q["statements"] = [_DUMMY_STATEMENT]
    try:
        questionnaire = Questionnaire.model_validate_json(json.dumps(q))
        entities = [Entity.model_validate_json(json.dumps(e)) for e in data.get("entities") or []]
    except ValidationError:
        return None
    questionnaire = questionnaire.model_copy(update={k: [] for k in empty})
    return ElectionContent.model_construct(questionnaire=questionnaire, entities=entities)


# -- lists of items --------------------------------------------------------------------


def find(items: list[dict[str, Any]], item_id: str) -> int:
    """The index of the item with this id, or 404."""
    for i, item in enumerate(items):
        if item.get("id") == item_id:
            return i
    raise HTTPException(404, "no such item in this election")


def move(items: list[dict[str, Any]], index: int, direction: str) -> bool:
    """Move an item one place up or down; False if it cannot go there."""
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    return True


def changed_copy(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    new = copy.deepcopy(data)
    change(new)
    return new
