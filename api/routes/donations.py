"""Anonymous donations of answers (by the voter's choice) and the statistics made from them."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, HTTPException, Request, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep
from api.routes.openapi import problems, strict_body
from api.schemas import StatisticsResponse, statistics_response
from api.throttle import Throttle, client_address, retry_minutes, throttles
from vaa.donations import (
    TOKEN_LIFETIME,
    InvalidToken,
    donate,
    issue_token,
    statistics,
    use_token,
)
from vaa.results import MAX_ITEMS, Id
from vaa.store import published_ref

router = APIRouter(prefix="/api/v1", tags=["donations"])


class DonationRequest(BaseModel):
    """A voter's answers to one questionnaire version: statement id -> option id or null."""

    model_config = strict_body(
        {
            "version": "…checksum…",
            "token": "…from POST donation-tokens…",
            "answers": {"e-petitions": "agree", "youth-space": None},
            "weights": {"e-petitions": 2},
        }
    )

    version: Annotated[str, Field(min_length=1, max_length=64)]
    token: Annotated[str, Field(min_length=1, max_length=64)]
    """A one-time token from the result page or from POST .../donation-tokens."""
    answers: Annotated[dict[Id, Id | None], Field(max_length=MAX_ITEMS)]
    weights: Annotated[dict[Id, Literal[0, 1, 2]], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=dict
    )


class DonationReceipt(BaseModel):
    stored: bool


class DonationToken(BaseModel):
    token: str
    expires_in: int
    """Seconds the token can be used (once)."""


DONATION_ERRORS = problems(
    {
        400: "The answers do not fit that version.",
        403: "The token is unknown, used or expired.",
        404: "No such published election or version.",
        429: "Too many donations from this address.",
    }
)
TOKEN_ERRORS = problems(
    {404: "No such published election.", 429: "Too many tokens for this address."}
)
STATISTICS_ERRORS = problems({404: "No such published election."})


@router.post("/elections/{election}/donations", status_code=201, responses=DONATION_ERRORS)
def create_donation(
    election: str,
    session: SessionDep,
    request: Annotated[DonationRequest, Body()],
    connection: Request,
) -> DonationReceipt:
    """Store one voter's answers anonymously, with the version and the day only."""
    refuse_donation_flood(connection)
    try:
        use_token(session, token=request.token)
    except InvalidToken as exc:
        raise HTTPException(403, str(exc)) from exc
    donate(  # an unknown election is a NotFound (404), answers that do not fit an Invalid (400)
        session,
        election=election,
        version=request.version,
        answers=request.answers,
        weights=request.weights,
    )
    session.commit()
    return DonationReceipt(stored=True)


@router.post("/elections/{election}/donation-tokens", status_code=201, responses=TOKEN_ERRORS)
def create_donation_token(
    election: str, session: SessionDep, connection: Request, response: Response
) -> DonationToken:
    """A one-time token for one donation (the result page has one already)."""
    if published_ref(session, slug=election) is None:
        raise HTTPException(404, f"no published election {election!r}")
    _refuse_flood(
        throttles(connection).donation_tokens,
        connection,
        "too many donation tokens for this address",
    )
    token = issue_token(session)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return DonationToken(token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()))


def refuse_donation_flood(request: Request) -> None:
    """429 once this client (or everyone together) has donated too often lately."""
    _refuse_flood(throttles(request).donations, request, "too many donations from this address")


def _refuse_flood(throttle: Throttle, request: Request, refusal: str) -> None:
    """429 with Retry-After while `throttle` holds this client back."""
    wait = throttle.check(client_address(request))
    if wait:
        minutes = retry_minutes(wait)
        raise HTTPException(
            429,
            f"{refusal}; try again in {minutes} min",
            {"Retry-After": str(minutes * 60)},
        )


@router.get("/elections/{election}/statistics", responses=STATISTICS_ERRORS)
def read_statistics(election: str, session: SessionDep, response: Response) -> StatisticsResponse:
    """Count the donated answers per statement, once enough donations exist."""
    found = statistics(session, election=election)
    response.headers["Cache-Control"] = "public, max-age=60"
    return statistics_response(found)
