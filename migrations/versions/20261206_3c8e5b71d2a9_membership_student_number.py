"""a university's student number on the student's membership, unique in its institution

Revision ID: 3c8e5b71d2a9
Revises: 725636dc7996
Create Date: 2026-12-06 02:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8e5b71d2a9"
down_revision: str | Sequence[str] | None = "725636dc7996"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): membership is not recreated on SQLite. NULLs (no number, and
    # every other role) never collide in a unique index, on SQLite or PostgreSQL.
    op.add_column("membership", sa.Column("student_number", sa.String(length=40), nullable=True))
    op.create_index(
        "ix_membership_student_number",
        "membership",
        ["institution_id", "student_number"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_membership_student_number", table_name="membership")
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("student_number")
