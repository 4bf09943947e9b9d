"""vaa.models: the tables as both backends hold them (what Alembic's schema enforces)."""

from datetime import UTC

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from vaa.db import session_scope
from vaa.models import Election, Entity, Position, QuestionnaireVersion, Theme, utcnow


def _version(db: Session, slug: str = "town") -> QuestionnaireVersion:
    election = Election(slug=slug)
    db.add(election)
    db.flush()
    assert election.id is not None
    version = QuestionnaireVersion(
        election_id=election.id, number=1, title={"ka": "ქალაქი", "en": "Town"},
        languages=["ka", "en"], scale=[], method="cityblock", missing="max",
    )  # fmt: skip
    db.add(version)
    db.flush()
    return version


def test_utcnow_is_aware_utc_to_the_second() -> None:
    now = utcnow()
    assert now.tzinfo is UTC and now.microsecond == 0


def test_a_new_election_is_listed(engine: sa.Engine) -> None:
    with session_scope(engine) as db:
        db.add(Election(slug="town"))
    with Session(engine) as db:
        assert db.exec(select(Election.visibility)).one() == "listed"


def test_text_columns_keep_georgian_text_as_a_language_map(engine: sa.Engine) -> None:
    with session_scope(engine) as db:
        version = _version(db)
        assert version.id is not None
        db.add(Theme(version_id=version.id, ordinal=0, key="roads", label={"ka": "გზები"}))
    with Session(engine) as db:
        theme = db.exec(select(Theme)).one()
        stored = db.exec(select(QuestionnaireVersion)).one()
    assert theme.label == {"ka": "გზები"}
    assert (stored.title, stored.languages, stored.description) == (
        {"ka": "ქალაქი", "en": "Town"},
        ["ka", "en"],
        None,
    )


@pytest.mark.parametrize(
    "duplicate",
    [
        lambda version_id, entity_id: Election(slug="town"),
        lambda version_id, entity_id: Theme(
            version_id=version_id, ordinal=1, key="roads", label={"en": "Again"}
        ),
        lambda version_id, entity_id: Position(entity_id=entity_id, statement="s1", answer="no"),
    ],
    ids=["election slug", "theme key in a version", "entity's answer to a statement"],
)
def test_one_of_each_is_enforced_by_the_database(engine: sa.Engine, duplicate: object) -> None:
    with session_scope(engine) as db:
        version = _version(db)
        assert version.id is not None
        db.add(Theme(version_id=version.id, ordinal=0, key="roads", label={"en": "Roads"}))
        entity = Entity(version_id=version.id, ordinal=0, key="p", kind="party", name={"en": "P"})
        db.add(entity)
        db.flush()
        assert entity.id is not None
        db.add(Position(entity_id=entity.id, statement="s1", answer="yes"))
        ids = (version.id, entity.id)
    with pytest.raises(sa.exc.IntegrityError), session_scope(engine) as db:
        db.add(duplicate(*ids))  # type: ignore[operator]


def test_a_position_needs_its_entity(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), session_scope(engine) as db:
        db.add(Position(entity_id=999, statement="s1", answer="yes"))


def test_constraints_have_stable_names() -> None:
    unique = {
        c.name
        for c in SQLModel.metadata.tables["theme"].constraints
        if isinstance(c, sa.UniqueConstraint)
    }
    assert unique == {"uq_theme_version_id"}
