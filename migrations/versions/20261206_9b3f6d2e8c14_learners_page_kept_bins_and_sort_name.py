"""the learners page at any size: each enrolment keeps its learner's lowercased name (kept by
triggers) for index-served sorts, one index per sort and direction; each learner's counted quiz
score, and each course's funnel and score bins as tallies; all backfilled in plain SQL

Revision ID: 9b3f6d2e8c14
Revises: 3c8e5b71d2a9
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b3f6d2e8c14"
down_revision: str | Sequence[str] | None = "3c8e5b71d2a9"
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
        "course_tally",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.PrimaryKeyConstraint("course_id", "name"),
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
        "INSERT INTO course_tally (course_id, name, count)"
        f" SELECT s.course_id, 'bin' || CASE {_BIN} ELSE 0 END AS b, count(*)"
        " FROM learner_quiz_score s GROUP BY s.course_id, b"
    )
    for name, counted in _FUNNEL.items():
        op.execute(
            f"INSERT INTO course_tally (course_id, name, count) SELECT course_id, '{name}',"
            f" sum({counted.format(row='enrolment')}) FROM enrolment GROUP BY course_id"
        )
    _funnel_triggers(postgres)


# The funnel's tallies: what one enrolment adds to each (1 or 0), of the row named `row`.
_FUNNEL = {
    "completed": "CASE WHEN {row}.completed THEN 1 ELSE 0 END",
    "enrolled": "1",
    "halfway": "CASE WHEN {row}.progress >= 50 THEN 1 ELSE 0 END",
    "started": "CASE WHEN {row}.started THEN 1 ELSE 0 END",
}


def _funnel_triggers(postgres: bool) -> None:
    """The course's funnel follows its enrolments whoever writes them (the ORM, a bulk UPDATE
    of the standing, the lecture page's note, COPY, a cascade): each row inserted, changed in
    what the funnel counts, or deleted moves the tallies by its difference, in the order of
    their names (no two writers wait on each other in a circle), in the same transaction. (An
    enrolment never moves to another course.)"""
    moves = {
        "INSERT": {name: add.format(row="NEW") for name, add in _FUNNEL.items()},
        "DELETE": {name: f"-({add.format(row='OLD')})" for name, add in _FUNNEL.items()},
        "UPDATE": {
            name: f"({add.format(row='NEW')}) - ({add.format(row='OLD')})"
            for name, add in _FUNNEL.items()
            if name != "enrolled"
        },
    }
    changed = (
        "OLD.started <> NEW.started OR OLD.completed <> NEW.completed"
        " OR (OLD.progress >= 50) <> (NEW.progress >= 50)"
    )
    for operation, moved in moves.items():
        row = "OLD" if operation == "DELETE" else "NEW"
        body = "".join(
            f" INSERT INTO course_tally (course_id, name, count) SELECT {row}.course_id,"
            f" '{name}', {move} WHERE ({move}) <> 0 ON CONFLICT (course_id, name)"
            " DO UPDATE SET count = course_tally.count + excluded.count;"
            for name, move in moved.items()
        )
        trigger = f"enrolment_tally_{operation.lower()}"
        when = f" WHEN ({changed})" if operation == "UPDATE" else ""
        if postgres:
            op.execute(
                f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN{body} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {operation} ON enrolment FOR EACH ROW{when}"
                f" EXECUTE FUNCTION {trigger}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {operation} ON enrolment FOR EACH ROW{when}"
                f" BEGIN{body} END"
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
    for operation in ("insert", "update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS enrolment_tally_{operation}"
            + (" ON enrolment" if postgres else "")
        )
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS enrolment_tally_{operation}()")
    op.drop_table("course_tally")
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
