"""the learners page's sort by last activity read from an index, each direction its own (like
the other sorts of migration 9b3f6d2e8c14): no sort of a course's enrolments for a page

Revision ID: 5da9dd286c6e
Revises: 9b3f6d2e8c14
Create Date: 2026-12-06 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5da9dd286c6e"
down_revision: str | Sequence[str] | None = "9b3f6d2e8c14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, key columns after course_id) on PostgreSQL and on SQLite: never active first going up,
# last going down (analytics._Learners.page_order), which SQLite does by itself.
_ORDERS = {
    "ix_enrolment_course_activity": (
        "last_activity_at NULLS FIRST, sort_name, user_id",
        "last_activity_at, sort_name, user_id",
    ),
    "ix_enrolment_course_activity_desc": (
        "last_activity_at DESC NULLS LAST, sort_name, user_id",
        "last_activity_at DESC, sort_name, user_id",
    ),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (pg_keys, sqlite_keys) in _ORDERS.items():
        keys = pg_keys if postgres else sqlite_keys
        op.execute(f"CREATE INDEX {name} ON enrolment (course_id, {keys})")


def downgrade() -> None:
    for name in _ORDERS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
