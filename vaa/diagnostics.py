"""Statement quality diagnostics for editors (issue 4, item 5).

Pure functions of an ElectionContent returning plain dataclasses for a template:

- spread: how the entities' answers to each statement differ. Answers are placed on
  [-1, 1] as in matching.md (option j of k at 2j/(k-1) - 1); the standard deviation is
  the population one (divided by the number of answers). A statement every entity
  answers alike tells voters nothing about whom they agree with.
- missing: the share of entities that did not answer a statement.
- axis balance: per axis, the statements whose agreement points towards the low end
  (negative loading) and the high end (positive loading), counted and with their
  loadings summed as magnitudes, so an axis whose statements all push one way shows.
- translations: every text that lacks one of the election's languages.
- races: per race, who stands, who answered nothing, and whether every candidate who
  answered gave the same answers (then the race's ranking is one long tie).
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vaa.content import ElectionContent, Entity, Text

TextOwner = Literal[
    "election", "scale", "theme", "axis", "statement", "constituency", "race", "entity", "position"
]


@dataclass(frozen=True)
class StatementSpread:
    """How the entities answered one statement."""

    statement: str
    counts: dict[str, int]
    """Answers per scale option id, in scale order (zeros included)."""
    answered: int
    missing: int
    missing_share: float
    """missing / number of entities, from 0 to 1 (0 when there are no entities)."""
    distinct: int
    """How many different options were chosen."""
    mean: float | None
    """Mean answer on [-1, 1]; None when nobody answered."""
    std: float | None
    """Population standard deviation of the answers on [-1, 1]; None when nobody answered."""

    @property
    def alike(self) -> bool:
        """Every entity that answered (at least two) chose the same option."""
        return self.answered >= 2 and self.distinct == 1


@dataclass(frozen=True)
class AxisBalance:
    """Which way agreement with an axis's statements moves a voter."""

    axis: str
    low: list[str]
    """Statements with a negative loading: agreeing moves towards the low end."""
    high: list[str]
    """Statements with a positive loading: agreeing moves towards the high end."""
    low_sum: float
    """Sum of the magnitudes of the negative loadings."""
    high_sum: float
    """Sum of the positive loadings."""

    @property
    def lean(self) -> float:
        """(high_sum - low_sum) / (high_sum + low_sum): 0 balanced, -1 or 1 all one way."""
        total = self.high_sum + self.low_sum
        return (self.high_sum - self.low_sum) / total if total else 0.0

    @property
    def one_sided(self) -> bool:
        """The axis has statements, all pointing the same way."""
        return bool(self.low) != bool(self.high)


@dataclass(frozen=True)
class MissingTranslation:
    """A text that lacks a language."""

    owner: TextOwner
    """What the text belongs to."""
    id: str
    """The owner's id (an entity's for a position; empty for the election itself)."""
    field: str
    """Which text: title, label, low, high, text, info, name, short, description, justification."""
    language: str
    statement: str | None = None
    """For a position's justification: the statement it answers."""


@dataclass(frozen=True)
class LanguageCompleteness:
    """How many of the election's texts exist in one language."""

    language: str
    present: int
    total: int

    @property
    def share(self) -> float:
        """present / total, 1 when there are no texts."""
        return self.present / self.total if self.total else 1.0


@dataclass(frozen=True)
class RaceCheck:
    """One race as an editor checks it before publishing."""

    race: str
    standing: list[str]
    """Entity ids standing in the race, in file order."""
    silent: list[str]
    """Of those, the ones with no positions (their own or borrowed)."""
    alike: bool
    """At least two answered, and every one of them gave the same answers."""

    @property
    def empty(self) -> bool:
        return not self.standing


@dataclass(frozen=True)
class Diagnostics:
    """Everything an editor checks before publishing, for one election."""

    statements: list[StatementSpread]
    axes: list[AxisBalance]
    missing_translations: list[MissingTranslation]
    languages: list[LanguageCompleteness]
    races: list[RaceCheck]

    @property
    def alike(self) -> list[str]:
        """Ids of the statements every entity answers alike."""
        return [s.statement for s in self.statements if s.alike]


def diagnose(content: ElectionContent) -> Diagnostics:
    """All diagnostics of an election."""
    return Diagnostics(
        statements=statement_spread(content),
        axes=axis_balance(content),
        missing_translations=missing_translations(content),
        languages=translation_completeness(content),
        races=race_checks(content),
    )


def race_checks(content: ElectionContent) -> list[RaceCheck]:
    """Per race, in ballot order: who stands, who is silent, whether all answer alike."""
    checks = []
    for race in content.questionnaire.races:
        standing = [e for e in content.entities if race.id in e.races]
        answers = {e.id: _answers(content, e) for e in standing}
        answering = [a for a in answers.values() if a]
        checks.append(
            RaceCheck(
                race=race.id,
                standing=[e.id for e in standing],
                silent=[eid for eid, a in answers.items() if not a],
                alike=len(answering) >= 2 and all(a == answering[0] for a in answering),
            )
        )
    return checks


def _answers(content: ElectionContent, entity: Entity) -> dict[str, str]:
    return {sid: p.answer for sid, p in content.positions_of(entity).items()}


def statement_spread(content: ElectionContent) -> list[StatementSpread]:
    """Per statement, in questionnaire order: the answers' counts, spread and gaps."""
    scale = [option.id for option in content.questionnaire.scale]
    k = len(scale)
    place = {option: 2 * j / (k - 1) - 1 for j, option in enumerate(scale)}
    entities = len(content.entities)
    spreads = []
    for statement in content.questionnaire.statements:
        answers = [
            entity.positions[statement.id].answer
            for entity in content.entities
            if statement.id in entity.positions and entity.positions[statement.id].answer in place
        ]
        counts = {option: answers.count(option) for option in scale}
        values = [place[answer] for answer in answers]
        mean = math.fsum(values) / len(values) if values else None
        std = (
            math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
            if mean is not None
            else None
        )
        missing = entities - len(answers)
        spreads.append(
            StatementSpread(
                statement=statement.id,
                counts=counts,
                answered=len(answers),
                missing=missing,
                missing_share=missing / entities if entities else 0.0,
                distinct=sum(1 for n in counts.values() if n),
                mean=mean,
                std=std,
            )
        )
    return spreads


def axis_balance(content: ElectionContent) -> list[AxisBalance]:
    """Per axis, in questionnaire order: the statements loading low and high."""
    balances = []
    statements = content.questionnaire.statements
    for axis in content.questionnaire.axes:
        loadings = [(s.id, s.axes[axis.id]) for s in statements if axis.id in s.axes]
        low = [(sid, x) for sid, x in loadings if x < 0]
        high = [(sid, x) for sid, x in loadings if x > 0]
        balances.append(
            AxisBalance(
                axis=axis.id,
                low=[sid for sid, _ in low],
                high=[sid for sid, _ in high],
                low_sum=math.fsum(-x for _, x in low),
                high_sum=math.fsum(x for _, x in high),
            )
        )
    return balances


def _texts(
    content: ElectionContent,
) -> Iterator[tuple[TextOwner, str, str, str | None, Text | None]]:
    """Every text of an election: owner, id, field, statement, text (None if left out)."""
    q = content.questionnaire
    for field in ("title", "description", "publisher"):
        yield "election", "", field, None, getattr(q, field)
    items: list[tuple[TextOwner, Sequence[Any], tuple[str, ...]]] = [
        ("scale", q.scale, ("label",)),
        ("theme", q.themes, ("label",)),
        ("axis", q.axes, ("label", "low", "high")),
        ("statement", q.statements, ("text", "info")),
        ("constituency", q.constituencies, ("name",)),
        ("race", q.races, ("title",)),
    ]
    for owner, found, fields in items:
        for item in found:
            for field in fields:
                yield owner, item.id, field, None, getattr(item, field)
    for entity in content.entities:
        for field in ("name", "short", "description"):
            yield "entity", entity.id, field, None, getattr(entity, field)
        for statement_id, position in entity.positions.items():
            yield "position", entity.id, "justification", statement_id, position.justification


def _has(text: Text, language: str) -> bool:
    return bool(text.get(language, "").strip())


def missing_languages(text: Text | None, languages: Sequence[str]) -> list[str]:
    """The languages a text lacks: none when it is left out (None or empty), else every
    blank or absent one.

    The one rule for "translated" that publishing, the party portal and review all apply.
    """
    if not text:
        return []
    return [language for language in languages if not _has(text, language)]


def missing_translations(content: ElectionContent) -> list[MissingTranslation]:
    """Every text, in file order, that lacks one of the election's languages.

    A text left out altogether (an optional info, justification, description) is not
    missing in any language; one given in some languages lacks the others.
    """
    languages = content.questionnaire.languages
    return [
        MissingTranslation(owner, owner_id, field, language, statement)
        for owner, owner_id, field, statement, text in _texts(content)
        for language in missing_languages(text, languages)
    ]


def translation_completeness(content: ElectionContent) -> list[LanguageCompleteness]:
    """Per language of the election: how many of its (given) texts exist in it."""
    texts = [text for *_, text in _texts(content) if text is not None]
    return [
        LanguageCompleteness(
            language, present=sum(1 for t in texts if _has(t, language)), total=len(texts)
        )
        for language in content.questionnaire.languages
    ]
