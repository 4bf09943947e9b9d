"""races and constituencies: places and races on a version, races/backing/positions_from on entities

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('constituencies', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('races', sa.JSON(), nullable=True))
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('races', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('backing', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('positions_from', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_column('positions_from')
        batch_op.drop_column('backing')
        batch_op.drop_column('races')
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.drop_column('races')
        batch_op.drop_column('constituencies')
