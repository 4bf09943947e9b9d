"""Every human text of a draft, and the side-by-side translation page.

The texts are listed in the order vaa.diagnostics lists them: the election's, the
scale's, themes', axes', statements', entities' and the positions' justifications.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.pages.admin_content.core import (
    MAX_TEXT,
    EditorDep,
    FormDep,
    base_url,
    get,
    languages,
    lenient_content,
    load,
    page,
    redirect,
    revision_of,
    saved,
)
from vaa.diagnostics import translation_completeness

router = APIRouter(prefix="/admin/elections")


@dataclass(frozen=True)
class TextRef:
    """Where one text lives in the draft data, and what it is."""

    key: str
    group: str
    owner: str
    field: str
    container: dict[str, Any]
    required: bool
    multiline: bool
    edit: str
    """The edit page, relative to the election's admin URL."""
    statement: str | None = None

    @property
    def text(self) -> dict[str, str] | None:
        value = self.container.get(self.field)
        return value if isinstance(value, dict) else None

    def set(self, language: str, value: str) -> None:
        text = dict(self.text or {})
        if value:
            text[language] = value
        else:
            text.pop(language, None)
        if text or self.required:
            self.container[self.field] = text
        else:
            self.container.pop(self.field, None)


def texts(data: dict[str, Any]) -> Iterator[TextRef]:
    """Every text of the draft (present or not), in a fixed order."""
    q = data["questionnaire"]
    for name, required, multiline in (
        ("title", True, False),
        ("description", False, True),
        ("publisher", False, False),
    ):
        yield TextRef(name, "election", "", name, q, required, multiline, "/settings")
    for option in q.get("scale", []):
        yield TextRef(
            f"scale/{option['id']}/label",
            "scale",
            option["id"],
            "label",
            option,
            True,
            False,
            "/questionnaire#scale",
        )
    for theme in q.get("themes", []):
        yield TextRef(
            f"theme/{theme['id']}/label",
            "theme",
            theme["id"],
            "label",
            theme,
            True,
            False,
            f"/themes/{theme['id']}",
        )
    for axis in q.get("axes", []):
        for part in ("label", "low", "high"):
            yield TextRef(
                f"axis/{axis['id']}/{part}",
                "axis",
                axis["id"],
                part,
                axis,
                True,
                False,
                f"/axes/{axis['id']}",
            )
    for statement in q.get("statements", []):
        for part, required in (("text", True), ("info", False)):
            yield TextRef(
                f"statement/{statement['id']}/{part}",
                "statement",
                statement["id"],
                part,
                statement,
                required,
                True,
                f"/statements/{statement['id']}",
            )
    for group, field, items in (
        ("constituency", "name", q.get("constituencies", [])),
        ("race", "title", q.get("races", [])),
    ):
        for item in items:
            yield TextRef(
                f"{group}/{item['id']}/{field}",
                group,
                item["id"],
                field,
                item,
                True,
                False,
                f"/{'constituencies' if group == 'constituency' else 'races'}/{item['id']}",
            )
    for entity in data.get("entities", []):
        for part, required, multiline in (
            ("name", True, False),
            ("short", False, False),
            ("description", False, True),
        ):
            yield TextRef(
                f"entity/{entity['id']}/{part}",
                "entity",
                entity["id"],
                part,
                entity,
                required,
                multiline,
                f"/entities/{entity['id']}",
            )
        for sid, position in (entity.get("positions") or {}).items():
            yield TextRef(
                f"position/{entity['id']}/{sid}/justification",
                "position",
                entity["id"],
                "justification",
                position,
                False,
                True,
                f"/entities/{entity['id']}/positions#pos-{sid}",
                statement=sid,
            )


def strip_languages(data: dict[str, Any], removed: list[str]) -> None:
    """Remove these languages from every text of the draft."""
    for ref in list(texts(data)):
        for language in removed:
            if ref.text and language in ref.text:
                ref.set(language, "")


def completeness(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per language of the election: texts present and total (vaa.diagnostics' count)."""
    content = lenient_content(data)
    if content is not None:
        return [
            {"language": c.language, "present": c.present, "total": c.total, "share": c.share}
            for c in translation_completeness(content)
        ]
    given = [ref.text for ref in texts(data) if ref.text is not None]
    result = []
    for language in languages(data):
        present = sum(1 for t in given if t.get(language, "").strip())
        total = len(given)
        result.append(
            {
                "language": language,
                "present": present,
                "total": total,
                "share": present / total if total else 1.0,
            }
        )
    return result


def field_name(ref: TextRef, language: str) -> str:
    """The translation form's field of a text in a language: t/<key>/<language>."""
    return f"t/{ref.key}/{language}"


@router.get("/{election}/translate", response_class=HTMLResponse)
def read_translations(
    request: Request,
    election: str,
    session: SessionDep,
    user: EditorDep,
    a: str | None = None,
    b: str | None = None,
    only: str | None = None,
) -> HTMLResponse:
    """Every text in two languages side by side (?a=&b=), editable; ?only=missing filters."""
    opened = load(session, election)
    langs = languages(opened.data)
    first = a if a in langs else langs[0]
    second = b if b in langs else next((c for c in langs if c != first), first)
    rows = [
        ref
        for ref in texts(opened.data)
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
        completeness=completeness(opened.data),
        max_text=MAX_TEXT,
    )


@router.post("/{election}/translate")
def update_translations(
    request: Request, election: str, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Save the texts of the two languages that the form holds (other languages are kept)."""
    opened = load(session, election)
    revision = revision_of(form)
    langs = languages(opened.data)
    pair = [c for c in (get(form, "a"), get(form, "b")) if c in langs]
    data = opened.data
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for ref in list(texts(data)):
        for language in dict.fromkeys(pair):
            name = field_name(ref, language)
            if name not in form:
                continue
            value = get(form, name)[:MAX_TEXT]
            old = (ref.text or {}).get(language, "")
            if value != old:
                before.setdefault(ref.key, {})[language] = old or None
                after.setdefault(ref.key, {})[language] = value or None
                ref.set(language, value)
    query = f"a={pair[0]}&b={pair[-1]}" if pair else ""
    if get(form, "only") == "missing":
        query += "&only=missing"
    url = f"{base_url(election)}/translate?{query}"
    if not after:
        return redirect(f"{url}&done=unchanged")
    if not saved(
        session,
        user,
        slug=election,
        data=data,
        revision=revision,
        action="draft.translations.edit",
        target=f"{election}/translations",
        before=before,
        after=after,
    ):
        return redirect(f"{url}&done=stale")
    return redirect(f"{url}&done=saved")
