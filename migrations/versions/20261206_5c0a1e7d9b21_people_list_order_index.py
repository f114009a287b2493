"""indexes for the orders of long lists of people, so a page of them is read from an index
instead of sorting every account: the people list (email, then username, then id) and, on
PostgreSQL, learners by name (lower(name), id: a course's learners page)

Revision ID: 5c0a1e7d9b21
Revises: 5f16cab8f003
Create Date: 2026-12-06 00:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5c0a1e7d9b21"
down_revision: str | Sequence[str] | None = '5f16cab8f003'
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
    if op.get_bind().dialect.name == "postgresql":
        # An expression index, which SQLite's reflection cannot compare: made here by hand and
        # left out of comparisons (mooc.search_index.HAND_MADE_INDEXES).
        op.execute(
            "CREATE INDEX ix_user_account_name_order ON user_account (lower(name) NULLS FIRST, id)"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_user_account_name_order")
    op.drop_index("ix_user_account_login_order", table_name="user_account")
