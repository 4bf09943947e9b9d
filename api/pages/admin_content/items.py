"""Themes, axes, statements and entities: add, edit, delete and reorder, one form each.

Every kind has the same four routes under /admin/elections/{election}/{kind}: new (GET
form, POST to the list URL), edit (GET and POST /{id}), delete and move (POST). Ids
are fixed once created: other data (statements' themes, loadings, positions) refers to
them, and published versions keep them stable.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.i18n import translations
from api.pages.admin import admin_language
from api.pages.admin_content.core import (
    DraftDep,
    Edit,
    EditDep,
    base_url,
    form_page,
    item_in,
    languages,
    redirect,
    title_in,
)
from api.pages.admin_content.forms import (
    COLOR,
    N_,
    Errors,
    FormDep,
    Message,
    check_slug,
    form_values,
    get,
    text_field,
    text_values,
)
from vaa.draft_items import (
    InUse,
    add_item,
    delete_item,
    entity_problems,
    items_of,
    move_item,
    replace_item,
)
from vaa.drafts import OpenDraft, StaleDraft
from vaa.rules import is_url

router = APIRouter()

FieldKind = Literal[
    "id", "text", "textarea", "select", "checks", "loadings", "url", "color", "line", "checkbox"
]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind
    required: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class Kind:
    """One kind of item: where its list lives in the draft and which fields it has."""

    name: str  # themes, axes, statements, entities (the URL part)
    singular: str  # theme, axis, statement, entity (audit actions)
    title_new: str
    title_edit: str
    fields: tuple[Field, ...]
    back: str  # the page listing this kind: questionnaire, races or entities

    def items(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        return items_of(data, self.name)


ID = Field(
    "id",
    N_("Id"),
    "id",
    True,
    N_("Lower-case Latin letters, digits and hyphens; it cannot be changed later."),
)
KINDS = {
    k.name: k
    for k in (
        Kind(
            "themes",
            "theme",
            N_("New theme"),
            N_("Edit theme"),
            (ID, Field("label", N_("Name"), "text", True)),
            "questionnaire",
        ),
        Kind(
            "axes",
            "axis",
            N_("New axis"),
            N_("Edit axis"),
            (
                ID,
                Field("label", N_("Name"), "text", True),
                Field("low", N_("Low end (−1)"), "text", True),
                Field("high", N_("High end (+1)"), "text", True),
            ),
            "questionnaire",
        ),
        Kind(
            "statements",
            "statement",
            N_("New statement"),
            N_("Edit statement"),
            (
                ID,
                Field("theme", N_("Theme"), "select", True),
                Field("text", N_("Statement"), "textarea", True),
                Field("info", N_("Background information (optional)"), "textarea"),
                Field(
                    "axes",
                    N_("Loadings"),
                    "loadings",
                    hint=N_(
                        "Where agreeing moves a voter on each axis, from −1 to 1; leave empty for none."
                    ),
                ),
            ),
            "questionnaire",
        ),
        Kind(
            "constituencies",
            "constituency",
            N_("New place"),
            N_("Edit place"),
            (
                ID,
                Field("name", N_("Name"), "text", True),
                Field(
                    "within",
                    N_("Lies within (optional)"),
                    "select",
                    hint=N_("For a district: the municipality it belongs to."),
                ),
            ),
            "races",
        ),
        Kind(
            "races",
            "race",
            N_("New race"),
            N_("Edit race"),
            (
                ID,
                Field("title", N_("Title"), "text", True, N_("For example: Mayor")),
                Field(
                    "constituency",
                    N_("Voted in"),
                    "select",
                    True,
                    N_("Every voter in this place, or in a place within it, votes in the race."),
                ),
            ),
            "races",
        ),
        Kind(
            "entities",
            "entity",
            N_("New party or candidate"),
            N_("Edit party or candidate"),
            (
                ID,
                Field("kind", N_("Kind"), "select", True),
                Field("name", N_("Name"), "text", True),
                Field("short", N_("Short name (optional)"), "text"),
                Field("description", N_("Description (optional)"), "textarea"),
                Field("color", N_("Colour (optional)"), "color", hint=N_("For example: #2e7d32")),
                Field("url", N_("Website (optional)"), "url"),
                Field("party", N_("Party (for a candidate)"), "select"),
                Field("races", N_("Stands in"), "checks"),
                Field(
                    "backing",
                    N_("Also backed by (a joint candidate)"),
                    "checks",
                    hint=N_(
                        "Other parties supporting the candidate, besides the nominating party."
                    ),
                ),
                Field(
                    "positions_from",
                    N_("Uses the positions of (optional)"),
                    "select",
                    hint=N_(
                        "For a candidate who stands on a party's answers: voters are told so, "
                        "and the candidate has no positions of their own."
                    ),
                ),
                Field("constituency", N_("Constituency (optional)"), "line"),
                Field("fictional", N_("Invented for a demonstration"), "checkbox"),
            ),
            "entities",
        ),
    )
}


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise HTTPException(404, "no such kind of item")
    return KINDS[name]


def options(
    kind: Kind, data: dict[str, Any], lang: str, item_id: str | None
) -> dict[str, list[tuple[str, str]]]:
    """The choices of the kind's select fields."""
    if kind.name == "statements":
        return {
            "theme": [
                (t["id"], f"{title_in(t.get('label'), lang, t['id'])} ({t['id']})")
                for t in data["questionnaire"].get("themes", [])
            ]
        }
    q = data["questionnaire"]
    places = [
        (c["id"], f"{title_in(c.get('name'), lang, c['id'])} ({c['id']})")
        for c in q.get("constituencies", [])
    ]
    if kind.name == "constituencies":
        return {"within": [p for p in places if p[0] != item_id]}
    if kind.name == "races":
        return {"constituency": places}
    if kind.name == "entities":
        parties = [
            (e["id"], title_in(e.get("name"), lang, e["id"]))
            for e in data.get("entities", [])
            if e.get("kind") == "party" and e["id"] != item_id
        ]
        choices = {
            "kind": [("party", N_("Party")), ("candidate", N_("Candidate"))],
            "party": parties,
            "backing": parties,
            "positions_from": [
                (e["id"], title_in(e.get("name"), lang, e["id"]))
                for e in data.get("entities", [])
                if e["id"] != item_id and not e.get("positions_from")
            ],
        }
        if q.get("races"):
            choices["races"] = [
                (r["id"], f"{title_in(r.get('title'), lang, r['id'])} ({r['id']})")
                for r in q["races"]
            ]
        if places:
            choices["constituency"] = places
        return choices
    return {}


def values_of(kind: Kind, item: dict[str, Any], langs: list[str]) -> dict[str, str]:
    """Form values of an existing item."""
    values: dict[str, str] = {}
    for f in kind.fields:
        if f.kind in ("text", "textarea"):
            values.update(text_values(f.name, item.get(f.name), langs))
        elif f.kind == "loadings":
            for axis, value in (item.get("axes") or {}).items():
                values[f"axis_{axis}"] = _number(value)
        elif f.kind == "checkbox":
            values[f.name] = "1" if item.get(f.name) else ""
        elif f.kind == "checks":
            values[f.name] = " ".join(item.get(f.name) or [])
        else:
            value = item.get(f.name)
            values[f.name] = "" if value is None else str(value)
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def from_form(
    kind: Kind, form: FormData, data: dict[str, Any], existing: dict[str, Any] | None
) -> tuple[dict[str, Any], Errors]:
    """The item the form describes (built on the existing one), and what is wrong with it."""
    langs = languages(data)
    errors: Errors = {}
    item: dict[str, Any] = dict(existing) if existing else {}
    q = data["questionnaire"]
    for f in kind.fields:
        if f.kind == "id":
            if existing is None:
                value = get(form, "id")
                check_slug(value, (i["id"] for i in kind.items(data)), errors)
                item["id"] = value
        elif f.kind in ("text", "textarea"):
            text = text_field(form, f.name, langs, errors)
            if text:
                item[f.name] = text
            elif f.required:
                item[f.name] = {}
                errors[f"{f.name}_{langs[0]}"] = Message(
                    N_("Enter this text in at least one language.")
                )
            else:
                item.pop(f.name, None)
        elif f.kind == "select":
            value = get(form, f.name)
            choices = [v for v, _ in options(kind, data, "en", item.get("id"))[f.name]]
            if not value and not f.required:
                item.pop(f.name, None)
            elif value not in choices:
                errors[f.name] = (
                    Message(N_("Choose one of the options."))
                    if not value
                    else Message(N_("%(value)s is not one of the options."), {"value": value})
                )
            else:
                item[f.name] = value
        elif f.kind == "checks":
            chosen = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
            allowed = [v for v, _ in options(kind, data, "en", item.get("id")).get(f.name, [])]
            unknown = [v for v in chosen if v not in allowed]
            if unknown:
                errors[f.name] = Message(
                    N_("%(value)s is not one of the options."), {"value": unknown[0]}
                )
            elif chosen:
                item[f.name] = [v for v in allowed if v in chosen]  # in the listed order
            else:
                item.pop(f.name, None)
        elif f.kind == "loadings":
            loadings: dict[str, float] = {}
            for axis in q.get("axes", []):
                name = f"axis_{axis['id']}"
                raw = get(form, name).replace(",", ".").replace("−", "-")
                if not raw:
                    continue
                try:
                    number = float(raw)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number) or not -1 <= number <= 1:
                    errors[name] = Message(N_("Enter a number from −1 to 1."))
                elif number != 0:
                    loadings[axis["id"]] = number
            item["axes"] = loadings
        elif f.kind in ("url", "color", "line"):
            value = get(form, f.name)
            if not value:
                item.pop(f.name, None)
                continue
            places = options(kind, data, "en", item.get("id")).get(f.name)
            if f.kind == "line" and places is not None and value not in dict(places):
                errors[f.name] = Message(N_("Choose one of the options."))
            if f.kind == "url" and not is_url(value):
                errors[f.name] = Message(
                    N_("Enter a web address starting with https:// or http://.")
                )
            elif f.kind == "color" and not COLOR.match(value):
                errors[f.name] = Message(
                    N_("Enter a colour as # and six hexadecimal digits, for example #2e7d32.")
                )
            elif len(value) > 200 and f.kind == "line":
                errors[f.name] = Message(
                    N_("This text is too long (at most %(n)s characters)."), {"n": 200}
                )
            item[f.name] = value
        elif f.kind == "checkbox":
            item[f.name] = bool(get(form, f.name))
    if kind.name == "entities":
        for name, code in entity_problems(item).items():
            errors[name] = Message(ENTITY_PROBLEMS[code])
    return item, errors


# The messages of vaa.draft_items.entity_problems' codes.
ENTITY_PROBLEMS = {
    "entity.party_of_party": N_("Only a candidate can belong to a party."),
    "entity.backing_of_party": N_("Only a candidate can be backed by parties."),
    "entity.backing_repeats_party": N_("The nominating party is already the candidate's party."),
    "entity.positions_and_positions_from": N_(
        "This entity has positions of its own: delete them first, or keep them."
    ),
}


def item_page(
    request: Request,
    opened: OpenDraft,
    kind: Kind,
    *,
    item_id: str | None,
    values: dict[str, str],
    **form: Any,
) -> HTMLResponse:
    slug = opened.election.slug
    lang = admin_language(request)
    gettext = translations(lang).gettext
    return form_page(
        request,
        "item.html",
        opened=opened,
        kind=kind,
        item_id=item_id,
        values=values,
        options={
            name: [(value, gettext(text) if name == "kind" else text) for value, text in choices]
            for name, choices in options(kind, opened.data, lang, item_id).items()
        },
        axes=opened.data["questionnaire"].get("axes", []),
        action=f"{base_url(slug)}/{kind.name}" + (f"/{item_id}" if item_id else ""),
        back=f"{base_url(slug)}/{kind.back}",
        **form,
    )


def _store(
    request: Request, edit: Edit, kind: Kind, form: FormData, item_id: str | None
) -> Response:
    """Save a new (item_id None) or edited item; the form again on errors or a conflict."""
    opened, revision = edit.opened, edit.revision
    existing = None
    if item_id is not None:
        existing = item_in(opened, kind.name, item_id)
    item, errors = from_form(kind, form, opened.data, existing)
    values = form_values(form)
    if errors:
        return item_page(
            request, opened, kind, item_id=item_id, values=values, errors=errors, revision=revision
        )
    change = (
        partial(add_item, kind=kind.name, item=item)
        if item_id is None
        else partial(replace_item, kind=kind.name, item_id=item_id, item=item)
    )
    shown = item_id if item_id is not None else item["id"]
    done = "added" if item_id is None else "saved"
    return edit.save(
        change,
        again=lambda fresh: item_page(
            request, fresh, kind, item_id=item_id, values=values, stale=True
        ),
        done=f"{base_url(opened.slug)}/{kind.back}?done={done}#{kind.singular}-{shown}",
    )


def _kind_of_route(request: Request) -> Kind:
    """The kind of item a route serves: the part of its path after the election."""
    parts = request.url.path.split("/")  # .../admin/elections/{election}/{kind}/...
    return KINDS[parts[parts.index("elections") + 2]]


KindDep = Annotated[Kind, Depends(_kind_of_route)]


def read_new(request: Request, opened: DraftDep, kind: KindDep) -> HTMLResponse:
    """Show the form for a new item."""
    values = {"kind": "party"} if kind.name == "entities" else {}
    return item_page(request, opened, kind, item_id=None, values=values)


def create_item(request: Request, edit: EditDep, kind: KindDep, form: FormDep) -> Response:
    """Add an item."""
    return _store(request, edit, kind, form, None)


def read_item(request: Request, opened: DraftDep, item: str, kind: KindDep) -> HTMLResponse:
    """Show the form of one item."""
    values = values_of(kind, item_in(opened, kind.name, item), languages(opened.data))
    return item_page(request, opened, kind, item_id=item, values=values)


def update_item(
    request: Request, edit: EditDep, item: str, kind: KindDep, form: FormDep
) -> Response:
    """Save one item."""
    return _store(request, edit, kind, form, item)


def _list_change(
    edit: Edit, kind: Kind, item: str, change: Callable[..., int | None], done: str
) -> Response:
    """Delete or move an item from its list page (`change`: vaa.draft_items' delete_item or
    move_item), and go back there saying how it went."""
    slug = edit.opened.slug
    item_in(edit.opened, kind.name, item)  # 404 for an unknown item
    back = f"{base_url(slug)}/{kind.back}"
    anchor = f"#{kind.singular}-{item}" if done == "moved" else ""
    try:
        stored = change(
            edit.session, edit.user, slug=slug, kind=kind.name, item_id=item, revision=edit.revision
        )
    except InUse:
        edit.session.rollback()
        return redirect(f"{back}?done=in_use&item={item}")
    except StaleDraft:
        edit.session.rollback()
        return redirect(f"{back}?done=stale")
    if stored is None:  # a move past either end
        return redirect(f"{back}{anchor}")
    edit.session.commit()
    return redirect(f"{back}?done={done}{anchor}")


def delete_item_page(item: str, kind: KindDep, edit: EditDep) -> Response:
    """Delete one item (and what only it used)."""
    return _list_change(edit, kind, item, delete_item, "deleted")


def move_item_page(item: str, kind: KindDep, edit: EditDep, form: FormDep) -> Response:
    """Move one item up or down (direction=up|down)."""
    move = partial(move_item, direction=get(form, "direction"))
    return _list_change(edit, kind, item, move, "moved")


_ROUTES = (
    ("/new", read_new, "GET", "new"),
    ("", create_item, "POST", "create"),
    ("/{item}", read_item, "GET", "read"),
    ("/{item}", update_item, "POST", "update"),
    ("/{item}/delete", delete_item_page, "POST", "delete"),
    ("/{item}/move", move_item_page, "POST", "move"),
)
for _kind in KINDS.values():
    for _path, _endpoint, _method, _name in _ROUTES:
        router.add_api_route(
            f"/admin/elections/{{election}}/{_kind.name}{_path}",
            _endpoint,
            methods=[_method],
            response_class=HTMLResponse,
            name=f"{_name}_{_kind.singular}",
        )
