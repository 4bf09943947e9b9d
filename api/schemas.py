"""Response shapes of the JSON API, as /docs shows them."""

import datetime as dt

from pydantic import BaseModel


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


class StatementMatch(BaseModel):
    entity_answer: str | None
    agreement: float | None


class EntityResult(BaseModel):
    entity: str
    name: str
    kind: str
    rank: int
    score: float | None
    themes: dict[str, float | None]
    statements: dict[str, StatementMatch]
    interval: tuple[float, float] | None
    close_to_top: bool
    position: dict[str, float | None]


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


class Problem(BaseModel):
    detail: str
