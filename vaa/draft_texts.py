"""Every human text of a draft, where it lives, and how complete each language is.

The texts are listed in the order vaa.diagnostics lists them: the election's, the
scale's, themes', axes', statements', places', races', entities' and the positions'
justifications. The translation page shows them side by side; removing a language from
the election removes it from each of them.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from vaa.diagnostics import LanguageCompleteness, translation_completeness
from vaa.draft_model import ElectionDraft, ItemDraft, _Lenient
from vaa.drafts import lenient_content


@dataclass(frozen=True)
class TextRef:
    """Where one text lives in the draft, and what it is."""

    key: str
    group: str
    owner: str
    field: str
    container: _Lenient
    required: bool
    multiline: bool
    edit: str
    """The edit page, relative to the election's admin URL."""
    statement: str | None = None

    @property
    def text(self) -> dict[str, str] | None:
        value = getattr(self.container, self.field, None)
        return value if isinstance(value, dict) else None

    def set(self, language: str, value: str) -> None:
        """Set the text in one language; '' removes that language (and an empty optional text)."""
        text = dict(self.text or {})
        if value:
            text[language] = value
        else:
            text.pop(language, None)
        if text or self.required:
            setattr(self.container, self.field, text)
        else:
            self.container.clear(self.field)


def texts(draft: ElectionDraft) -> Iterator[TextRef]:
    """Every text of the draft (present or not), in a fixed order."""
    q = draft.questionnaire
    for name, required, multiline in (
        ("title", True, False),
        ("description", False, True),
        ("publisher", False, False),
    ):
        yield TextRef(name, "election", "", name, q, required, multiline, "/settings")
    for option in q.scale:
        key = f"scale/{option.id}/label"
        yield TextRef(key, "scale", option.id, "label", option, True, False, "/questionnaire#scale")
    for theme in q.themes:
        yield _ref("theme", "themes", "label", theme, True, False)
    for axis in q.axes:
        for part in ("label", "low", "high"):
            yield _ref("axis", "axes", part, axis, True, False)
    for statement in q.statements:
        yield _ref("statement", "statements", "text", statement, True, True)
        yield _ref("statement", "statements", "info", statement, False, True)
    for place in q.constituencies:
        yield _ref("constituency", "constituencies", "name", place, True, False)
    for race in q.races:
        yield _ref("race", "races", "title", race, True, False)
    for entity in draft.entities:
        yield _ref("entity", "entities", "name", entity, True, False)
        yield _ref("entity", "entities", "short", entity, False, False)
        yield _ref("entity", "entities", "description", entity, False, True)
        for sid, position in entity.positions.items():
            yield TextRef(
                f"position/{entity.id}/{sid}/justification",
                "position",
                entity.id,
                "justification",
                position,
                False,
                True,
                f"/entities/{entity.id}/positions#pos-{sid}",
                statement=sid,
            )


def _ref(
    group: str, path: str, field: str, item: ItemDraft, required: bool, multiline: bool
) -> TextRef:
    item_id = item.id
    return TextRef(
        f"{group}/{item_id}/{field}",
        group,
        item_id,
        field,
        item,
        required,
        multiline,
        f"/{path}/{item_id}",
    )


def strip_languages(draft: ElectionDraft, removed: list[str]) -> None:
    """Remove these languages from every text of the draft."""
    for ref in list(texts(draft)):
        for language in removed:
            if ref.text and language in ref.text:
                ref.set(language, "")


def completeness(draft: ElectionDraft) -> list[LanguageCompleteness]:
    """Per language of the election: texts present and total.

    vaa.diagnostics counts them whenever the draft reads as content; a draft too broken
    for that is counted over the texts it has.
    """
    content = lenient_content(draft.dump())
    if content is not None:
        return translation_completeness(content)
    given = [ref.text for ref in texts(draft) if ref.text is not None]
    return [
        LanguageCompleteness(lang, sum(1 for t in given if t.get(lang, "").strip()), len(given))
        for lang in draft.languages
    ]
