"""an index for the university's request queue: items of one institution in one state, oldest first

Revision ID: 84ca3a9bacea
Revises: 6aac7523ea8b
Create Date: 2026-12-05 13:17:50.087435
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "84ca3a9bacea"
down_revision: str | Sequence[str] | None = "6aac7523ea8b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transfer_request_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfer_request_item_queue",
            ["institution_id", "state", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("transfer_request_item", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_request_item_queue")
