"""the learners page at any size: each enrolment keeps its learner's lowercased name (kept by
triggers) for index-served sorts, one index per sort and direction; each learner's counted quiz
score and each course's score bins kept as counters; all backfilled in plain SQL

Revision ID: 9b3f6d2e8c14
Revises: 7d41c9e2a6b3
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b3f6d2e8c14"
down_revision: str | Sequence[str] | None = "7d41c9e2a6b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, key columns after course_id) on PostgreSQL; SQLite puts NULLs first going up and last
# going down by itself and has no NULLS clause in an index.
_ORDERS = {
    "ix_enrolment_course_name": ("sort_name, user_id", "sort_name, user_id"),
    "ix_enrolment_course_progress": ("progress, sort_name, user_id",) * 2,
    "ix_enrolment_course_progress_desc": ("progress DESC, sort_name, user_id",) * 2,
    "ix_enrolment_course_grade": (
        "grade NULLS FIRST, sort_name, user_id",
        "grade, sort_name, user_id",
    ),
    "ix_enrolment_course_grade_desc": (
        "grade DESC NULLS LAST, sort_name, user_id",
        "grade DESC, sort_name, user_id",
    ),
}

# A counted score's bin: ten points each, 100 in the last (analytics.score_bin).
_BIN = " ".join(f"WHEN s.score >= {10 * n} THEN {n}" for n in range(9, 0, -1))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("enrolment", sa.Column("sort_name", sa.String(200), nullable=True))
    op.execute(
        "UPDATE enrolment SET sort_name ="
        " (SELECT lower(u.name) FROM user_account u WHERE u.id = enrolment.user_id)"
    )
    _triggers(postgres)
    op.drop_index("ix_enrolment_course_grade", table_name="enrolment")
    op.drop_index("ix_enrolment_course_progress", table_name="enrolment")
    for name, (pg_keys, sqlite_keys) in _ORDERS.items():
        keys = pg_keys if postgres else sqlite_keys
        op.execute(f"CREATE INDEX {name} ON enrolment (course_id, {keys})")

    op.create_table(
        "learner_quiz_score",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.ForeignKeyConstraint(["quiz_id"], ["quiz.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "quiz_id"),
    )
    op.create_index(
        "ix_learner_quiz_score_course_id", "learner_quiz_score", ["course_id"], unique=False
    )
    op.create_table(
        "course_score_bin",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("bin", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scores", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.PrimaryKeyConstraint("course_id", "bin"),
    )
    # Each enrolled learner's counted score per live quiz of the course: the last submitted
    # attempt's policy says the best or the last one's (analytics._counted_scores).
    op.execute(
        "INSERT INTO learner_quiz_score (user_id, quiz_id, course_id, score)"
        " SELECT t.user_id, t.quiz_id, t.course_id,"
        " CASE WHEN a.policy = 'best' THEN t.best ELSE COALESCE(a.score, 0.0) END"
        " FROM (SELECT user_id, quiz_id, course_id, max(number) AS last_number,"
        " max(COALESCE(score, 0.0)) AS best FROM quiz_attempt"
        " WHERE submitted_at IS NOT NULL GROUP BY user_id, quiz_id, course_id) t"
        " JOIN quiz_attempt a ON a.user_id = t.user_id AND a.quiz_id = t.quiz_id"
        " AND a.number = t.last_number"
        " JOIN quiz q ON q.id = t.quiz_id AND q.course_id = t.course_id"
        " AND q.retired_at IS NULL"
        " JOIN enrolment e ON e.user_id = t.user_id AND e.course_id = t.course_id"
    )
    op.execute(
        "INSERT INTO course_score_bin (course_id, bin, scores)"
        f" SELECT s.course_id, CASE {_BIN} ELSE 0 END AS b, count(*)"
        " FROM learner_quiz_score s GROUP BY s.course_id, b"
    )


def _triggers(postgres: bool) -> None:
    """The enrolment's sort_name follows its learner's name: set when the enrolment is written,
    rewritten when the user is renamed, in the same transaction."""
    if postgres:
        op.execute(
            "CREATE FUNCTION enrolment_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN NEW.sort_name := (SELECT lower(name) FROM user_account"
            " WHERE id = NEW.user_id); RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER enrolment_sort_name BEFORE INSERT OR UPDATE OF user_id"
            " ON enrolment FOR EACH ROW EXECUTE FUNCTION enrolment_sort_name()"
        )
        op.execute(
            "CREATE FUNCTION user_account_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN UPDATE enrolment SET sort_name = lower(NEW.name)"
            " WHERE user_id = NEW.id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER user_account_sort_name AFTER UPDATE OF name ON user_account"
            " FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)"
            " EXECUTE FUNCTION user_account_sort_name()"
        )
    else:
        op.execute(
            "CREATE TRIGGER enrolment_sort_name AFTER INSERT ON enrolment BEGIN"
            " UPDATE enrolment SET sort_name ="
            " (SELECT lower(name) FROM user_account WHERE id = NEW.user_id)"
            " WHERE id = NEW.id; END"
        )
        op.execute(
            "CREATE TRIGGER user_account_sort_name AFTER UPDATE OF name ON user_account"
            " WHEN OLD.name IS NOT NEW.name BEGIN"
            " UPDATE enrolment SET sort_name = lower(NEW.name) WHERE user_id = NEW.id; END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_table("course_score_bin")
    op.drop_index("ix_learner_quiz_score_course_id", table_name="learner_quiz_score")
    op.drop_table("learner_quiz_score")
    for name in _ORDERS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute(
        "DROP TRIGGER IF EXISTS user_account_sort_name" + (" ON user_account" if postgres else "")
    )
    op.execute("DROP TRIGGER IF EXISTS enrolment_sort_name" + (" ON enrolment" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS user_account_sort_name()")
        op.execute("DROP FUNCTION IF EXISTS enrolment_sort_name()")
    op.create_index(
        "ix_enrolment_course_progress", "enrolment", ["course_id", "progress", "id"], unique=False
    )
    op.create_index(
        "ix_enrolment_course_grade", "enrolment", ["course_id", "grade", "id"], unique=False
    )
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_column("sort_name")
