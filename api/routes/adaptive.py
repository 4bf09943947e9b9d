"""Quick mode: the next statement to ask and the certainty of the top match (stores nothing)."""

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from api.deps import PublishedDep, SessionDep
from api.next_statement import NextRequest, next_step
from api.published import load_prepared
from api.routes.elections import BAD_ANSWERS

router = APIRouter(prefix="/api/v1", tags=["elections"])


class NextResponse(BaseModel):
    statement: str | None = Field(description="The next statement to ask; null when none is left.")
    certainty: float = Field(ge=0, le=1, description="P(the top match stays after every answer).")
    settled: bool = Field(
        description="certainty >= the election's threshold (questionnaire matching.settled, 0.9)."
    )


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
