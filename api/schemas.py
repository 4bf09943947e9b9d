"""Response shapes of the JSON API, as /docs shows them."""

import datetime as dt

from pydantic import BaseModel, Field

from vaa.donations import THRESHOLD, Statistics


class ElectionSummary(BaseModel):
    election: str
    title: dict[str, str]
    languages: list[str]
    date: dt.date | None
    version: str
    number: int
    published_at: dt.datetime | None
    bundle: str


class ElectionDetail(ElectionSummary):
    description: dict[str, str] | None
    publisher: dict[str, str] | None
    statements: int
    entities: int
    themes: dict[str, dict[str, str]]
    method: str
    missing: str
    constituencies: list["ConstituencyInfo"] = Field(
        default_factory=list, description="Places a voter can pick; a tree through `within`."
    )
    races: list["RaceInfo"] = Field(
        default_factory=list, description="The races in ballot order; empty: one race of all."
    )


class ConstituencyInfo(BaseModel):
    id: str
    name: dict[str, str]
    within: str | None


class RaceInfo(BaseModel):
    id: str
    title: dict[str, str]
    constituency: str
    entities: list[str]


class StatementMatch(BaseModel):
    entity_answer: str | None
    agreement: float | None


class EntityResult(BaseModel):
    entity: str
    name: str
    kind: str
    party: str | None = Field(default=None, description="A candidate's nominating party.")
    backing: list[str] = Field(default_factory=list, description="Other supporting parties.")
    positions_from: str | None = Field(
        default=None, description="The entity whose positions this one uses."
    )
    rank: int
    score: float | None
    themes: dict[str, float | None]
    statements: dict[str, StatementMatch]
    interval: tuple[float, float] | None
    close_to_top: bool
    position: dict[str, float | None]


class RaceResult(BaseModel):
    race: str
    title: str | None
    constituency: str | None
    results: list[EntityResult] = Field(description="Only this race's entities that answered.")
    did_not_answer: list[str] = Field(description="Entities in the race that answered nothing.")
    sensitivity: dict[str, str | None]


class MatchResponse(BaseModel):
    election: str
    version: str
    method: str
    missing: str
    language: str
    answered: int
    results: list[EntityResult]
    position: dict[str, float | None]
    sensitivity: dict[str, str | None]
    constituency: str | None = None
    races: list[RaceResult] = Field(
        default_factory=list,
        description="One ranking per race the constituency votes in (every race when no "
        "constituency is given); empty when the election has no races.",
    )


class Problem(BaseModel):
    detail: str
    code: str | None = Field(
        default=None, description="A stable name for the problem, e.g. answers.statement."
    )
    message: str | None = Field(
        default=None, description="The problem in the request's language (Accept-Language)."
    )


class OptionCount(BaseModel):
    option: str
    count: int


class StatementStatistics(BaseModel):
    statement: str
    answers: list[OptionCount]
    skipped: int
    important: int
    total: int


class StatisticsResponse(BaseModel):
    election: str
    version: str
    threshold: int
    needed: int
    donations: int | None
    statements: list[StatementStatistics] | None


def statistics_response(found: Statistics) -> StatisticsResponse:
    """The API shape of an election's statistics (nothing but `needed` below the threshold)."""
    shown = found.statements is not None
    return StatisticsResponse(
        election=found.election,
        version=found.version,
        threshold=THRESHOLD,
        needed=found.needed,
        donations=found.donations if shown else None,
        statements=None
        if found.statements is None
        else [
            StatementStatistics(
                statement=s.statement,
                answers=[OptionCount(option=o, count=n) for o, n in s.options.items()],
                skipped=s.skipped,
                important=s.important,
                total=s.total,
            )
            for s in found.statements
        ],
    )
