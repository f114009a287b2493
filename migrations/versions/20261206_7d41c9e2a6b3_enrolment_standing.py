"""the standing kept on each enrolment (progress, grade, started, completed), indexed by course
for the learners page's sorts, and backfilled from the learners' records

Revision ID: 7d41c9e2a6b3
Revises: fbf3abdaf858
Create Date: 2026-12-06 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41c9e2a6b3"
down_revision: str | Sequence[str] | None = "fbf3abdaf858"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): enrolment is not recreated on SQLite.
    op.add_column(
        "enrolment", sa.Column("progress", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("enrolment", sa.Column("grade", sa.Float(), nullable=True))
    op.add_column(
        "enrolment", sa.Column("started", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "enrolment", sa.Column("completed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        "ix_enrolment_course_progress", "enrolment", ["course_id", "progress", "id"], unique=False
    )
    op.create_index(
        "ix_enrolment_course_grade", "enrolment", ["course_id", "grade", "id"], unique=False
    )
    _backfill()


# The standing of every enrolment, counted as the completion rule counts it when this migration
# was written (learning/analytics.py then; core/completion.py), in plain SQL of its own so that a
# later change to the application cannot change what this step does. Per course: the required,
# published, live lectures and the live quizzes; per learner: the counted score of each quiz (the
# best or the last submitted attempt's, by the policy of the last), the graded SCORM packages'
# scores (the mean of the learner's SCOs, rounded to 2 places), the lectures opened and done.
_STANDING = """
UPDATE enrolment SET progress = s.progress, grade = s.grade, started = s.started,
  completed = s.completed
FROM (
WITH
rule AS (
  SELECT c.id AS course_id, c.pass_mark,
    (SELECT count(*) FROM lecture l WHERE l.course_id = c.id AND l.required
      AND l.published_version_id IS NOT NULL AND l.retired_at IS NULL) AS lectures,
    (SELECT count(*) FROM quiz q WHERE q.course_id = c.id AND q.retired_at IS NULL
      AND q.required) AS quizzes,
    (SELECT count(*) FROM quiz q WHERE q.course_id = c.id AND q.retired_at IS NULL
      AND q.required AND q.weight > 0) AS weighted_quizzes
  FROM course c
),
tries AS (
  SELECT a.user_id, a.quiz_id, a.course_id, max(a.number) AS last_number,
    max(COALESCE(a.score, 0.0)) AS best
  FROM quiz_attempt a
  JOIN quiz q ON q.id = a.quiz_id AND q.course_id = a.course_id AND q.retired_at IS NULL
  WHERE a.submitted_at IS NOT NULL
  GROUP BY a.user_id, a.quiz_id, a.course_id
),
scores AS (
  SELECT t.user_id, t.quiz_id, t.course_id,
    CASE WHEN a.policy = 'best' THEN t.best ELSE COALESCE(a.score, 0.0) END AS score
  FROM tries t
  JOIN quiz_attempt a ON a.user_id = t.user_id AND a.quiz_id = t.quiz_id
    AND a.number = t.last_number
),
quiz_totals AS (
  SELECT s.user_id, s.course_id, count(*) AS taken,
    sum(CASE WHEN q.required AND s.score >= q.pass_mark THEN 1 ELSE 0 END) AS passed,
    sum(CASE WHEN q.required AND q.weight > 0 THEN 1 ELSE 0 END) AS weighted_required,
    sum(CASE WHEN q.weight > 0 THEN q.weight ELSE 0 END) AS weight,
    sum(CASE WHEN q.weight > 0 THEN s.score * q.weight ELSE 0.0 END) AS weighted
  FROM scores s JOIN quiz q ON q.id = s.quiz_id
  GROUP BY s.user_id, s.course_id
),
lecture_totals AS (
  SELECT p.user_id, p.course_id, count(*) AS viewed,
    sum(CASE WHEN p.done_at IS NOT NULL AND l.required AND l.published_version_id IS NOT NULL
      AND l.retired_at IS NULL THEN 1 ELSE 0 END) AS done
  FROM lecture_progress p JOIN lecture l ON l.id = p.lecture_id
  GROUP BY p.user_id, p.course_id
),
package_scores AS (
  SELECT st.user_id, pk.course_id, pk.id, pk.weight,
    round(CAST(avg(st.score) AS NUMERIC(12, 6)), 2) AS score
  FROM scorm_state st
  JOIN scorm_package pk ON pk.id = st.package_id
  JOIN lecture l ON l.id = pk.lecture_id
  WHERE pk.counts_in_grade AND pk.weight > 0 AND l.retired_at IS NULL
    AND l.published_version_id IS NOT NULL
  GROUP BY st.user_id, pk.course_id, pk.id, pk.weight
),
package_totals AS (
  SELECT user_id, course_id, sum(weight) AS weight, sum(score * weight) AS weighted
  FROM package_scores WHERE score IS NOT NULL
  GROUP BY user_id, course_id
),
counts AS (
  SELECT e.id AS enrolment_id, r.pass_mark, r.lectures, r.quizzes, r.weighted_quizzes,
    COALESCE(lt.viewed, 0) AS viewed, COALESCE(lt.done, 0) AS done,
    COALESCE(qt.taken, 0) AS taken, COALESCE(qt.passed, 0) AS passed,
    COALESCE(qt.weighted_required, 0) AS weighted_required,
    COALESCE(qt.weight, 0) + COALESCE(pt.weight, 0) AS weight,
    COALESCE(qt.weighted, 0.0) + COALESCE(pt.weighted, 0.0) AS weighted,
    cp.id AS completion_id, cp.final_grade
  FROM enrolment e
  JOIN rule r ON r.course_id = e.course_id
  LEFT JOIN completion cp ON cp.user_id = e.user_id AND cp.course_id = e.course_id
  LEFT JOIN lecture_totals lt ON lt.user_id = e.user_id AND lt.course_id = e.course_id
  LEFT JOIN quiz_totals qt ON qt.user_id = e.user_id AND qt.course_id = e.course_id
  LEFT JOIN package_totals pt ON pt.user_id = e.user_id AND pt.course_id = e.course_id
),
graded AS (
  SELECT counts.*,
    CASE WHEN weighted_required < weighted_quizzes THEN NULL
      WHEN weight = 0 THEN 100.0
      ELSE round(CAST(weighted * 1.0 / weight AS NUMERIC(12, 6)), 2) END AS grade,
    CASE WHEN lectures + quizzes = 0 THEN 100
      ELSE (100 * (done + passed)) / (lectures + quizzes) END AS raw
  FROM counts
)
SELECT enrolment_id,
  CASE WHEN completion_id IS NOT NULL THEN 100
    WHEN done = lectures AND passed = quizzes AND grade IS NOT NULL AND grade >= pass_mark
      THEN 100
    WHEN raw >= 99 THEN 99
    ELSE raw END AS progress,
  COALESCE(final_grade, CAST(grade AS FLOAT)) AS grade,
  (viewed > 0 OR taken > 0) AS started,
  completion_id IS NOT NULL AS completed
FROM graded
) AS s
WHERE enrolment.id = s.enrolment_id
"""


def _backfill() -> None:
    """Count the standing of every enrolment in one UPDATE (a new database has none)."""
    op.execute(_STANDING)


def downgrade() -> None:
    op.drop_index("ix_enrolment_course_grade", table_name="enrolment")
    op.drop_index("ix_enrolment_course_progress", table_name="enrolment")
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_column("completed")
        batch.drop_column("started")
        batch.drop_column("grade")
        batch.drop_column("progress")
