"""standing recounts deferred for large courses: the courses whose learners' standing waits
for the background recount (mooc.learning.recounts)

Revision ID: 901aabaed1f5
Revises: 9158189d0bb5
Create Date: 2026-12-07 13:40:54
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mooc.db

revision: str = "901aabaed1f5"
down_revision: str | Sequence[str] | None = "9158189d0bb5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standing_recount",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", mooc.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_standing_recount_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_standing_recount")),
    )


def downgrade() -> None:
    op.drop_table("standing_recount")
