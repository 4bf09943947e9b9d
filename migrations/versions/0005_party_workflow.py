"""party workflow: invitations, submissions and each election's editing window

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('party_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('positions', sa.JSON(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_submission')),
    sa.UniqueConstraint('election', 'entity', name=op.f('uq_party_submission_election'))
    )
    with op.batch_alter_table('party_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_submission_election'), ['election'], unique=False)

    op.create_table('party_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('justification_limit', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_window')),
    sa.UniqueConstraint('election', name=op.f('uq_party_window_election'))
    )
    op.create_table('party_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_party_invitation_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_invitation'))
    )
    with op.batch_alter_table('party_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_invitation_election'), ['election'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_invitation_token_hash'), ['token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('party_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_invitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_party_invitation_election'))

    op.drop_table('party_invitation')
    op.drop_table('party_window')
    with op.batch_alter_table('party_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_submission_election'))

    op.drop_table('party_submission')
