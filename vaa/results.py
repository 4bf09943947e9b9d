"""Scoring a voter's answers against an election: request in, explained result out.

This is the adapter between the election's content (ids, option names, languages)
and the pure math of vaa.matching (arrays). The CLI, the API and the no-JavaScript
results page call `score_answers`; nothing here is stored.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from vaa import matching, races
from vaa.content import ElectionContent, Method, MissingPolicy
from vaa.errors import InvalidAnswers

Weight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
"""A statement or option id as a request names it; ids in the data files are short slugs."""
MAX_ITEMS = 500
"""More answers or weights than any questionnaire has statements."""


class MatchRequest(BaseModel):
    """A voter's answers: statement id -> scale option id (absent or null = skipped)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "answers": {"e-petitions": "agree", "youth-space": "disagree-strongly"},
                    "weights": {"e-petitions": 2},
                    "method": "cityblock",
                    "missing": "max",
                    "language": "en",
                }
            ]
        },
    )

    answers: Annotated[dict[Id, Id | None], Field(max_length=MAX_ITEMS)]
    weights: Annotated[dict[Id, Weight], Field(max_length=MAX_ITEMS)] = Field(default_factory=dict)
    method: Method | None = None
    missing: MissingPolicy | None = None
    language: Annotated[str, Field(max_length=16)] | None = None
    constituency: Id | None = None
    detail: Literal["full", "summary"] = Field(
        default="full",
        description="`summary` leaves each result's per-statement detail out (`statements` "
        "is then empty): for clients that show scores and themes only; a smaller, cheaper answer.",
    )


@dataclass(frozen=True)
class PreparedElection:
    """An election's content as the arrays the engine needs, built once per version."""

    content: ElectionContent
    version: str
    statement_ids: list[str]
    option_values: dict[str, float]
    entity_ids: list[str]
    entity_answers: NDArray[np.float64]  # (E, Q), NaN where unanswered
    theme_ids: list[str]
    theme_of: NDArray[np.intp]  # (Q,)
    axis_ids: list[str]
    loadings: NDArray[np.float64]  # (Q, A)
    entity_positions: NDArray[np.float64]  # (E, A)

    @classmethod
    def build(cls, content: ElectionContent, version: str) -> "PreparedElection":
        q = content.questionnaire
        values = matching.scale_positions(len(q.scale))
        option_values = {o.id: float(values[j]) for j, o in enumerate(q.scale)}
        statement_ids = [s.id for s in q.statements]
        theme_ids = [t.id for t in q.themes]
        axis_ids = [a.id for a in q.axes]
        theme_at = {tid: t for t, tid in enumerate(theme_ids)}
        answers = np.full((len(content.entities), len(statement_ids)), np.nan)
        for e, entity in enumerate(content.entities):
            positions = content.positions_of(entity)
            for i, sid in enumerate(statement_ids):
                position = positions.get(sid)
                if position is not None:
                    answers[e, i] = option_values[position.answer]
        loadings = np.array(
            [[s.axes.get(a, 0.0) for a in axis_ids] for s in q.statements], dtype=np.float64
        ).reshape(len(statement_ids), len(axis_ids))
        return cls(
            content=content,
            version=version,
            statement_ids=statement_ids,
            option_values=option_values,
            entity_ids=[e.id for e in content.entities],
            entity_answers=answers,
            theme_ids=theme_ids,
            theme_of=np.array([theme_at[s.theme] for s in q.statements], dtype=np.intp),
            axis_ids=axis_ids,
            loadings=loadings,
            entity_positions=matching.axis_positions(answers, loadings),
        )

    @cached_property
    def fixed(self) -> "_Fixed":
        """The per-version lookups and result fragments every match reuses."""
        return _Fixed(self)

    def voter_arrays(
        self, answers: Mapping[str, str | None], weights: Mapping[str, float]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Turn ids into the voter's (Q,) positions and weights, or raise InvalidAnswers."""
        index = self.fixed.statement_index
        problems = [
            InvalidAnswers("answers.statement", statement=sid)
            for sid in answers
            if sid not in index
        ]
        problems += [
            InvalidAnswers(
                "answers.option", option=option, statement=sid, options=list(self.option_values)
            )
            for sid, option in answers.items()
            if sid in index and option is not None and option not in self.option_values
        ]
        problems += [
            InvalidAnswers("answers.weight", statement=sid) for sid in weights if sid not in index
        ]
        if problems:
            raise InvalidAnswers.joined(problems)
        voter = np.full(len(index), np.nan)
        weight = np.ones(len(index))
        for sid, option in answers.items():
            if option is not None:
                voter[index[sid]] = self.option_values[option]
        for sid, w in weights.items():
            weight[index[sid]] = w
        return voter, weight


_PREPARED: dict[str, PreparedElection] = {}


def prepared_if_cached(version: str, slug: str) -> PreparedElection | None:
    """The prepared arrays of a version already built in this process, so a caller can
    skip reading and parsing its bundle."""
    prepared = _PREPARED.get(version)
    return prepared if prepared is not None and prepared.content.slug == slug else None


def prepare(content: ElectionContent, version: str) -> PreparedElection:
    """The prepared arrays for a published version (kept: versions never change)."""
    prepared = prepared_if_cached(version, content.slug)
    if prepared is None:
        if len(_PREPARED) > 32:
            _PREPARED.clear()
        prepared = _PREPARED[version] = PreparedElection.build(content, version)
    return prepared


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def request_language(prepared: PreparedElection, request: MatchRequest) -> str:
    """The language a request asks for (the election's first by default); InvalidAnswers if absent."""
    languages = prepared.content.questionnaire.languages
    language = request.language or languages[0]
    if language not in languages:
        raise InvalidAnswers("answers.language", language=language, languages=languages)
    return language


def score_answers(prepared: PreparedElection, request: MatchRequest) -> dict[str, Any]:
    """Score one voter and explain the result (the API's match response).

    `results` ranks every entity; `races` ranks, race by race, only the entities
    standing in each race the voter's constituency votes in (formats.md).
    """
    content = prepared.content
    q = content.questionnaire
    method = request.method or q.matching.method
    missing = request.missing or q.matching.missing
    language = request_language(prepared, request)
    place = request.constituency
    if place is not None and not races.is_place(q, place):
        raise InvalidAnswers(
            "answers.constituency",
            constituency=place,
            constituencies=[c.id for c in q.constituencies],
        )
    voter, weights = prepared.voter_arrays(request.answers, request.weights)
    answered = ~np.isnan(voter) & (weights > 0)
    if not answered.any():
        raise InvalidAnswers("answers.none")
    fixed = prepared.fixed
    ballots = fixed.ballots(place) if q.races else []
    # every race ranks only its entities that answered; all rankings come from one pass
    members = [fixed.everyone] + [
        [e for e in fixed.members(ballot) if fixed.answering[e]] for ballot in ballots
    ]
    scoring = _Scoring(
        prepared, voter, weights, method, missing, language, answered, request.detail == "full"
    )
    everyone, *ranked = scoring.rank_groups(members)
    position = matching.axis_positions(voter[np.newaxis, :], prepared.loadings)[0]
    # keys in MatchResponse's order, so the served JSON reads as the model would write it
    return {
        "election": content.slug,
        "version": prepared.version,
        "method": method,
        "missing": missing,
        "language": language,
        "answered": int(answered.sum()),
        "results": everyone["results"],
        "position": {aid: _num(position[a]) for a, aid in enumerate(prepared.axis_ids)},
        "sensitivity": everyone["sensitivity"],
        "constituency": place,
        "races": [
            {
                "race": ballot.id,
                "title": ballot.title[language] if ballot.title else None,
                "constituency": ballot.constituency,
                "results": race["results"],
                "did_not_answer": [
                    prepared.entity_ids[e] for e in fixed.members(ballot) if not fixed.answering[e]
                ],
                "sensitivity": race["sensitivity"],
            }
            for ballot, race in zip(ballots, ranked, strict=True)
        ],
    }


class _Fixed:
    """What every match against one version shares, worked out once per version."""

    def __init__(self, p: PreparedElection) -> None:
        content = p.content
        self.content = content
        self.everyone = list(range(len(p.entity_ids)))
        self.entity_index = {eid: e for e, eid in enumerate(p.entity_ids)}
        self.statement_index = {sid: i for i, sid in enumerate(p.statement_ids)}
        self.answering = [not bool(np.isnan(row).all()) for row in p.entity_answers]
        self.entity_answers: list[list[str | None]] = []
        self.heads: dict[str, list[dict[str, Any]]] = {}
        self.positions: list[dict[str, float | None]] = []
        for e, entity in enumerate(content.entities):
            positions = content.positions_of(entity)
            self.entity_answers.append([_answer(positions.get(sid)) for sid in p.statement_ids])
            self.positions.append(
                {aid: _num(p.entity_positions[e, a]) for a, aid in enumerate(p.axis_ids)}
            )
        for language in content.questionnaire.languages:
            self.heads[language] = [
                {
                    "entity": entity.id,
                    "name": entity.name[language],
                    "kind": entity.kind,
                    "party": entity.party,
                }
                for entity in content.entities
            ]
        self.backing = [tuple(entity.backing) for entity in content.entities]
        self.positions_from = [entity.positions_from for entity in content.entities]
        self._ballots: dict[str | None, list[races.Ballot]] = {}

    def members(self, ballot: races.Ballot) -> list[int]:
        """The indices of a race's entities, in ballot order."""
        return [self.entity_index[eid] for eid in ballot.entity_ids]

    def ballots(self, place: str | None) -> list[races.Ballot]:
        """races.ballots for a place, kept (the place was checked against the version)."""
        found = self._ballots.get(place)
        if found is None:
            found = self._ballots[place] = races.ballots(self.content, place)
        return found


@dataclass(frozen=True)
class _Scoring:
    """One voter's inputs, scored against any subset of the entities."""

    prepared: PreparedElection
    voter: NDArray[np.float64]
    weights: NDArray[np.float64]
    method: Method
    missing: MissingPolicy
    language: str
    answered: NDArray[np.bool_]
    per_statement: bool  # False: each result's `statements` stays empty (detail=summary)

    def rank_groups(self, groups: list[list[int]]) -> list[dict[str, Any]]:
        """Results and method sensitivity of each group (entity indices) among itself."""
        p = self.prepared
        fixed = p.fixed
        scored = [g for g in groups if g]
        try:
            found = iter(
                matching.match_groups(
                    self.voter,
                    self.weights,
                    p.entity_answers,
                    entity_ids=p.entity_ids,
                    groups=scored,
                    themes=p.theme_of,
                    n_themes=len(p.theme_ids),
                    method=self.method,
                    missing=self.missing,
                )
            )
        except ValueError as exc:  # the engine's own checks; the request was well-formed
            raise InvalidAnswers("answers.engine", str(exc)) from exc
        answered_at = (
            [(i, sid) for i, sid in enumerate(p.statement_ids) if self.answered[i]]
            if self.per_statement
            else []
        )
        heads = fixed.heads[self.language]
        theme_ids = p.theme_ids
        # an entity's scores are the same in every group: its details are built once
        details: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        out: list[dict[str, Any]] = []
        for members in groups:
            if not members:
                out.append({"results": [], "sensitivity": dict.fromkeys(matching.METHODS)})
                continue
            result, top = next(found)
            ranks = result.ranks.tolist()
            scores = result.scores.tolist()
            intervals = result.intervals.tolist()
            close = result.close_to_top.tolist()
            results = []
            for k in result.order.tolist():
                e = members[k]
                if e not in details:
                    agreements = result.agreements[k].tolist()
                    entity_answers = fixed.entity_answers[e]
                    themes = result.theme_scores[k].tolist()
                    details[e] = (
                        {tid: _float(themes[t]) for t, tid in enumerate(theme_ids)},
                        {
                            sid: {
                                "entity_answer": entity_answers[i],
                                "agreement": _float(agreements[i]),
                            }
                            for i, sid in answered_at
                        },
                    )
                themes_of, statements = details[e]
                low, high = intervals[k]
                results.append(
                    {
                        **heads[e],
                        "backing": list(fixed.backing[e]),
                        "positions_from": fixed.positions_from[e],
                        "rank": ranks[k],
                        "score": _float(scores[k]),
                        "themes": themes_of,
                        "statements": statements,
                        "interval": None if math.isnan(low) else [low, high],
                        "close_to_top": close[k],
                        "position": dict(fixed.positions[e]),
                    }
                )
            out.append(
                {
                    "results": results,
                    "sensitivity": {
                        m: (p.entity_ids[members[i]] if i is not None else None)
                        for m, i in top.items()
                    },
                }
            )
        return out


def _float(x: float) -> float | None:
    return None if math.isnan(x) else x


def _answer(position: Any) -> str | None:
    return None if position is None else str(position.answer)
