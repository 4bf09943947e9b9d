"""account password links: a setup link may belong to one account (invite, reset)

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_setup_link_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_setup_link_account_id_account'), 'account', ['account_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_setup_link_account_id_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_setup_link_account_id'))
        batch_op.drop_column('account_id')
