"""Elections and their versions in the database: write, read, publish.

Service functions take a session and keyword arguments; they are shared by the CLI,
the API and the tests.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, SQLModel, col, select

from vaa.content import (
    Axis,
    Constituency,
    ElectionContent,
    Entity,
    MatchingDefaults,
    Position,
    Questionnaire,
    Race,
    ScaleOption,
    Statement,
    Theme,
)
from vaa.models import (
    Axis as AxisRow,
)
from vaa.models import (
    Election,
    QuestionnaireVersion,
    utcnow,
)
from vaa.models import (
    Entity as EntityRow,
)
from vaa.models import (
    Position as PositionRow,
)
from vaa.models import (
    Statement as StatementRow,
)
from vaa.models import (
    Theme as ThemeRow,
)
from vaa.publish import build_bundle, checksum, content_from_bundle

_Row = TypeVar("_Row", ThemeRow, AxisRow, StatementRow, EntityRow)
_Table = TypeVar("_Table", bound=SQLModel)
_Item = TypeVar("_Item", bound=BaseModel)


@dataclass(frozen=True)
class PublishOutcome:
    """What publishing did: the version voters now see, and whether it is new."""

    version: QuestionnaireVersion
    created: bool


def get_election(session: Session, *, slug: str) -> Election | None:
    """The election with this slug, if any."""
    return session.exec(select(Election).where(Election.slug == slug)).first()


def latest_published(session: Session, *, election_id: int) -> QuestionnaireVersion | None:
    """The newest published version of an election: what voters see."""
    return session.exec(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.election_id == election_id)
        .where(QuestionnaireVersion.status == "published")
        .order_by(col(QuestionnaireVersion.number).desc())
    ).first()


VISIBILITIES = ("listed", "hidden", "archived", "unpublished")


def published_versions(
    session: Session, *, listed: bool = False
) -> Sequence[tuple[Election, QuestionnaireVersion]]:
    """Every election voters can open, with its newest version, by slug.

    Unpublished elections are left out; with listed=True, hidden and archived ones too
    (what the public home page and the election list show).
    """
    query = (
        select(Election, QuestionnaireVersion)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.election_id) == Election.id)
        .where(QuestionnaireVersion.status == "published")
        .where(Election.visibility != "unpublished")
        .order_by(Election.slug, col(QuestionnaireVersion.number).desc())
    )
    if listed:
        query = query.where(Election.visibility == "listed")
    rows = session.exec(query).all()
    newest: dict[str, tuple[Election, QuestionnaireVersion]] = {}
    for election, version in rows:
        newest.setdefault(election.slug, (election, version))
    return list(newest.values())


def version_by_checksum(
    session: Session, *, election_id: int, version: str
) -> QuestionnaireVersion | None:
    """A published version of an election by its checksum."""
    return session.exec(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.election_id == election_id)
        .where(QuestionnaireVersion.checksum == version)
        .where(QuestionnaireVersion.status == "published")
        .order_by(col(QuestionnaireVersion.number))
    ).first()


_generation = 0


def _published_changed() -> None:
    global _generation
    _generation += 1


def published_generation() -> int:
    """A counter this process bumps whenever it publishes (and again when that commits),
    so a per-process cache of published versions knows to look again at once."""
    return _generation


def publish(session: Session, *, content: ElectionContent) -> PublishOutcome:
    """Make content the version voters see; identical content creates nothing.

    The caller validates the content first and commits the session afterwards.
    """
    election = get_election(session, slug=content.slug)
    if election is None:
        election = Election(slug=content.slug)
        session.add(election)
        session.flush()
    assert election.id is not None
    lock_election(session, election_id=election.id)
    current = latest_published(session, election_id=election.id)
    digest = checksum(content)
    if current is not None and current.checksum == digest:
        return PublishOutcome(current, created=False)
    number = 1 + max(
        session.exec(
            select(QuestionnaireVersion.number).where(
                QuestionnaireVersion.election_id == election.id
            )
        ).all(),
        default=0,
    )
    version = write_version(session, election_id=election.id, number=number, content=content)
    _published_changed()
    sa.event.listen(session, "after_commit", lambda _: _published_changed(), once=True)
    version.status = "published"
    version.checksum = digest
    version.bundle = build_bundle(content)
    version.published_at = utcnow()
    session.add(version)
    session.flush()
    return PublishOutcome(version, created=True)


def lock_election(session: Session, *, election_id: int) -> None:
    """Take the election's write lock until the transaction ends.

    A no-op update: PostgreSQL locks the row and SQLite the database, so a second
    publish of the same election waits, then sees the first one's version.
    """
    session.execute(
        sa.update(Election).where(col(Election.id) == election_id).values(slug=Election.slug)
    )


def write_version(
    session: Session, *, election_id: int, number: int, content: ElectionContent
) -> QuestionnaireVersion:
    """Insert a new draft version holding this content."""
    q = content.questionnaire
    version = QuestionnaireVersion(
        election_id=election_id,
        number=number,
        title=dict(q.title),
        description=_opt(q.description),
        publisher=_opt(q.publisher),
        languages=list(q.languages),
        election_date=q.date,
        scale=[o.model_dump() for o in q.scale],
        method=q.matching.method,
        missing=q.matching.missing,
        constituencies=[c.model_dump(exclude_none=True) for c in q.constituencies] or None,
        races=[r.model_dump() for r in q.races] or None,
    )
    session.add(version)
    session.flush()
    vid = version.id
    assert vid is not None
    items = ((ThemeRow, q.themes), (AxisRow, q.axes), (StatementRow, q.statements))
    for table, found in items:
        session.add_all(
            _row(table, item, version_id=vid, ordinal=i) for i, item in enumerate(found)
        )
    for i, e in enumerate(content.entities):
        row = _row(EntityRow, e, version_id=vid, ordinal=i)
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all(
            _row(PositionRow, p, entity_id=row.id, statement=statement)
            for statement, p in e.positions.items()
        )
    session.flush()
    return version


def read_content(session: Session, *, version: QuestionnaireVersion, slug: str) -> ElectionContent:
    """Rebuild an election's content from a version's rows."""
    vid = version.id

    def rows(table: type[_Row]) -> Sequence[_Row]:
        return session.exec(
            select(table).where(table.version_id == vid).order_by(col(table.ordinal))
        ).all()

    entities = rows(EntityRow)
    positions: dict[int, list[PositionRow]] = {}
    if entities:
        for p in session.exec(
            select(PositionRow)
            .where(col(PositionRow.entity_id).in_([e.id for e in entities]))
            .order_by(col(PositionRow.id))
        ).all():
            positions.setdefault(p.entity_id, []).append(p)
    questionnaire = Questionnaire(
        election=slug,
        title=version.title,
        languages=version.languages,
        date=version.election_date,
        description=version.description,
        publisher=version.publisher,
        scale=[ScaleOption(**o) for o in version.scale],
        themes=[_item(Theme, t) for t in rows(ThemeRow)],
        axes=[_item(Axis, a) for a in rows(AxisRow)],
        statements=[_item(Statement, s) for s in rows(StatementRow)],
        constituencies=[Constituency(**c) for c in version.constituencies or []],
        races=[Race(**r) for r in version.races or []],
        matching=MatchingDefaults.model_validate(
            {"method": version.method, "missing": version.missing, **_settled(version)}
        ),
    )
    return ElectionContent(
        questionnaire=questionnaire,
        entities=[
            _item(
                Entity,
                e,
                positions={p.statement: _item(Position, p) for p in positions.get(e.id or 0, [])},
            )
            for e in entities
        ],
    )


def _settled(version: QuestionnaireVersion) -> dict[str, float]:
    """Quick mode's threshold: it has no column, so it is read from the frozen bundle."""
    if version.bundle is None:
        return {}
    return {"settled": content_from_bundle(version.bundle).questionnaire.matching.settled}


# One column mapping for both directions: a row holds its content item's fields under the
# same names, but for the item's id (the row's `key`), a statement's axis loadings, and an
# entity's positions (rows of their own). An empty list is stored as NULL.
_COLUMN = {"id": "key", "axes": "loadings"}
_OWN_ROWS = {"positions"}


def _row(table: type[_Table], item: BaseModel, **own: object) -> _Table:
    """The row storing a content item; `own` are the columns the content does not hold."""
    fields = item.model_dump(exclude=_OWN_ROWS)
    return table(**own, **{_COLUMN.get(f, f): v if v != [] else None for f, v in fields.items()})


def _item(model: type[_Item], row: SQLModel, **more: object) -> _Item:
    """The content item a row stores; a NULL column leaves the field at its default."""
    fields = (f for f in model.model_fields if f not in _OWN_ROWS and f not in more)
    values = {f: getattr(row, _COLUMN.get(f, f)) for f in fields}
    return model(**{f: v for f, v in values.items() if v is not None}, **more)


def _opt(text: dict[str, str] | None) -> dict[str, str] | None:
    return dict(text) if text is not None else None


@dataclass(frozen=True)
class VersionRef:
    """The light facts about a published version, read without its bundle."""

    slug: str
    version_id: int
    number: int
    checksum: str
    archived: bool = False


def published_ref(session: Session, *, slug: str) -> VersionRef | None:
    """The newest published version of an election, without loading its bundle.

    None for an unpublished election: its voter pages are gone, though its bundles stay
    retrievable by checksum (version_by_checksum).
    """
    row = session.exec(
        select(
            QuestionnaireVersion.id,
            QuestionnaireVersion.number,
            QuestionnaireVersion.checksum,
            Election.visibility,
        )
        .join(Election, col(Election.id) == QuestionnaireVersion.election_id)
        .where(Election.slug == slug)
        .where(QuestionnaireVersion.status == "published")
        .where(Election.visibility != "unpublished")
        .order_by(col(QuestionnaireVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    version_id, number, digest, visibility = row
    assert version_id is not None and digest is not None
    return VersionRef(
        slug=slug,
        version_id=version_id,
        number=number,
        checksum=digest,
        archived=visibility == "archived",
    )


def bundle_bytes(session: Session, *, version_id: int) -> bytes:
    """The frozen bundle of a published version."""
    bundle = session.exec(
        select(QuestionnaireVersion.bundle).where(QuestionnaireVersion.id == version_id)
    ).one()
    assert bundle is not None
    return bundle
