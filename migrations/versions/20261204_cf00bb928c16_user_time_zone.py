"""user time zone: the IANA zone a user's pages show times in (NULL: the platform default)

Revision ID: cf00bb928c16
Revises: ee8c2f9ace39
Create Date: 2026-12-04 14:59:54.011283
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mooc.db  # noqa: F401 - autogenerate renders its column types

revision: str = "cf00bb928c16"
down_revision: str | Sequence[str] | None = "ee8c2f9ace39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("timezone")
