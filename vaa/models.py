"""Database tables (SQLModel). Alembic owns the schema: see migrations/.

An election has numbered versions. A published version is frozen: its rows and its
bundle (the exact bytes voters download) never change. Every text column holding a
{language: text} map is JSON.
"""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, without microseconds (what the audit log and versions show)."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Election(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class QuestionnaireVersion(SQLModel, table=True):
    """One version of an election's questionnaire with its entities and positions."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (sa.UniqueConstraint("election_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    number: int
    status: str = Field(max_length=16, default="draft")  # draft | published
    checksum: str | None = Field(default=None, max_length=64, index=True)
    title: dict[str, str] = _json()
    description: dict[str, str] | None = _json(nullable=True)
    publisher: dict[str, str] | None = _json(nullable=True)
    languages: list[str] = _json()
    election_date: date | None = None
    scale: list[dict[str, Any]] = _json()
    method: str = Field(max_length=16)
    missing: str = Field(max_length=16)
    bundle: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class Theme(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)
    label: dict[str, str] = _json()


class Axis(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)
    label: dict[str, str] = _json()
    low: dict[str, str] = _json()
    high: dict[str, str] = _json()


class Statement(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)
    theme: str = Field(max_length=64)
    text: dict[str, str] = _json()
    info: dict[str, str] | None = _json(nullable=True)
    loadings: dict[str, float] = _json()


class Entity(SQLModel, table=True):
    """A party or a candidate, as one version knows it."""

    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # party | candidate
    name: dict[str, str] = _json()
    short: dict[str, str] | None = _json(nullable=True)
    description: dict[str, str] | None = _json(nullable=True)
    color: str | None = Field(default=None, max_length=7)
    url: str | None = Field(default=None, max_length=2000)
    party: str | None = Field(default=None, max_length=64)
    constituency: str | None = Field(default=None, max_length=200)
    fictional: bool = False


class Position(SQLModel, table=True):
    """An entity's answer to a statement, with its reasons in every language."""

    __table_args__ = (sa.UniqueConstraint("entity_id", "statement"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    statement: str = Field(max_length=64)
    answer: str = Field(max_length=64)
    justification: dict[str, str] | None = _json(nullable=True)
    source: str | None = Field(default=None, max_length=2000)
