"""First start: create the schema and, on an empty database, load the demo election."""

import sqlalchemy as sa
from sqlmodel import Session, select

from vaa.db import create_db_engine, migrate, session_scope
from vaa.loading import LoadOutcome, load_files
from vaa.models import Election
from vaa.settings import Settings


def prepare_database(settings: Settings) -> tuple[sa.Engine, list[LoadOutcome]]:
    """Migrate to the newest schema; load the demo files if there is no election yet."""
    engine = create_db_engine(settings)
    migrate(engine)
    with Session(engine) as session:
        empty = session.exec(select(Election.id).limit(1)).first() is None
    if not empty:
        return engine, []
    with session_scope(engine) as session:
        return engine, load_files(session, paths=settings.demo_files)
