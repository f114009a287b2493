"""quiz settings: when answers are revealed, shuffling, a question pool; assignment create token

Existing quizzes get the new default "after the last attempt": until now answers showed while
attempts remained, so a pupil could copy them into the next attempt. Authors who want the old
behaviour choose "after each attempt" in the quiz builder.

Revision ID: a3bd08397c33
Revises: 539e11ed05df
Create Date: 2026-12-04 17:48:28.230466
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mooc.db  # noqa: F401 - autogenerate renders its column types

revision: str = "a3bd08397c33"
down_revision: str | Sequence[str] | None = "539e11ed05df"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("create_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_assignment_create_token"), ["create_token"]
        )

    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reveal",
                sa.Enum(
                    "after_each",
                    "after_last",
                    "after_due",
                    "never",
                    name="reveal_policy",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                server_default="after_last",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("shuffle_questions", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("shuffle_options", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("pool_size", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "pool_size_positive", "pool_size IS NULL OR pool_size >= 1"
        )

    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "option_order",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_column("option_order")

    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quiz_pool_size_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_quiz_reveal_policy"), type_="check")
        batch_op.drop_column("pool_size")
        batch_op.drop_column("shuffle_options")
        batch_op.drop_column("shuffle_questions")
        batch_op.drop_column("reveal")

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_assignment_create_token"), type_="unique")
        batch_op.drop_column("create_token")
