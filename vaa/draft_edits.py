"""Editing the rest of a draft: settings, the scale, positions, translations, places
imported from a list, and spreadsheets imported into the draft.

Each function checks what the domain requires (ItemInvalid, with a code per field),
applies the change to the draft model opened at the editor's revision and stores it
with its audit entry (vaa.drafts.edit_draft: StaleDraft, with nothing stored, after
someone else's save). The caller commits. Item changes live in vaa.draft_items.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from vaa.draft_items import ItemInvalid
from vaa.draft_model import ConstituencyDraft, ElectionDraft, PositionDraft
from vaa.draft_texts import strip_languages, texts
from vaa.drafts import StaleDraft, edit_draft, lenient_content, open_draft
from vaa.errors import Conflict, NotFound
from vaa.models import Account
from vaa.publish import content_data
from vaa.rules import LANGUAGE, METHODS, MISSING, is_url
from vaa.spreadsheets import Change, import_files, preview

SETTINGS_TEXTS = ("title", "description", "publisher")
SETTINGS_KEYS = ("languages", *SETTINGS_TEXTS, "date", "matching")


class DraftMalformed(Conflict):
    """The draft is too broken to be read as content (a spreadsheet cannot apply to it)."""

    def __init__(self, slug: str) -> None:
        super().__init__("draft.malformed", f"the draft of {slug!r} has problems to fix first")


def _store(
    session: Session,
    actor: Account | str,
    slug: str,
    revision: int,
    action: str,
    target: str,
    change: Callable[[ElectionDraft], tuple[Any, Any]],
) -> int:
    return edit_draft(
        session, actor, slug=slug, revision=revision, change=change, action=action, target=target
    )


def _settings_of(draft: ElectionDraft) -> dict[str, Any]:
    q = draft.questionnaire.model_dump(mode="json", exclude_unset=True)
    return {k: q.get(k) for k in SETTINGS_KEYS}


def update_settings(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    languages: list[str],
    texts: Mapping[str, dict[str, str]],
    date: str,
    method: str,
    missing: str,
) -> int:
    """Save the election's languages, texts, date and matching defaults.

    Texts of a removed language are removed everywhere (also from the texts given);
    an empty text or date is
    removed; quick mode's `settled`, which the form does not edit, is kept.
    """
    problems: dict[str, str] = {}
    if not languages or not all(LANGUAGE.match(c) for c in languages):
        problems["languages"] = "settings.languages"
    if not texts.get("title"):
        problems["title"] = "settings.title"
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            problems["date"] = "settings.date"
    if method not in METHODS:
        problems["method"] = "settings.method"
    if missing not in MISSING:
        problems["missing"] = "settings.missing"
    if problems:
        raise ItemInvalid(problems)

    def change(draft: ElectionDraft) -> tuple[dict[str, Any], dict[str, Any]]:
        before = _settings_of(draft)
        q = draft.questionnaire
        removed = [c for c in q.languages if c not in languages]
        if removed:
            strip_languages(draft, removed)
        q.languages = list(languages)
        for name in SETTINGS_TEXTS:
            text = texts.get(name) or {}
            q.put(name, {lang: value for lang, value in text.items() if lang in languages})
        q.put("date", dt.date.fromisoformat(date).isoformat() if date else None)
        q.matching.method, q.matching.missing = method, missing
        q.matching = q.matching  # written back even when the draft had no matching yet
        return before, _settings_of(draft)

    return _store(session, actor, slug, revision, "draft.settings.edit", f"{slug}/settings", change)


def update_scale(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    labels: Mapping[str, dict[str, str]],
) -> int:
    """Save the labels of the answer scale ({option: {language: label}}, every option)."""

    def change(draft: ElectionDraft) -> tuple[list[Any], list[Any]]:
        scale = draft.questionnaire.scale
        before = [o.model_dump(mode="json", exclude_unset=True) for o in scale]
        empty = {f"scale_{o.id}": "scale.label" for o in scale if not labels.get(o.id)}
        if empty:
            raise ItemInvalid(empty)
        for option in scale:
            option.label = dict(labels[option.id])
        draft.questionnaire.scale = scale
        return before, [o.model_dump(mode="json", exclude_unset=True) for o in scale]

    return _store(session, actor, slug, revision, "draft.scale.edit", f"{slug}/scale", change)


def update_positions(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    entity: str,
    positions: Mapping[str, dict[str, Any]],
) -> int:
    """Replace an entity's positions ({statement: {answer, justification?, source?}}).

    NotFound for an unknown entity; ItemInvalid for an unknown statement or answer, or a
    source that is not a web address.
    """

    def change(draft: ElectionDraft) -> tuple[dict[str, Any], dict[str, Any]]:
        found = draft.entity(entity)
        if found is None:
            raise NotFound("draft.item", f"no entity {entity!r} in this draft", item=entity)
        statements = {s.id for s in draft.questionnaire.statements}
        options = {o.id for o in draft.questionnaire.scale}
        problems: dict[str, str] = {}
        for sid, position in positions.items():
            if sid not in statements:
                problems[f"answer_{sid}"] = "position.statement"
            elif position.get("answer") not in options:
                problems[f"answer_{sid}"] = "position.answer"
            elif position.get("source") and not is_url(str(position["source"])):
                problems[f"source_{sid}"] = "position.source"
        if problems:
            raise ItemInvalid(problems)
        before = {
            k: v.model_dump(mode="json", exclude_unset=True) for k, v in found.positions.items()
        }
        found.positions = {k: PositionDraft.model_validate(v) for k, v in positions.items()}
        return before, {k: dict(v) for k, v in positions.items()}

    return _store(
        session,
        actor,
        slug,
        revision,
        "draft.positions.edit",
        f"{slug}/entity/{entity}/positions",
        change,
    )


def update_translations(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    values: Mapping[tuple[str, str], str],
) -> int | None:
    """Set texts by (text key, language) (vaa.draft_texts keys; '' removes a language).

    Only texts that change are stored and audited; None, with nothing stored, when none
    does. Keys the draft no longer has are ignored.
    """
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise NotFound("election", f"no election {slug!r}")

    def change(draft: ElectionDraft) -> tuple[dict[str, Any], dict[str, Any]]:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        langs = set(draft.languages)
        for ref in list(texts(draft)):
            for language in sorted(langs):
                if (ref.key, language) not in values:
                    continue
                value = values[ref.key, language]
                old = (ref.text or {}).get(language, "")
                if value != old:
                    before.setdefault(ref.key, {})[language] = old or None
                    after.setdefault(ref.key, {})[language] = value or None
                    ref.set(language, value)
        return before, after

    # Nothing to store when nothing changes: tried on a copy first.
    if not change(opened.model())[1]:
        return None
    return _store(
        session, actor, slug, revision, "draft.translations.edit", f"{slug}/translations", change
    )


def import_places(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    places: list[dict[str, Any]],
) -> int:
    """Add places, or replace those with the same id, keeping the list's order."""

    def change(draft: ElectionDraft) -> tuple[list[Any], list[Any]]:
        existing = draft.items("constituencies")
        before = [c.model_dump(mode="json", exclude_unset=True) for c in existing]
        index = {c.id: i for i, c in enumerate(existing)}
        for row in places:
            place = ConstituencyDraft.model_validate(row)
            if place.id in index:
                existing[index[place.id]] = place
            else:
                existing.append(place)
        return before, [c.model_dump(mode="json", exclude_unset=True) for c in existing]

    return _store(
        session,
        actor,
        slug,
        revision,
        "draft.constituency.import",
        f"{slug}/constituencies",
        change,
    )


def _change_key(change: Change) -> str:
    parts = (change.target, change.id, change.statement or "", change.field)
    return "/".join(part for part in parts if part)


def import_spreadsheet(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    files: Mapping[str, bytes],
) -> list[Change]:
    """Apply uploaded spreadsheets (one workbook, or CSV files) to the draft as it is now.

    The changes made (none: nothing stored). DataError with every problem of the files;
    DraftMalformed when the draft cannot be read as content; StaleDraft after another save.
    """
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise NotFound("election", f"no election {slug!r}")
    if opened.revision != revision:
        raise StaleDraft(f"the draft of {slug!r} changed since it was opened")
    current = lenient_content(opened.data)
    if current is None:
        raise DraftMalformed(slug)
    new = import_files(files, current=current)
    changes = preview(current, new)
    if not changes:
        return []

    def change(draft: ElectionDraft) -> tuple[dict[str, Any], dict[str, Any]]:
        replaced = ElectionDraft.load(content_data(new))
        draft.questionnaire, draft.entities = replaced.questionnaire, replaced.entities
        return (
            {_change_key(c): c.before for c in changes},
            {_change_key(c): c.after for c in changes},
        )

    _store(
        session, actor, slug, revision, "draft.spreadsheet.import", f"{slug}/spreadsheet", change
    )
    return changes
