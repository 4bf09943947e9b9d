"""Editing a draft's items: themes, axes, statements, places, races, parties and candidates.

The rules live here, not in the pages: what another item still refers to (and so may
not be deleted), what a deletion takes with it, how an item moves, which combinations
of an entity's fields make no sense, and that every save is one transaction with its
audit entry. Pages parse a form into an item, call one function, and render the
result or the typed error (`InUse`, `ItemInvalid`, `StaleDraft`, `NotFound`).
"""

import copy
from collections.abc import Callable
from typing import Any, Literal

from sqlmodel import Session

from vaa import audit
from vaa.drafts import open_draft, save_draft
from vaa.errors import Conflict, Invalid, NotFound
from vaa.models import Account

ItemKind = Literal["themes", "axes", "statements", "constituencies", "races", "entities"]
Item = dict[str, Any]
Data = dict[str, Any]

SINGULAR: dict[str, str] = {
    "themes": "theme",
    "axes": "axis",
    "statements": "statement",
    "constituencies": "constituency",
    "races": "race",
    "entities": "entity",
}


class InUse(Conflict):
    """Another item refers to this one: deleting it would leave that one broken."""

    def __init__(self, kind: str, item: str) -> None:
        super().__init__("draft.in_use", f"{SINGULAR[kind]} {item!r} is still in use", item=item)


class ItemInvalid(Invalid):
    """The item's fields contradict each other; `fields` maps each field to its code."""

    def __init__(self, fields: dict[str, str]) -> None:
        first = next(iter(fields.values()))
        super().__init__(first, "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def items_of(data: Data, kind: str) -> list[Item]:
    """The draft's list of this kind (created empty if the draft has none yet)."""
    if kind == "entities":
        found: list[Item] = data.setdefault("entities", [])
    else:
        found = data["questionnaire"].setdefault(kind, [])
    return found


def index_of(data: Data, kind: str, item_id: str) -> int:
    for i, item in enumerate(items_of(data, kind)):
        if item.get("id") == item_id:
            return i
    raise NotFound("draft.item", f"no {SINGULAR[kind]} {item_id!r} in this draft", item=item_id)


def in_use(data: Data, kind: str, item_id: str) -> bool:
    """Whether other items refer to this one."""
    q = data["questionnaire"]
    entities = data.get("entities", [])
    if kind == "themes":
        return any(s.get("theme") == item_id for s in q.get("statements", []))
    if kind == "entities":
        return any(
            e.get("party") == item_id
            or e.get("positions_from") == item_id
            or item_id in (e.get("backing") or [])
            for e in entities
        )
    if kind == "constituencies":
        return (
            any(c.get("within") == item_id for c in q.get("constituencies", []))
            or any(r.get("constituency") == item_id for r in q.get("races", []))
            or any(e.get("constituency") == item_id for e in entities)
        )
    if kind == "races":
        return any(item_id in (e.get("races") or []) for e in entities)
    return False


def entity_problems(item: Item) -> dict[str, str]:
    """Fields of a party or candidate that contradict each other: field -> code."""
    problems: dict[str, str] = {}
    party = item.get("kind") == "party"
    if party and item.get("party"):
        problems["party"] = "entity.party_of_party"
    if party and item.get("backing"):
        problems["backing"] = "entity.backing_of_party"
    if item.get("party") and item.get("party") in (item.get("backing") or []):
        problems["backing"] = "entity.backing_repeats_party"
    if item.get("positions_from") and item.get("positions"):
        problems["positions_from"] = "entity.positions_and_positions_from"
    return problems


def save_change(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    change: Callable[[Data], tuple[Any, Any]],
    action: str,
    target: str,
) -> int:
    """Apply `change` to a copy of the draft opened at `revision` and store it with its
    audit entry (the caller commits both at once); the new revision.

    `change` edits the data in place and returns what the audit entry shows as before
    and after.

    StaleDraft, with nothing stored, when someone saved the draft since that revision.
    """
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise NotFound("election", f"no election {slug!r}")
    data = copy.deepcopy(opened.data)
    before, after = change(data)
    new_revision = save_draft(session, slug=slug, data=data, revision=revision)
    audit.record(session, actor, action, target, before=before, after=after)
    return new_revision


def _save(
    session: Session,
    actor: Account | str,
    slug: str,
    kind: str,
    revision: int,
    change: Callable[[Data], tuple[Any, Any]],
    verb: str,
    target: str,
) -> int:
    """save_change with the audit action and target every item change uses."""
    single = SINGULAR[kind]
    return save_change(
        session,
        actor,
        slug=slug,
        revision=revision,
        change=change,
        action=f"draft.{single}.{verb}",
        target=f"{slug}/{kind}" if verb == "move" else f"{slug}/{single}/{target}",
    )


def _checked(kind: str, item: Item) -> Item:
    if kind == "entities":
        problems = entity_problems(item)
        if problems:
            raise ItemInvalid(problems)
        item.setdefault("positions", {})
    return item


def add_item(
    session: Session, actor: Account | str, *, slug: str, kind: str, item: Item, revision: int
) -> int:
    """Append a new item; Conflict if its id is taken."""
    item = _checked(kind, dict(item))

    def change(data: Data) -> tuple[None, Item]:
        items = items_of(data, kind)
        if any(i.get("id") == item["id"] for i in items):
            raise Conflict(
                "draft.id_taken", f"the id {item['id']!r} is already used", id=item["id"]
            )
        items.append(item)
        return None, item

    return _save(session, actor, slug, kind, revision, change, "add", item["id"])


def replace_item(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    kind: str,
    item_id: str,
    item: Item,
    revision: int,
) -> int:
    """Replace an item by its edited version (its id never changes)."""
    item = _checked(kind, dict(item, id=item_id))

    def change(data: Data) -> tuple[Item, Item]:
        items = items_of(data, kind)
        index = index_of(data, kind, item_id)
        before, items[index] = items[index], item
        return before, item

    return _save(session, actor, slug, kind, revision, change, "edit", item_id)


def delete_item(
    session: Session, actor: Account | str, *, slug: str, kind: str, item_id: str, revision: int
) -> int:
    """Delete an item and what only it used (an axis's loadings, a statement's positions).

    InUse when another item refers to it.
    """

    def change(data: Data) -> tuple[Item, None]:
        index = index_of(data, kind, item_id)
        if in_use(data, kind, item_id):
            raise InUse(kind, item_id)
        before = items_of(data, kind).pop(index)
        if kind == "axes":
            for s in data["questionnaire"].get("statements", []):
                (s.get("axes") or {}).pop(item_id, None)
        if kind == "statements":
            for e in data.get("entities", []):
                (e.get("positions") or {}).pop(item_id, None)
        return before, None

    return _save(session, actor, slug, kind, revision, change, "delete", item_id)


def move_item(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    kind: str,
    item_id: str,
    direction: str,
    revision: int,
) -> int | None:
    """Move an item one place up or down; None (nothing stored) when it cannot go there."""
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise NotFound("election", f"no election {slug!r}")
    index = index_of(opened.data, kind, item_id)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    order = [i["id"] for i in items_of(opened.data, kind)]
    if not 0 <= other < len(order):
        return None
    moved = list(order)
    moved[index], moved[other] = moved[other], moved[index]

    def change(data: Data) -> tuple[list[str], list[str]]:
        items = items_of(data, kind)
        items[index], items[other] = items[other], items[index]
        return order, moved

    return _save(session, actor, slug, kind, revision, change, "move", kind)
