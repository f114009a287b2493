"""issued_credential: a suspension status-list bit for records that rest on others (recognition
records), set while a record they rest on is revoked

Revision ID: 5e9d1c7a2b40
Revises: 5e0f1a2b3c4d
Create Date: 2026-12-06 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mooc.db

revision: str = "5e9d1c7a2b40"
down_revision: str | Sequence[str] | None = '5e0f1a2b3c4d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # issued_credential carries no FTS5 triggers: recreating it under SQLite batch mode is safe.
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspension_list_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suspension_index", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("suspended_at", mooc.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("suspension_lifted_at", mooc.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_issued_credential_suspension_list_id_status_list"),
            "status_list",
            ["suspension_list_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_issued_credential_suspension_list_id_suspension_index"),
            ["suspension_list_id", "suspension_index"],
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_issued_credential_suspension_list_id_suspension_index"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_issued_credential_suspension_list_id_status_list"), type_="foreignkey"
        )
        batch_op.drop_column("suspension_lifted_at")
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("suspension_index")
        batch_op.drop_column("suspension_list_id")
