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
    """Now, in UTC, to the second (what the audit log and versions show)."""
    return datetime.now(UTC).replace(microsecond=0)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Election(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # listed: on the home page; hidden: reachable by link only; archived: not listed, voter
    # pages say so; unpublished: voter pages 404 (bundles stay retrievable by checksum).
    visibility: str = Field(
        default="listed", max_length=16, sa_column_kwargs={"server_default": "listed"}
    )


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
    constituencies: list[dict[str, Any]] | None = _json(nullable=True)  # None: no places
    races: list[dict[str, Any]] | None = _json(nullable=True)  # None: one implicit race
    bundle: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class VersionItem(SQLModel):
    """The columns every ordered, keyed item of a version has (themes, axes, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)


class Theme(VersionItem, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    label: dict[str, str] = _json()


class Axis(VersionItem, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    label: dict[str, str] = _json()
    low: dict[str, str] = _json()
    high: dict[str, str] = _json()


class Statement(VersionItem, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    theme: str = Field(max_length=64)
    text: dict[str, str] = _json()
    info: dict[str, str] | None = _json(nullable=True)
    loadings: dict[str, float] = _json()


class Entity(VersionItem, table=True):
    """A party or a candidate, as one version knows it."""

    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    kind: str = Field(max_length=16)  # party | candidate
    name: dict[str, str] = _json()
    short: dict[str, str] | None = _json(nullable=True)
    description: dict[str, str] | None = _json(nullable=True)
    color: str | None = Field(default=None, max_length=7)
    url: str | None = Field(default=None, max_length=2000)
    party: str | None = Field(default=None, max_length=64)
    constituency: str | None = Field(default=None, max_length=200)
    fictional: bool = False
    races: list[str] | None = _json(nullable=True)
    backing: list[str] | None = _json(nullable=True)
    positions_from: str | None = Field(default=None, max_length=64)


class Position(SQLModel, table=True):
    """An entity's answer to a statement, with its reasons in every language."""

    __table_args__ = (sa.UniqueConstraint("entity_id", "statement"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    statement: str = Field(max_length=64)
    answer: str = Field(max_length=64)
    justification: dict[str, str] | None = _json(nullable=True)
    source: str | None = Field(default=None, max_length=2000)


class Donation(SQLModel, table=True):
    """One voter's answers, given anonymously by choice: the version and the day, nothing else.

    No time of day, address or browser details; the answers are in DonationAnswer.
    """

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    version: str = Field(max_length=64)
    day: date


class DonationAnswer(SQLModel, table=True):
    """A donated answer to one statement: an option id, or None when skipped."""

    __tablename__ = "donation_answer"

    donation_id: int = Field(foreign_key="donation.id", primary_key=True)
    statement: str = Field(max_length=64, primary_key=True)
    answer: str | None = Field(default=None, max_length=64)
    weight: int = 1


class DonationToken(SQLModel, table=True):
    """A one-time donation token; only its SHA-256 is kept, nothing that links it to the
    donation. Issued to the result page's script and deleted when used; or, for the form
    without JavaScript, recorded when used."""

    __tablename__ = "donation_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    expires_at: datetime = Field(index=True)


class Account(SQLModel, table=True):
    """Someone who signs in: an admin, editor, facilitator, or one party's representative."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)  # admin | editor | facilitator | party
    election: str | None = Field(default=None, max_length=64)  # party only: election slug
    entity: str | None = Field(default=None, max_length=64)  # party only: entity id
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class AccountSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept."""

    __tablename__ = "account_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept for the rate limit (per e-mail address and client address)."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)


class SetupLink(SQLModel, table=True):
    """A one-time link: without an account, to create the first admin; with one, to set
    that account's password (an invitation or a reset). Only the token's SHA-256 is kept."""

    __tablename__ = "setup_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """One change (or sign-in) by someone: who, when, what, and the data before and after."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254, index=True)
    action: str = Field(max_length=64, index=True)
    target: str = Field(max_length=300)
    before: Any = _json(nullable=True)
    after: Any = _json(nullable=True)


class Draft(SQLModel, table=True):
    """The editable next version of an election, as plain content data.

    Kept as one JSON document, not as version rows: a draft may be incomplete or
    invalid while editors work on it; publishing validates it and freezes a version.
    """

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", unique=True)
    data: dict[str, Any] = _json()
    revision: int = 1  # bumped on every save, so two editors cannot overwrite each other
    updated_at: datetime = Field(default_factory=utcnow)


class PartyInvitation(SQLModel, table=True):
    """A link for one entity's representative to create its party account (issue 4).

    Only the token's SHA-256 is kept; the link is shown once, to whoever created it.
    """

    __tablename__ = "party_invitation"

    id: int | None = Field(default=None, primary_key=True)
    election: str = Field(max_length=64, index=True)  # election slug
    entity: str = Field(max_length=64)  # entity id in the election's draft
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    accepted_at: datetime | None = None
    account_id: int | None = Field(default=None, foreign_key="account.id")


class PartySubmission(SQLModel, table=True):
    """One entity's working copy of its positions and where it stands in review.

    status: draft (being edited) | pending (submitted) | returned (with a comment) |
    approved (written into the election's draft). `positions` maps a statement id to
    {"answer": option id or null, "justification": {language: text}, "source": url or null}.
    """

    __tablename__ = "party_submission"
    __table_args__ = (sa.UniqueConstraint("election", "entity"),)

    id: int | None = Field(default=None, primary_key=True)
    election: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=64)
    status: str = Field(max_length=16, default="draft")
    positions: dict[str, Any] = _json()
    comment: str | None = Field(default=None, max_length=4000)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(max_length=254)
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = Field(default=None, max_length=254)


class PartyWindow(SQLModel, table=True):
    """When parties of an election may edit: a deadline, a lock, the justification limit."""

    __tablename__ = "party_window"

    id: int | None = Field(default=None, primary_key=True)
    election: str = Field(max_length=64, unique=True)
    deadline: datetime | None = None
    locked: bool = False
    justification_limit: int = 500  # characters per language
    updated_at: datetime = Field(default_factory=utcnow)


# --- group sessions (issue 5) ------------------------------------------------------------


class GroupSession(SQLModel, table=True):
    """A facilitator's group session on one published version: joined by a short code.

    `changes` grows with every write to the session itself (a tally, closing); a
    participant's answers move that participant's own counter instead, so answers from
    a whole room never queue on this one row. The projector streams of every worker
    notice new data from both with one cheap query (vaa.group_sessions.changes_of).
    `aggregate` holds the group's anonymous summary once the session is closed.
    """

    __tablename__ = "group_session"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, index=True)  # unique among open sessions
    election_id: int = Field(foreign_key="election.id", index=True)
    version: str = Field(max_length=64)  # the checksum of the published version
    language: str = Field(max_length=16)
    place: str | None = Field(default=None, max_length=200)
    constituency: str | None = Field(default=None, max_length=64)  # None: every race
    day: date | None = None
    min_group: int = 5
    kiosk_minutes: int = 3
    status: str = Field(max_length=16, default="open")  # open | closed
    facilitator_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    changes: int = 0
    aggregate: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Participant(SQLModel, table=True):
    """Someone answering in a group session: a random id and the day, nothing about them.

    `source` is how the answers came in: phone, kiosk or paper (entered by the facilitator).
    """

    id: str = Field(primary_key=True, max_length=32)
    session_id: int = Field(foreign_key="group_session.id", index=True)
    day: date
    source: str = Field(max_length=16, default="phone")
    consent: bool = False
    donate: bool = False
    finished: bool = False
    changes: int = 0  # grows with each of this participant's writes (see GroupSession)


class SessionAnswer(SQLModel, table=True):
    """A participant's answer to one statement: an option id, or None when skipped."""

    __tablename__ = "session_answer"

    participant_id: str = Field(foreign_key="participant.id", primary_key=True, max_length=32)
    statement: str = Field(max_length=64, primary_key=True)
    answer: str | None = Field(default=None, max_length=64)
    weight: int = 1


class PaperTally(SQLModel, table=True):
    """A show of hands: how many people chose one option (or "skip") on one statement."""

    __tablename__ = "paper_tally"

    session_id: int = Field(foreign_key="group_session.id", primary_key=True)
    statement: str = Field(max_length=64, primary_key=True)
    option: str = Field(max_length=64, primary_key=True)
    count: int = 0
