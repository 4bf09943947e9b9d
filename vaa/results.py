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
import orjson
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


@dataclass(frozen=True)
class _Scored:
    """One request's checked inputs and the engine's numbers for them."""

    prepared: PreparedElection
    method: Method
    missing: MissingPolicy
    language: str
    place: str | None
    voter: NDArray[np.float64]
    answered: NDArray[np.bool_]
    ballots: list[races.Ballot]
    found: matching.VoterMatch  # groups: everyone, then each ballot's answering entities
    per_statement: bool  # False: each result's `statements` stays empty (detail=summary)

    def head(self) -> dict[str, Any]:
        """The response's first keys, in MatchResponse's order."""
        return {
            "election": self.prepared.content.slug,
            "version": self.prepared.version,
            "method": self.method,
            "missing": self.missing,
            "language": self.language,
            "answered": int(self.answered.sum()),
        }

    def position(self) -> dict[str, float | None]:
        """The voter's own place on the axes."""
        p = self.prepared
        position = p.fixed.axis_position(self.voter).tolist()
        return {aid: _float(position[a]) for a, aid in enumerate(p.axis_ids)}

    def sensitivity(self, g: int) -> dict[str, str | None]:
        """Group g's top entity under each method."""
        ids = self.prepared.entity_ids
        return {m: None if e is None else ids[e] for m, e in self.found.groups[g].top.items()}

    def race_head(self, ballot: races.Ballot) -> dict[str, Any]:
        """A race's keys before its results."""
        return {
            "race": ballot.id,
            "title": ballot.title[self.language] if ballot.title else None,
            "constituency": ballot.constituency,
        }

    def did_not_answer(self, ballot: races.Ballot) -> list[str]:
        """The race's entities that gave no position at all (not ranked)."""
        return self.prepared.fixed.did_not_answer(ballot)


def _score(prepared: PreparedElection, request: MatchRequest) -> _Scored:
    """Check a request against the version and run the engine once for every ranking."""
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
    index = fixed.value_index
    try:
        found = matching.match_voter(
            [-1 if x != x else index[x] for x in voter.tolist()],  # x != x: NaN, a skip
            weights,
            fixed.statement_tables(missing),
            id_order=fixed.id_order,
            groups=fixed.groups(place, ballots),
            onehot=fixed.onehot,
            method=method,
        )
    except ValueError as exc:  # the engine's own checks; the request was well-formed
        raise InvalidAnswers("answers.engine", str(exc)) from exc
    return _Scored(
        prepared=prepared,
        method=method,
        missing=missing,
        language=language,
        place=place,
        voter=voter,
        answered=answered,
        ballots=ballots,
        found=found,
        per_statement=request.detail == "full",
    )


def score_answers(prepared: PreparedElection, request: MatchRequest) -> dict[str, Any]:
    """Score one voter and explain the result (the API's match response).

    `results` ranks every entity; `races` ranks, race by race, only the entities
    standing in each race the voter's constituency votes in (formats.md).
    """
    scored = _score(prepared, request)
    results = _Results(scored)
    # keys in MatchResponse's order, so the served JSON reads as the model would write it
    return {
        **scored.head(),
        "results": results.of_group(0),
        "position": scored.position(),
        "sensitivity": scored.sensitivity(0),
        "constituency": scored.place,
        "races": [
            {
                **scored.race_head(ballot),
                "results": results.of_group(g),
                "did_not_answer": scored.did_not_answer(ballot),
                "sensitivity": scored.sensitivity(g),
            }
            for g, ballot in enumerate(scored.ballots, start=1)
        ],
    }


def match_json(prepared: PreparedElection, request: MatchRequest) -> bytes:
    """score_answers' response as JSON, byte for byte orjson.dumps of it, built from
    per-version fragments: each entity's detail is written once for all its rankings."""
    scored = _score(prepared, request)
    fixed = prepared.fixed
    found = scored.found
    n = len(prepared.entity_ids)
    n_themes = len(prepared.theme_ids)
    # every number at once: orjson writes NaN as null, and no number holds a comma
    numbers = orjson.dumps(
        [
            *found.scores.tolist(),
            *found.theme_scores.ravel().tolist(),
            *found.intervals.ravel().tolist(),
        ]
    )[1:-1].split(b",")
    at = np.flatnonzero(scored.answered)
    if scored.per_statement:
        table = fixed.statement_table(scored.method, scored.missing)
        options = [fixed.value_index[x] for x in scored.voter[at].tolist()]
        statements = [b",".join(row) for row in table[:, at, options].tolist()]
    else:
        statements = [b""] * n
    theme_keys = fixed.theme_keys
    # an entity's piece before its statements and after them up to close_to_top
    before, after = [], []
    for e in range(n):
        base = n + n_themes * e
        themes = b",".join([theme_keys[t] + numbers[base + t] for t in range(n_themes)])
        low = numbers[n + n_themes * n + 2 * e]
        high = numbers[n + n_themes * n + 2 * e + 1]
        interval = b"null" if low == b"null" else b"[" + low + b"," + high + b"]"
        before.append(b',"score":' + numbers[e] + b',"themes":{' + themes + b'},"statements":{')
        after.append(b'},"interval":' + interval + b',"close_to_top":')
    heads = fixed.heads_json[scored.language]
    tails = fixed.tails_json
    # one list of pieces joined once, so that no entity's statements are copied twice
    out = [orjson.dumps(scored.head())[:-1], b',"results":[']

    def results(g: int) -> None:
        ranking = found.groups[g]
        for e, rank, close in zip(ranking.order, ranking.ranks, ranking.close_to_top, strict=True):
            out.extend(
                (
                    heads[e],
                    str(rank).encode(),
                    before[e],
                    statements[e],
                    after[e],
                    b"true" if close else b"false",
                    tails[e],
                    b",",
                )
            )
        if ranking.order:
            out.pop()  # the comma after the last result

    results(0)
    out += [
        b'],"position":',
        orjson.dumps(scored.position()),
        b',"sensitivity":',
        orjson.dumps(scored.sensitivity(0)),
        b',"constituency":',
        orjson.dumps(scored.place),
        b',"races":[',
    ]
    for g, ballot in enumerate(scored.ballots, start=1):
        out += [
            b"," if g > 1 else b"",
            orjson.dumps(scored.race_head(ballot))[:-1],
            b',"results":[',
        ]
        results(g)
        out += [
            b'],"did_not_answer":',
            orjson.dumps(scored.did_not_answer(ballot)),
            b',"sensitivity":',
            orjson.dumps(scored.sensitivity(g)),
            b"}",
        ]
    out.append(b"]}")
    return b"".join(out)


class _Fixed:
    """What every match against one version shares, worked out once per version."""

    def __init__(self, p: PreparedElection) -> None:
        content = p.content
        self.content = content
        self.prepared = p
        self.everyone = list(range(len(p.entity_ids)))
        self.entity_index = {eid: e for e, eid in enumerate(p.entity_ids)}
        self.statement_index = {sid: i for i, sid in enumerate(p.statement_ids)}
        self.answering = [not bool(np.isnan(row).all()) for row in p.entity_answers]
        self.id_order = matching.id_ranks(p.entity_ids)
        self.onehot = matching.theme_matrix(p.theme_of, len(p.theme_ids), len(p.statement_ids))
        self.levels = [p.option_values[o.id] for o in content.questionnaire.scale]
        self.value_index = {x: k for k, x in enumerate(self.levels)}
        self.entity_answers: list[list[str | None]] = []
        self.heads: dict[str, list[dict[str, Any]]] = {}
        self.positions: list[dict[str, float | None]] = []
        for e, entity in enumerate(content.entities):
            positions = content.positions_of(entity)
            self.entity_answers.append([_answer(positions.get(sid)) for sid in p.statement_ids])
            self.positions.append(
                {aid: _num(p.entity_positions[e, a]) for a, aid in enumerate(p.axis_ids)}
            )
        self.backing = [tuple(entity.backing) for entity in content.entities]
        self.positions_from = [entity.positions_from for entity in content.entities]
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
        # match_json's fragments: a result reads head, rank, middle, close_to_top, tail
        self.heads_json = {
            language: [
                orjson.dumps(
                    {
                        **head,
                        "backing": list(self.backing[e]),
                        "positions_from": self.positions_from[e],
                    }
                )[:-1]
                + b',"rank":'
                for e, head in enumerate(heads)
            ]
            for language, heads in self.heads.items()
        }
        self.tails_json = [b',"position":' + orjson.dumps(pos) + b"}" for pos in self.positions]
        self.theme_keys = [orjson.dumps(tid) + b":" for tid in p.theme_ids]
        self._statement_tables: dict[tuple[str, str], NDArray[np.object_]] = {}
        self._ballots: dict[str | None, list[races.Ballot]] = {}
        self._groups: dict[str | None, matching.Groups] = {}
        self._tables: dict[str, matching.StatementTables] = {}
        self._answering_members: dict[tuple[str, str | None, tuple[str, ...]], list[int]] = {}
        self._did_not_answer: dict[tuple[str, str | None, tuple[str, ...]], list[str]] = {}
        self.abs_loadings = np.abs(p.loadings)

    def members(self, ballot: races.Ballot) -> list[int]:
        """The indices of a race's entities, in ballot order."""
        return [self.entity_index[eid] for eid in ballot.entity_ids]

    def did_not_answer(self, ballot: races.Ballot) -> list[str]:
        """The ids of a race's entities that gave no position at all (kept per ballot)."""
        key = (ballot.id, ballot.constituency, ballot.entity_ids)
        found = self._did_not_answer.get(key)
        if found is None:
            ids = self.prepared.entity_ids
            found = self._did_not_answer[key] = [
                ids[e] for e in self.members(ballot) if not self.answering[e]
            ]
        return list(found)

    def axis_position(self, voter: NDArray[np.float64]) -> NDArray[np.float64]:
        """matching.axis_positions of one voter, its checks and |loadings| done once: the
        same products, so the same bits."""
        answered = ~np.isnan(voter)[np.newaxis, :]
        total = np.where(answered, voter[np.newaxis, :], 0.0) @ self.prepared.loadings
        reach = answered.astype(np.float64) @ self.abs_loadings
        position: NDArray[np.float64] = (total / np.where(reach > 0, reach, np.nan))[0]
        return position

    def answering_members(self, ballot: races.Ballot) -> list[int]:
        """members() that gave at least one position (the ones a race ranks)."""
        key = (ballot.id, ballot.constituency, ballot.entity_ids)
        found = self._answering_members.get(key)
        if found is None:
            found = self._answering_members[key] = [
                e for e in self.members(ballot) if self.answering[e]
            ]
        return found

    def groups(self, place: str | None, ballots: list[races.Ballot]) -> matching.Groups:
        """Everyone, then each of the place's ballots' answering entities (kept per place):
        every race ranks only its entities that answered, all in one engine pass."""
        found = self._groups.get(place)
        if found is None:
            members = [self.everyone] + [self.answering_members(b) for b in ballots]
            found = self._groups[place] = matching.Groups.of(members, len(self.everyone))
        return found

    def statement_tables(self, missing: MissingPolicy) -> matching.StatementTables:
        """The engine's per-statement tables under a policy, built on first use."""
        found = self._tables.get(missing)
        if found is None:
            found = self._tables[missing] = matching.statement_tables(
                self.prepared.entity_answers, self.levels, missing
            )
        return found

    def ballots(self, place: str | None) -> list[races.Ballot]:
        """races.ballots for a place, kept (the place was checked against the version)."""
        found = self._ballots.get(place)
        if found is None:
            found = self._ballots[place] = races.ballots(self.content, place)
        return found

    def statement_table(self, method: Method, missing: MissingPolicy) -> NDArray[np.object_]:
        """(E, Q, K) JSON fragments `"statement":{"entity_answer":..,"agreement":..}` of
        each entity's entry for a voter at each scale option, under a method and policy."""
        key = (method, missing)
        table = self._statement_tables.get(key)
        if table is None:
            p = self.prepared
            n, q, k = len(p.entity_ids), len(p.statement_ids), len(self.levels)
            table = np.empty((n, q, k), dtype=object)
            names = [orjson.dumps(sid) + b":" for sid in p.statement_ids]
            for j, x in enumerate(self.levels):
                at_x = np.full(q, x)
                filled = matching.impute(at_x, p.entity_answers, missing)
                # as match_voter has it: 100 g inside A_e, null outside
                agreement = np.where(
                    np.isnan(filled),
                    np.nan,
                    100 * matching.statement_agreement(at_x, filled, method),
                ).tolist()
                for e in range(n):
                    answers = self.entity_answers[e]
                    for i in range(q):
                        table[e, i, j] = names[i] + orjson.dumps(
                            {"entity_answer": answers[i], "agreement": agreement[e][i]}
                        )
            self._statement_tables[key] = table
        return table


class _Results:
    """score_answers' result objects, each entity's detail built once for every group."""

    def __init__(self, scored: _Scored) -> None:
        self.scored = scored
        p = scored.prepared
        found = scored.found
        fixed = p.fixed
        self.heads = fixed.heads[scored.language]
        answered_at = (
            [(i, sid) for i, sid in enumerate(p.statement_ids) if scored.answered[i]]
            if scored.per_statement
            else []
        )
        agreements = found.agreements.tolist()
        themes = found.theme_scores.tolist()
        self.scores = found.scores.tolist()
        self.intervals = found.intervals.tolist()
        self.details = [
            (
                {tid: _float(themes[e][t]) for t, tid in enumerate(p.theme_ids)},
                {
                    sid: {
                        "entity_answer": fixed.entity_answers[e][i],
                        "agreement": _float(agreements[e][i]),
                    }
                    for i, sid in answered_at
                },
            )
            for e in range(len(p.entity_ids))
        ]

    def of_group(self, g: int) -> list[dict[str, Any]]:
        """Group g's result objects, best first."""
        fixed = self.scored.prepared.fixed
        ranking = self.scored.found.groups[g]
        results = []
        for e, rank, close in zip(ranking.order, ranking.ranks, ranking.close_to_top, strict=True):
            themes_of, statements = self.details[e]
            low, high = self.intervals[e]
            results.append(
                {
                    **self.heads[e],
                    "backing": list(fixed.backing[e]),
                    "positions_from": fixed.positions_from[e],
                    "rank": rank,
                    "score": _float(self.scores[e]),
                    "themes": themes_of,
                    "statements": statements,
                    "interval": None if math.isnan(low) else [low, high],
                    "close_to_top": close,
                    "position": dict(fixed.positions[e]),
                }
            )
        return results


def _float(x: float) -> float | None:
    return None if math.isnan(x) else x


def _answer(position: Any) -> str | None:
    return None if position is None else str(position.answer)
