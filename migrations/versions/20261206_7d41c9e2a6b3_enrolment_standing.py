"""the standing kept on each enrolment (progress, grade, started, completed), indexed by course
for the learners page's sorts, and backfilled from the learners' records

Revision ID: 7d41c9e2a6b3
Revises: fbf3abdaf858
Create Date: 2026-12-06 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41c9e2a6b3"
down_revision: str | Sequence[str] | None = 'fbf3abdaf858'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): enrolment is not recreated on SQLite.
    op.add_column(
        "enrolment", sa.Column("progress", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("enrolment", sa.Column("grade", sa.Float(), nullable=True))
    op.add_column(
        "enrolment", sa.Column("started", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "enrolment", sa.Column("completed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        "ix_enrolment_course_progress", "enrolment", ["course_id", "progress", "id"], unique=False
    )
    op.create_index(
        "ix_enrolment_course_grade", "enrolment", ["course_id", "grade", "id"], unique=False
    )
    _backfill()


def _backfill() -> None:
    """Count the standing of every enrolment, one UPDATE per course, with the rule's SQL as the
    application has it (`refresh_standing`). A database without enrolments (a new one) has
    nothing to count."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM enrolment LIMIT 1")).first() is None:
        return
    from sqlalchemy.orm import Session

    from mooc.learning.analytics import refresh_standing

    session = Session(bind=bind)
    courses = bind.execute(
        sa.text(
            "SELECT id, pass_mark FROM course"
            " WHERE id IN (SELECT DISTINCT course_id FROM enrolment)"
        )
    ).all()
    for course_id, pass_mark in courses:
        refresh_standing(session, course_id, pass_mark)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_enrolment_course_grade", table_name="enrolment")
    op.drop_index("ix_enrolment_course_progress", table_name="enrolment")
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_column("completed")
        batch.drop_column("started")
        batch.drop_column("grade")
        batch.drop_column("progress")
