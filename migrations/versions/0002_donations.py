"""donations: anonymous answers given by choice (the version and the day only)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 05:46:12.392730
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_donation_election_id_election')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation'))
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_election_id'), ['election_id'], unique=False)

    op.create_table('donation_answer',
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_donation_answer_donation_id_donation')),
    sa.PrimaryKeyConstraint('donation_id', 'statement', name=op.f('pk_donation_answer'))
    )


def downgrade() -> None:
    op.drop_table('donation_answer')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_election_id'))

    op.drop_table('donation')
