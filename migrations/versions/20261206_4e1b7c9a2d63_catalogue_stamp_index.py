"""the catalogue's stamp (the courses' last change) read from the end of an index, so a kept
catalogue page costs one indexed look-up however many courses there are

Revision ID: 4e1b7c9a2d63
Revises: 5da9dd286c6e
Create Date: 2026-12-06 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "4e1b7c9a2d63"
down_revision: str | Sequence[str] | None = "5da9dd286c6e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_course_updated_at", "course", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_course_updated_at", table_name="course")
