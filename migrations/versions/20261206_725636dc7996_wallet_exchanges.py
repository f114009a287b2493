"""wallet exchanges ("Add to wallet") and holders' copies of records

Revision ID: 725636dc7996
Revises: 7d41c9e2a6b3
Create Date: 2026-12-06 02:33:29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mooc.db

revision: str = "725636dc7996"
down_revision: str | Sequence[str] | None = "7d41c9e2a6b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A foreign key cannot be added to an SQLite table in place: batch (recreated there).
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copy_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_issued_credential_copy_of_id"), ["copy_of_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_issued_credential_copy_of_id_issued_credential"),
            "issued_credential",
            ["copy_of_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "wallet_exchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=300), nullable=False),
        sa.Column(
            "created_at",
            mooc.db.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", mooc.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", mooc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.String(length=500), nullable=True),
        sa.Column("copy_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["copy_id"],
            ["issued_credential.id"],
            name=op.f("fk_wallet_exchange_copy_id_issued_credential"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_wallet_exchange_credential_id_issued_credential"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_wallet_exchange_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_exchange")),
        sa.UniqueConstraint("copy_id", name=op.f("uq_wallet_exchange_copy_id")),
        sa.UniqueConstraint("token", name=op.f("uq_wallet_exchange_token")),
    )
    op.create_index(
        op.f("ix_wallet_exchange_credential_id"), "wallet_exchange", ["credential_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_wallet_exchange_credential_id"), table_name="wallet_exchange")
    op.drop_table("wallet_exchange")
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_issued_credential_copy_of_id_issued_credential"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_issued_credential_copy_of_id"))
        batch_op.drop_column("copy_of_id")
