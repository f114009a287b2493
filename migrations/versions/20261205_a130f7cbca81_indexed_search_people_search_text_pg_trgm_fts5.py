"""indexed search: a folded search line for people (name, username, email), backfilled; pg_trgm
GIN indexes on the folded columns of courses and people on PostgreSQL (none, with a warning, when
the extension cannot be created); FTS5 trigram tables kept in step by triggers on SQLite

Revision ID: a130f7cbca81
Revises: c3a1e5f0b7d2
Create Date: 2026-12-05 16:45:00.000000
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a130f7cbca81"
down_revision: str | Sequence[str] | None = "c3a1e5f0b7d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# table → its FTS5 table on SQLite and its GIN index on PostgreSQL (mooc.search_index names them)
SEARCHED = {
    "course": ("course_search", "ix_course_search_text_trgm"),
    "user_account": ("user_account_search", "ix_user_account_search_text_trgm"),
}
BATCH = 5000

# mooc.folding.fold as of this revision, frozen here so the backfill never changes meaning.
_SPACES = re.compile(r"\s+")
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "ß": "ss"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    _backfill_people()
    if op.get_bind().dialect.name == "sqlite":
        for name, (fts, _index) in SEARCHED.items():
            _create_fts(name, fts)
    elif op.get_bind().dialect.name == "postgresql" and _has_pg_trgm():
        for name, (_fts, index) in SEARCHED.items():
            op.create_index(
                index,
                name,
                ["search_text"],
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )


def _backfill_people() -> None:
    """Every existing account's search line, a batch of ids at a time."""
    bind = op.get_bind()
    users = sa.table(
        "user_account",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("username", sa.String),
        sa.column("email", sa.String),
        sa.column("search_text", sa.Text),
    )
    change = (
        sa.update(users)
        .where(users.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("line"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(users.c.id, users.c.name, users.c.username, users.c.email)
            .where(users.c.id > last)
            .order_by(users.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        lines = [
            {"row_id": row.id, "line": _fold(" ".join(p for p in row[1:] if p))} for row in rows
        ]
        bind.execute(change, lines)
        last = rows[-1].id


def _has_pg_trgm() -> bool:
    """Create pg_trgm if it is missing; False (and a warning) when this role may not."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm could not be created (%s); search works without its indexes. Create the "
            "extension as a superuser, then downgrade and upgrade this revision to index it.",
            str(error.orig).strip(),
        )
        return False
    return True


def _create_fts(name: str, fts: str) -> None:
    """An external-content FTS5 table (the index only; text is read from `name`), filled from
    the rows there are, and triggers that keep it in step with every later write."""
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{name}', "
        f"content_rowid='id', tokenize='trigram')"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    add = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {name} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {name} BEGIN {remove} END")
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {name} "
        f"BEGIN {remove} {add} END"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (fts, index) in SEARCHED.items():
        if dialect == "sqlite":
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS {index}")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("search_text")
