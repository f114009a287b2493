""" "resume" (enrolment.last_lecture_id) without a foreign key: the lecture page's most frequent
write no longer locks the lecture it names, and deleting a lecture no longer scans every
enrolment to clear it

Revision ID: b7e2f4a9c1d8
Revises: 4e1b7c9a2d63
Create Date: 2026-12-07 07:00:00

Every lecture a pupil opens moves their "resume". With the foreign key, PostgreSQL checked each
such update against the lecture row, taking a share lock on it: at a national scale a class
opening the same lecture turns that lock into shared multixacts on one row, and the check
cost 12 µs of the server's CPU per row written (#14). Deleting a lecture set the column to NULL
in every enrolment naming it, through a scan of the whole enrolment table (the column has no
index). "Resume" is a hint: the course page's resume looks for the lecture among the course's
own (mooc.learning.views.student), and a lecture that is gone sends the reader to the next
lecture to read.

On SQLite a table's constraints change only by rebuilding it: its indexes and triggers, and the
triggers of other tables that name it, are kept by their SQL text and made again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from alembic import op
from sqlalchemy import text

revision: str = "b7e2f4a9c1d8"
down_revision: str | Sequence[str] | None = "4e1b7c9a2d63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "fk_enrolment_last_lecture_id_lecture"
_CLAUSE = (
    f"CONSTRAINT {CONSTRAINT} FOREIGN KEY(last_lecture_id) REFERENCES lecture (id)"
    " ON DELETE SET NULL"
)
_ANCHOR = "CONSTRAINT pk_enrolment PRIMARY KEY (id)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(CONSTRAINT, "enrolment", type_="foreignkey")
        return
    _rebuild_enrolment(_without_foreign_key)


def downgrade() -> None:
    # A lecture deleted since then may still be named: forget it, as the key would have.
    op.execute(
        "UPDATE enrolment SET last_lecture_id = NULL WHERE last_lecture_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM lecture WHERE lecture.id = enrolment.last_lecture_id)"
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            CONSTRAINT, "enrolment", "lecture", ["last_lecture_id"], ["id"], ondelete="SET NULL"
        )
        return
    _rebuild_enrolment(_with_foreign_key)


def _without_foreign_key(table_sql: str) -> str:
    changed, found = re.subn(r",\s*" + re.escape(_CLAUSE), "", table_sql)
    if found != 1:
        raise RuntimeError(f"enrolment's {CONSTRAINT} not found as the migrations wrote it")
    return changed


def _with_foreign_key(table_sql: str) -> str:
    if _ANCHOR not in table_sql:
        raise RuntimeError("enrolment's primary key not found as the migrations wrote it")
    return table_sql.replace(_ANCHOR, f"{_ANCHOR}, \n\t{_CLAUSE}", 1)


def _rebuild_enrolment(change: Callable[[str], str]) -> None:
    """SQLite's way to change a table's constraints (its documented twelve steps, those that
    apply: nothing refers to an enrolment): a new table from the changed CREATE TABLE, the rows
    copied, the old dropped and the new renamed, then the indexes and triggers made again.
    Triggers are dropped first, so the drop moves no counter (enrolment_tally_delete) and the
    rename finds no trigger naming a table that is gone."""
    bind = op.get_bind()
    (table_sql,) = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'enrolment'")
    ).one()
    kept = bind.execute(
        text(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
            " (type = 'index' AND tbl_name = 'enrolment')"
            " OR (type = 'trigger' AND (tbl_name = 'enrolment' OR sql LIKE '% enrolment %')))"
            " ORDER BY type DESC, name"  # triggers, then indexes
        )
    ).all()
    for kind, name, _sql in kept:
        if kind == "trigger":
            op.execute(f'DROP TRIGGER "{name}"')
    new_sql = change(table_sql).replace(
        'CREATE TABLE "enrolment"', 'CREATE TABLE "_enrolment_new"', 1
    )
    if new_sql == table_sql or "_enrolment_new" not in new_sql:
        raise RuntimeError("enrolment's CREATE TABLE not as the migrations wrote it")
    op.execute(new_sql)
    op.execute("INSERT INTO _enrolment_new SELECT * FROM enrolment")
    op.execute("DROP TABLE enrolment")
    op.execute("ALTER TABLE _enrolment_new RENAME TO enrolment")
    for _kind, _name, sql in sorted(kept, key=lambda row: row[0] != "index"):  # indexes first
        op.execute(sql)
