"""The side-by-side translation page: every text of a draft in two languages, editable.

The texts and their order are vaa.draft_texts'; saving goes through
vaa.draft_edits.update_translations.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.pages.admin_content.core import DraftDep, EditorDep, base_url, page, redirect
from api.pages.admin_content.forms import MAX_TEXT, FormDep, get, revision_of
from vaa import draft_edits
from vaa.draft_texts import TextRef, completeness, texts
from vaa.drafts import StaleDraft

router = APIRouter(prefix="/admin/elections")


def field_name(ref: TextRef, language: str) -> str:
    """The translation form's field of a text in a language: t/<key>/<language>."""
    return f"t/{ref.key}/{language}"


@router.get("/{election}/translate", response_class=HTMLResponse)
def read_translations(
    request: Request,
    opened: DraftDep,
    a: str | None = None,
    b: str | None = None,
    only: str | None = None,
) -> HTMLResponse:
    """Every text in two languages side by side (?a=&b=), editable; ?only=missing filters."""
    draft = opened.model()
    langs = draft.languages
    first = a if a in langs else langs[0]
    second = b if b in langs else next((c for c in langs if c != first), first)
    rows = [
        ref
        for ref in texts(draft)
        if only != "missing"
        or (
            (ref.required or ref.text is not None)
            and any(not (ref.text or {}).get(c, "").strip() for c in (first, second))
        )
    ]
    return page(
        request,
        "translate.html",
        opened=opened,
        rows=rows,
        a=first,
        b=second,
        only=only == "missing",
        field_name=field_name,
        completeness=completeness(draft),
        max_text=MAX_TEXT,
    )


@router.post("/{election}/translate")
def update_translations(
    request: Request, opened: DraftDep, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Save the texts of the two languages that the form holds (other languages are kept)."""
    revision = revision_of(form)
    pair = [c for c in (get(form, "a"), get(form, "b")) if c in opened.languages]
    values = {
        (ref.key, language): get(form, name)[:MAX_TEXT]
        for ref in texts(opened.model())
        for language in dict.fromkeys(pair)
        if (name := field_name(ref, language)) in form
    }
    query = f"a={pair[0]}&b={pair[-1]}" if pair else ""
    if get(form, "only") == "missing":
        query += "&only=missing"
    url = f"{base_url(opened.slug)}/translate?{query}"
    try:
        stored = draft_edits.update_translations(
            session, user, slug=opened.slug, revision=revision, values=values
        )
    except StaleDraft:
        session.rollback()
        return redirect(f"{url}&done=stale")
    if stored is None:
        return redirect(f"{url}&done=unchanged")
    session.commit()
    return redirect(f"{url}&done=saved")
