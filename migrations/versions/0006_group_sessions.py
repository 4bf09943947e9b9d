"""group sessions: join codes, anonymous participants, their answers, show-of-hands tallies

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('group_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('min_group', sa.Integer(), nullable=False),
    sa.Column('kiosk_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('aggregate', sa.JSON(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_group_session_election_id_election')),
    sa.ForeignKeyConstraint(['facilitator_id'], ['account.id'], name=op.f('fk_group_session_facilitator_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_session'))
    )
    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_session_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_session_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_session_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('participant',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('donate', sa.Boolean(), nullable=False),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['group_session.id'], name=op.f('fk_participant_session_id_group_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_session_id'), ['session_id'], unique=False)

    op.create_table('session_answer',
    sa.Column('participant_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_session_answer_participant_id_participant')),
    sa.PrimaryKeyConstraint('participant_id', 'statement', name=op.f('pk_session_answer'))
    )

    op.create_table('paper_tally',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('option', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['group_session.id'], name=op.f('fk_paper_tally_session_id_group_session')),
    sa.PrimaryKeyConstraint('session_id', 'statement', 'option', name=op.f('pk_paper_tally'))
    )


def downgrade() -> None:
    op.drop_table('paper_tally')
    op.drop_table('session_answer')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_session_id'))

    op.drop_table('participant')
    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_session_facilitator_id'))
        batch_op.drop_index(batch_op.f('ix_group_session_election_id'))
        batch_op.drop_index(batch_op.f('ix_group_session_code'))

    op.drop_table('group_session')
