"""Alembic owns the schema: the migrations build exactly what the models declare."""

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from vaa.db import alembic_config


def test_migrations_match_the_models(engine: sa.Engine) -> None:
    # The fixture database was built by `upgrade head`; `check` fails on any drift.
    command.check(alembic_config(engine))


def test_upgrade_is_repeatable(engine: sa.Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head
