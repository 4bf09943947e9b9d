"""The statement quick mode asks next and the certainty of the top match, for one voter:
the same answer for the API (POST .../next) and for the quiz pages without JavaScript."""

from typing import Any

import numpy as np

from vaa import adaptive, matching
from vaa.errors import InvalidAnswers
from vaa.results import Id, MatchRequest, PreparedElection, request_language


class NextRequest(MatchRequest):
    """The match request, plus an optional race (checked against the election's races)."""

    race: Id | None = None  # bounded: an unknown race is named in the 400


def race_entities(prepared: PreparedElection, race: str | None) -> list[int]:
    """Indices of the entities standing in `race` that answered something (all entities
    when None); InvalidAnswers if the election has no such race."""
    fixed = prepared.fixed
    if race is None:
        return list(fixed.everyone)
    found = fixed.ballots(None) if prepared.content.questionnaire.races else []
    ballot = next((b for b in found if b.id == race), None)
    if ballot is None:
        raise InvalidAnswers("answers.race", race=race, races=[b.id for b in found])
    return [e for e in fixed.members(ballot) if fixed.answering[e]]


def next_step(prepared: PreparedElection, request: NextRequest) -> dict[str, Any]:
    """The API's answer for one voter (InvalidAnswers on bad input)."""
    q = prepared.content.questionnaire
    request_language(prepared, request)
    members = race_entities(prepared, request.race)
    voter, weights = prepared.voter_arrays(request.answers, request.weights)
    index = {sid: i for i, sid in enumerate(prepared.statement_ids)}
    shown = np.zeros(len(index), dtype=np.bool_)
    shown[[index[sid] for sid in request.answers]] = True
    result = adaptive.step(
        voter,
        weights,
        shown,
        matching.scale_positions(len(q.scale)),
        prepared.entity_answers[members],
        entity_ids=[prepared.entity_ids[e] for e in members],
        method=request.method or q.matching.method,
        missing=request.missing or q.matching.missing,
    )
    return {
        "statement": None if result.statement is None else prepared.statement_ids[result.statement],
        "certainty": result.certainty,
        "settled": result.certainty >= q.matching.settled,
    }
