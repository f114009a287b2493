"""the course funnel's tallies at any size of write (PostgreSQL): moved once a statement for
enrolments inserted or deleted, and not moved row by row by a recount of the whole course's
standing, which recounts them after

Revision ID: 9158189d0bb5
Revises: b7e2f4a9c1d8
Create Date: 2026-12-07 13:30:00

Migration 9b3f6d2e8c14 moved a course's funnel tallies (`course_tally`) with a trigger for each
enrolment row. On PostgreSQL every such move writes a new version of the tally row, and within
one transaction the versions before it cannot be pruned yet: the next move follows the whole
chain to find the live one. A statement writing n enrolments of one course therefore cost
O(n²): 20,000 moves of one row took 2.7 s and 40,000 took 9.9 s, and `flask demo scale` spent
most of its time there (#14). Inserts and deletes now move the tallies once a statement, from the
statement's transition table (the rows it wrote, grouped by course), so the cost is linear.

Updates keep the row trigger and its WHEN clause: the lecture page's note updates an enrolment
on nearly every request, and a row trigger whose WHEN is false costs no call, where a statement
trigger would collect its transition tables on every update. The recount of a whole course's
standing (`analytics.refresh_standing`: after a lecture is published or retired, or the pass
mark changes) updates every enrolment of the course in one statement and then recounts the
tallies from the rows; while it does, it sets `mooc.recounting_tallies` for its transaction and
the trigger stands aside (its WHEN reads the setting), instead of moving one tally row once an
enrolment, quadratically. SQLite has no statement triggers and keeps no row versions, so its
triggers stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "9158189d0bb5"
down_revision: str | Sequence[str] | None = "b7e2f4a9c1d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What one enrolment adds to each funnel tally (1 or 0), of the row named `row`; as in
# migration 9b3f6d2e8c14, whose rule this keeps.
_FUNNEL = {
    "completed": "CASE WHEN {row}.completed THEN 1 ELSE 0 END",
    "enrolled": "1",
    "halfway": "CASE WHEN {row}.progress >= 50 THEN 1 ELSE 0 END",
    "started": "CASE WHEN {row}.started THEN 1 ELSE 0 END",
}
_OPERATIONS = {"INSERT": ("NEW", "", "new_rows"), "DELETE": ("OLD", "-", "old_rows")}
# Which rows' updates move the funnel: before and after this migration.
_CHANGED = (
    "OLD.started <> NEW.started OR OLD.completed <> NEW.completed"
    " OR (OLD.progress >= 50) <> (NEW.progress >= 50)"
)
_NOT_RECOUNTING = "current_setting('mooc.recounting_tallies', true) IS DISTINCT FROM 'on'"
_UPSERT = (
    " ON CONFLICT (course_id, name) DO UPDATE SET count = course_tally.count + excluded.count;"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for operation, (side, sign, rows) in _OPERATIONS.items():
        trigger = f"enrolment_tally_{operation.lower()}"
        adds = ", ".join(f"('{name}', {add.format(row='r')})" for name, add in _FUNNEL.items())
        # Grouped, each (course, tally) is moved once; ordered by them, two statements moving
        # the same tallies take their locks in one order and never wait on each other in a
        # circle.
        body = (
            " INSERT INTO course_tally (course_id, name, count)"
            f" SELECT r.course_id, a.name, {sign}sum(a.add) FROM {rows} r"
            f" CROSS JOIN LATERAL (VALUES {adds}) AS a(name, add)"
            " GROUP BY r.course_id, a.name HAVING sum(a.add) <> 0"
            " ORDER BY r.course_id, a.name" + _UPSERT
        )
        _replace(
            trigger,
            body,
            f"AFTER {operation} ON enrolment REFERENCING {side} TABLE AS {rows} FOR EACH STATEMENT",
        )
    _rewhen(f"({_CHANGED}) AND {_NOT_RECOUNTING}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for operation, (side, sign, _rows) in _OPERATIONS.items():
        trigger = f"enrolment_tally_{operation.lower()}"
        body = "".join(
            f" INSERT INTO course_tally (course_id, name, count) SELECT {side}.course_id,"
            f" '{name}', {sign}({add.format(row=side)}) WHERE ({add.format(row=side)}) <> 0"
            + _UPSERT
            for name, add in _FUNNEL.items()
        )
        _replace(trigger, body, f"AFTER {operation} ON enrolment FOR EACH ROW")
    _rewhen(_CHANGED)


def _rewhen(condition: str) -> None:
    """Make the update trigger again, fired for the rows meeting `condition`."""
    op.execute("DROP TRIGGER enrolment_tally_update ON enrolment")
    op.execute(
        "CREATE TRIGGER enrolment_tally_update AFTER UPDATE ON enrolment FOR EACH ROW"
        f" WHEN ({condition}) EXECUTE FUNCTION enrolment_tally_update()"
    )


def _replace(trigger: str, body: str, when: str) -> None:
    """Make `trigger` (and its function, of the same name) again with `body`, fired `when`."""
    op.execute(f"DROP TRIGGER {trigger} ON enrolment")
    op.execute(
        f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN{body} RETURN NULL; END $$"
    )
    op.execute(f"CREATE TRIGGER {trigger} {when} EXECUTE FUNCTION {trigger}()")
