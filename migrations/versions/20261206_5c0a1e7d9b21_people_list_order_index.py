"""an index for the people list's order (email, then username, then id), so a page of it is read
from the index instead of sorting every account

Revision ID: 5c0a1e7d9b21
Revises: a130f7cbca81
Create Date: 2026-12-06 00:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5c0a1e7d9b21"
down_revision: str | Sequence[str] | None = "a130f7cbca81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX (no batch): on SQLite a batch would recreate user_account and drop
    # its search triggers.
    op.create_index(
        "ix_user_account_login_order",
        "user_account",
        ["email", "username", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_user_account_login_order", table_name="user_account")
