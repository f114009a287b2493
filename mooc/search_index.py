"""Indexed substring search on the folded `search_text` columns of courses and people.

On PostgreSQL a pg_trgm GIN index on each column serves ``LIKE '%term%'`` (when the extension
could be created at migration time; otherwise the same LIKE reads every row). On SQLite an FTS5
table with the trigram tokenizer beside each table, kept in step by triggers, answers the terms of
three characters or more; a trigram index cannot answer shorter ones, which stay a LIKE on the
rows the others found. Either way a row matches when its text holds every term, so results and
their order are what a plain LIKE gives. The objects are made by migration a130f7cbca81.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, literal_column, select, table
from sqlalchemy.orm import InstrumentedAttribute

# The shortest term a trigram index can answer.
MIN_INDEXED = 3
# The FTS5 table beside each searched table on SQLite (its rowid is the row's id).
FTS_TABLES = {"course": "course_search", "user_account": "user_account_search"}
# The pg_trgm GIN indexes on PostgreSQL.
TRIGRAM_INDEXES = frozenset({"ix_course_search_text_trgm", "ix_user_account_search_text_trgm"})
# Other indexes a migration makes by hand (an expression index Alembic cannot compare): people
# in the order of their lowercased name, for a course's learners page (PostgreSQL).
# The learners page's sorts, each direction an index of its own (a descending key before the
# ascending name tie-break, and grades without one first going up, last going down: a direction
# and a place for NULLs the models cannot say alike on both databases).
ENROLMENT_ORDER_INDEXES = frozenset(
    {
        "ix_enrolment_course_name",
        "ix_enrolment_course_progress",
        "ix_enrolment_course_progress_desc",
        "ix_enrolment_course_grade",
        "ix_enrolment_course_grade_desc",
        "ix_enrolment_course_activity",
        "ix_enrolment_course_activity_desc",
    }
)
HAND_MADE_INDEXES = TRIGRAM_INDEXES | ENROLMENT_ORDER_INDEXES | {"ix_user_account_name_order"}


def escape_like(term: str) -> str:
    """`term` as a LIKE pattern matching itself (with ``escape="\\"``): % and _ are literal."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phrase(term: str) -> str:
    """An FTS5 string: in double quotes, a quote doubled; nothing inside is query syntax."""
    return '"' + term.replace('"', '""') + '"'


def contains_all(
    column: InstrumentedAttribute[str],
    row_id: InstrumentedAttribute[int],
    terms: Sequence[str],
    dialect: str,
) -> list[ColumnElement[bool]]:
    """Conditions true for the rows whose `column` holds every one of the folded `terms`.

    `row_id` is the table's integer primary key; `dialect` the session's dialect name
    (``session.get_bind().dialect.name``), which decides whether SQLite's FTS table is used."""
    indexed = [t for t in terms if len(t) >= MIN_INDEXED] if dialect == "sqlite" else []
    conditions: list[ColumnElement[bool]] = []
    if indexed:
        fts = FTS_TABLES[column.class_.__table__.name]
        query = " ".join(_phrase(term) for term in indexed)  # juxtaposed phrases: all of them
        conditions.append(
            row_id.in_(
                select(literal_column("rowid"))
                .select_from(table(fts))
                .where(literal_column(fts).op("MATCH")(query))
            )
        )
    conditions += [
        column.like(f"%{escape_like(term)}%", escape="\\") for term in terms if term not in indexed
    ]
    return conditions


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: the search indexes are made by hand in a migration (a virtual table
    and a GIN operator class the models cannot describe), and so is an expression index SQLite's
    reflection cannot read, so comparing leaves them out."""
    if name is None:
        return True
    if type_ == "table":
        return not any(name == fts or name.startswith(f"{fts}_") for fts in FTS_TABLES.values())
    if type_ == "index":
        return name not in HAND_MADE_INDEXES
    return True
