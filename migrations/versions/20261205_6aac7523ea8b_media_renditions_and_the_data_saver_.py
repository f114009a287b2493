"""media renditions and the data saver setting: low-bandwidth copies of course videos (144p,
360p, audio only) queued for the transcode job with a lease, and the user's choice to play the
smallest one first (on by default)

Revision ID: 6aac7523ea8b
Revises: 7dbb527bddf5
Create Date: 2026-12-05 12:22:43.733952
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mooc.db

revision: str = "6aac7523ea8b"
down_revision: str | Sequence[str] | None = "7dbb527bddf5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_rendition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "ready",
                "failed",
                name="rendition_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("bitrate", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", mooc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            mooc.db.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            mooc.db.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["media_asset.id"],
            name=op.f("fk_media_rendition_asset_id_media_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_rendition")),
        sa.UniqueConstraint("asset_id", "label", name=op.f("uq_media_rendition_asset_id_label")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_media_rendition_storage_key")),
    )
    with op.batch_alter_table("media_rendition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_rendition_lease_until"), ["lease_until"], unique=False
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_saver", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("data_saver")

    with op.batch_alter_table("media_rendition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_rendition_lease_until"))

    op.drop_table("media_rendition")
