"""The match path as it was before issue 14 item 4 (a frozen copy, for comparison only).

tests/api/test_match_floor.py checks the optimised vaa.results.score_answers and the
served route against this on hundreds of random requests.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vaa import matching, races
from vaa.content import Method, MissingPolicy
from vaa.errors import InvalidAnswers
from vaa.results import MatchRequest, PreparedElection, request_language


def reference_score_answers(prepared: PreparedElection, request: MatchRequest) -> dict[str, Any]:
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
    scoring = _Scoring(prepared, voter, weights, method, missing, language)
    everyone = scoring.rank(list(range(len(content.entities))))
    position = matching.axis_positions(voter[np.newaxis, :], prepared.loadings)[0]
    return {
        "election": content.slug,
        "version": prepared.version,
        "method": method,
        "missing": missing,
        "language": language,
        "constituency": place,
        "answered": int(answered.sum()),
        "results": everyone["results"],
        "position": {aid: _num(position[a]) for a, aid in enumerate(prepared.axis_ids)},
        "sensitivity": everyone["sensitivity"],
        "races": [scoring.race(ballot) for ballot in races.ballots(content, place) if q.races],
    }


@dataclass(frozen=True)
class _Scoring:
    """One voter's inputs, scored against any subset of the entities."""

    prepared: PreparedElection
    voter: NDArray[np.float64]
    weights: NDArray[np.float64]
    method: Method
    missing: MissingPolicy
    language: str

    def race(self, ballot: races.Ballot) -> dict[str, Any]:
        """One race: its entities that answered, ranked among themselves; the silent listed."""
        p = self.prepared
        index = {eid: e for e, eid in enumerate(p.entity_ids)}
        members = [index[eid] for eid in ballot.entity_ids]
        answering = [e for e in members if not np.isnan(p.entity_answers[e]).all()]
        ranked = (
            self.rank(answering)
            if answering
            else {"results": [], "sensitivity": dict.fromkeys(matching.METHODS)}
        )
        return {
            "race": ballot.id,
            "title": ballot.title[self.language] if ballot.title else None,
            "constituency": ballot.constituency,
            "results": ranked["results"],
            "did_not_answer": [p.entity_ids[e] for e in members if e not in answering],
            "sensitivity": ranked["sensitivity"],
        }

    def rank(self, members: list[int]) -> dict[str, Any]:
        """Results and method sensitivity among `members` (entity indices) only."""
        p = self.prepared
        content = p.content
        ids = [p.entity_ids[e] for e in members]
        answers = p.entity_answers[members]
        try:
            result = matching.match(
                self.voter,
                self.weights,
                answers,
                entity_ids=ids,
                themes=p.theme_of,
                n_themes=len(p.theme_ids),
                method=self.method,
                missing=self.missing,
            )
        except ValueError as exc:  # the engine's own checks; the request was well-formed
            raise InvalidAnswers("answers.engine", str(exc)) from exc
        top = matching.sensitivity(
            self.voter, self.weights, answers, entity_ids=ids, missing=self.missing
        )
        answered = ~np.isnan(self.voter) & (self.weights > 0)
        answered_at = [(i, sid) for i, sid in enumerate(p.statement_ids) if answered[i]]
        results = []
        for k in result.order:
            e = members[k]
            entity = content.entities[e]
            positions = content.positions_of(entity)
            results.append(
                {
                    "entity": entity.id,
                    "name": entity.name[self.language],
                    "kind": entity.kind,
                    "party": entity.party,
                    "backing": list(entity.backing),
                    "positions_from": entity.positions_from,
                    "rank": int(result.ranks[k]),
                    "score": _num(result.scores[k]),
                    "themes": {
                        tid: _num(result.theme_scores[k, t]) for t, tid in enumerate(p.theme_ids)
                    },
                    "statements": {
                        sid: {
                            "entity_answer": _answer(positions.get(sid)),
                            "agreement": _num(result.agreements[k, i]),
                        }
                        for i, sid in answered_at
                    },
                    "interval": None
                    if math.isnan(result.intervals[k, 0])
                    else [float(result.intervals[k, 0]), float(result.intervals[k, 1])],
                    "close_to_top": bool(result.close_to_top[k]),
                    "position": {
                        aid: _num(p.entity_positions[e, a]) for a, aid in enumerate(p.axis_ids)
                    },
                }
            )
        return {
            "results": results,
            "sensitivity": {m: (ids[i] if i is not None else None) for m, i in top.items()},
        }


def _answer(position: Any) -> str | None:
    return None if position is None else str(position.answer)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
