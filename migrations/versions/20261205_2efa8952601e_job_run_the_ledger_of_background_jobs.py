"""job_run: the ledger of background jobs (state, attempts, last error; one row per run, its id
the run's idempotency key)

Revision ID: 2efa8952601e
Revises: a130f7cbca81
Create Date: 2026-12-05 23:54:14.508410
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import mooc.db  # noqa: F401 - autogenerate renders its column types
from sqlalchemy.dialects import postgresql

revision: str = '2efa8952601e'
down_revision: str | Sequence[str] | None = 'a130f7cbca81'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_run',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('args', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('args_digest', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='job_run_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', mooc.db.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('due_at', mooc.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', mooc.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', mooc.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', mooc.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_job_run_state_finished', ['state', 'finished_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_state_finished')
        batch_op.drop_index('ix_job_run_state_due')

    op.drop_table('job_run')
