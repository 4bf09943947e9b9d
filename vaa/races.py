"""Races and constituencies: which ballots a voter gets and who stands in each.

An election without races is one implicit race of every entity, so every caller can
work race by race. A voter's place selects the races held in it or in any place it
lies within (formats.md, "Races and constituencies").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vaa.content import Constituency, ElectionContent, Questionnaire, Race, Text

ALL = "all"
"""The id of the implicit race of an election without races."""


@dataclass(frozen=True)
class Ballot:
    """One race as a voter meets it: its id, title and the entities standing in it."""

    id: str
    title: Text | None  # None for the implicit race
    constituency: str | None
    entity_ids: tuple[str, ...]


def ancestors(constituencies: Sequence[Constituency], place: str) -> list[str]:
    """The place and every place it lies within, innermost first (stops at a cycle)."""
    return chain_of({c.id: c.within for c in constituencies}, place)


def chain_of(within: Mapping[str, str | None], place: str) -> list[str]:
    """ancestors() over a plain {place: the place it lies within} map (drafts, voter data)."""
    chain: list[str] = []
    current: str | None = place
    while current is not None and current not in chain:
        chain.append(current)
        current = within.get(current)
    return chain


def in_place(constituencies: Sequence[Constituency], race: Race, place: str) -> bool:
    """Whether a voter in `place` votes in `race`."""
    return race.constituency in ancestors(constituencies, place)


def ballots(content: ElectionContent, place: str | None = None) -> list[Ballot]:
    """The races of a voter in `place` (every race when None), in ballot order."""
    q = content.questionnaire
    if not q.races:
        return [Ballot(ALL, None, None, tuple(e.id for e in content.entities))]
    return [
        Ballot(
            race.id,
            race.title,
            race.constituency,
            tuple(e.id for e in content.entities if race.id in e.races),
        )
        for race in q.races
        if place is None or in_place(q.constituencies, race, place)
    ]


def is_place(questionnaire: Questionnaire, place: str) -> bool:
    return any(c.id == place for c in questionnaire.constituencies)
