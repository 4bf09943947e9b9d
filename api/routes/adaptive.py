"""Quick mode: the next statement to ask and the certainty of the top match (stores nothing)."""

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from api.deps import PublishedDep, SessionDep
from api.routes.elections import BAD_ANSWERS, load_prepared
from vaa import adaptive, matching
from vaa.errors import InvalidAnswers
from vaa.results import Id, MatchRequest, PreparedElection, request_language

router = APIRouter(prefix="/api/v1", tags=["elections"])


class NextRequest(MatchRequest):
    """The match request, plus an optional race (checked against the election's races)."""

    race: Id | None = None  # bounded: an unknown race is named in the 400


class NextResponse(BaseModel):
    statement: str | None = Field(description="The next statement to ask; null when none is left.")
    certainty: float = Field(ge=0, le=1, description="P(the top match stays after every answer).")
    settled: bool = Field(
        description="certainty >= the election's threshold (questionnaire matching.settled, 0.9)."
    )


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


@router.post(
    "/elections/{election}/next",
    responses=BAD_ANSWERS,
)
def create_next(
    ref: PublishedDep, session: SessionDep, request: Annotated[NextRequest, Body()]
) -> NextResponse:
    """Choose the most informative unseen statement and say how settled the top match is."""
    prepared = load_prepared(session, ref)
    return NextResponse.model_validate(next_step(prepared, request))


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
