"""course.content_revision: a counter bumped whenever the course outline or a published lecture
changes, so caches of the outline (and lecture pages' validators) know when they are stale

Revision ID: c3a1e5f0b7d2
Revises: 84ca3a9bacea
Create Date: 2026-12-05 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3a1e5f0b7d2"
down_revision: str | Sequence[str] | None = "84ca3a9bacea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_revision", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("content_revision")
