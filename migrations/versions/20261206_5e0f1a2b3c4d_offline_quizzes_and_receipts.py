"""offline learning: quizzes a teacher made available offline, and the items devices sent
(one row per learner and client id, so a replayed sync changes nothing)

Revision ID: 5e0f1a2b3c4d
Revises: 5c0a1e7d9b21
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mooc.db import UTCDateTime

revision: str = "5e0f1a2b3c4d"
down_revision: str | Sequence[str] | None = '5c0a1e7d9b21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offline_quiz",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("enabled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quiz.id"], name="fk_offline_quiz_quiz_id_quiz", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["enabled_by_id"],
            ["user_account.id"],
            name="fk_offline_quiz_enabled_by_id_user_account",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("quiz_id", name="pk_offline_quiz"),
    )
    op.create_table(
        "offline_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("device_time", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name="fk_offline_receipt_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name="fk_offline_receipt_course_id_course",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_offline_receipt"),
        sa.UniqueConstraint("user_id", "client_id", name="uq_offline_receipt_user_id_client_id"),
    )
    op.create_index("ix_offline_receipt_course_id", "offline_receipt", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_offline_receipt_course_id", table_name="offline_receipt")
    op.drop_table("offline_receipt")
    op.drop_table("offline_quiz")
