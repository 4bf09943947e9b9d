"""vaa.db: the engine, its SQLite pragmas, sessions that commit or roll back, migrations."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from vaa.db import alembic_config, create_db_engine, migrate, session_scope
from vaa.models import Election
from vaa.settings import Settings


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_a_session_scope_commits_at_the_end_and_rolls_back_on_error(engine: sa.Engine) -> None:
    with session_scope(engine) as db:
        db.add(Election(slug="kept"))
    with pytest.raises(RuntimeError), session_scope(engine) as db:
        db.add(Election(slug="dropped"))
        db.flush()
        raise RuntimeError("the change fails half-way")
    with Session(engine) as db:
        assert db.exec(select(Election.slug)).all() == ["kept"]


def test_objects_stay_readable_after_the_scope_commits(engine: sa.Engine) -> None:
    with session_scope(engine) as db:
        election = Election(slug="town")
        db.add(election)
    assert (election.slug, election.id) == ("town", 1)  # not expired by the commit


def test_migrate_creates_the_schema_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    engine = create_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}"))
    try:
        migrate(engine)
        tables = set(sa.inspect(engine).get_table_names())
        assert {"election", "questionnaire_version", "account", "audit_entry"} <= tables
        with engine.connect() as conn:
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        migrate(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head
        assert alembic_config(engine).get_main_option("sqlalchemy.url") == str(engine.url)
    finally:
        engine.dispose()
