"""Editing a draft's items: themes, axes, statements, places, races, parties and candidates.

The rules live here, not in the pages: what another item still refers to (and so may
not be deleted), what a deletion takes with it, how an item moves, which combinations
of an entity's fields make no sense, and that every save is one transaction with its
audit entry. Pages parse a form into an item, call one function, and render the
result or the typed error (`InUse`, `ItemInvalid`, `StaleDraft`, `NotFound`).
"""

from collections.abc import Callable
from typing import Any, Literal

from sqlmodel import Session

from vaa.draft_model import ITEM_MODELS, ElectionDraft
from vaa.drafts import edit_draft, open_draft
from vaa.errors import MESSAGES, Conflict, Invalid, NotFound
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
        english = "; ".join(f"{k}: {MESSAGES.get(v, v)}" for k, v in fields.items())
        super().__init__(first, english)
        self.fields = fields


def items_of(data: Data, kind: str) -> list[Item]:
    """The draft data's list of this kind (created empty if the draft has none yet)."""
    if kind == "entities":
        found: list[Item] = data.setdefault("entities", [])
    else:
        found = data["questionnaire"].setdefault(kind, [])
    return found


def index_of(draft: ElectionDraft, kind: str, item_id: str) -> int:
    for i, item in enumerate(draft.items(kind)):
        if item.id == item_id:
            return i
    raise NotFound("draft.item", f"no {SINGULAR[kind]} {item_id!r} in this draft", item=item_id)


def in_use(draft: ElectionDraft, kind: str, item_id: str) -> bool:
    """Whether other items refer to this one."""
    q = draft.questionnaire
    entities = draft.entities
    if kind == "themes":
        return any(s.theme == item_id for s in q.statements)
    if kind == "entities":
        return any(
            e.party == item_id or e.positions_from == item_id or item_id in e.backing
            for e in entities
        )
    if kind == "constituencies":
        return (
            any(c.within == item_id for c in q.constituencies)
            or any(r.constituency == item_id for r in q.races)
            or any(e.constituency == item_id for e in entities)
        )
    if kind == "races":
        return any(item_id in e.races for e in entities)
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


def _dumped(item: Any) -> Item:
    return dict(item.model_dump(mode="json", exclude_unset=True))


def _save(
    session: Session,
    actor: Account | str,
    slug: str,
    kind: str,
    revision: int,
    change: Callable[[ElectionDraft], tuple[Any, Any]],
    verb: str,
    target: str,
) -> int:
    """edit_draft with the audit action and target every item change uses."""
    single = SINGULAR[kind]
    return edit_draft(
        session,
        actor,
        slug=slug,
        revision=revision,
        change=change,
        action=f"draft.{single}.{verb}",
        target=f"{slug}/{kind}" if verb == "move" else f"{slug}/{single}/{target}",
    )


def _checked(kind: str, item: Item) -> Any:
    """The item as its draft model; ItemInvalid if an entity's fields contradict."""
    if kind == "entities":
        problems = entity_problems(item)
        if problems:
            raise ItemInvalid(problems)
        item.setdefault("positions", {})
    return ITEM_MODELS[kind].model_validate(item)


def add_item(
    session: Session, actor: Account | str, *, slug: str, kind: str, item: Item, revision: int
) -> int:
    """Append a new item; Conflict if its id is taken."""
    new = _checked(kind, dict(item))

    def change(draft: ElectionDraft) -> tuple[None, Item]:
        items = draft.items(kind)
        if any(i.id == new.id for i in items):
            raise Conflict("draft.id_taken", f"the id {new.id!r} is already used", id=new.id)
        items.append(new)
        return None, _dumped(new)

    return _save(session, actor, slug, kind, revision, change, "add", new.id)


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
    new = _checked(kind, dict(item, id=item_id))

    def change(draft: ElectionDraft) -> tuple[Item, Item]:
        items = draft.items(kind)
        index = index_of(draft, kind, item_id)
        before, items[index] = items[index], new
        return _dumped(before), _dumped(new)

    return _save(session, actor, slug, kind, revision, change, "edit", item_id)


def delete_item(
    session: Session, actor: Account | str, *, slug: str, kind: str, item_id: str, revision: int
) -> int:
    """Delete an item and what only it used (an axis's loadings, a statement's positions).

    InUse when another item refers to it.
    """

    def change(draft: ElectionDraft) -> tuple[Item, None]:
        index = index_of(draft, kind, item_id)
        if in_use(draft, kind, item_id):
            raise InUse(kind, item_id)
        before = draft.items(kind).pop(index)
        if kind == "axes":
            for s in draft.questionnaire.statements:
                s.axes.pop(item_id, None)
        if kind == "statements":
            for e in draft.entities:
                e.positions.pop(item_id, None)
        return _dumped(before), None

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
    draft = opened.model()
    index = index_of(draft, kind, item_id)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    order = [i.id for i in draft.items(kind)]
    if not 0 <= other < len(order):
        return None
    moved = list(order)
    moved[index], moved[other] = moved[other], moved[index]

    def change(draft: ElectionDraft) -> tuple[list[str], list[str]]:
        items = draft.items(kind)
        items[index], items[other] = items[other], items[index]
        return order, moved

    return _save(session, actor, slug, kind, revision, change, "move", kind)
