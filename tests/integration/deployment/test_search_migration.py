"""Migration a130f7cbca81: existing people get their search line, existing rows are indexed
(FTS5 on SQLite, pg_trgm on PostgreSQL), and a PostgreSQL role that may not create the extension
still migrates, without the indexes, saying so."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import make_url

from mooc.migrate import upgrade
from mooc.search_index import FTS_TABLES, TRIGRAM_INDEXES
from tests.conftest import PG_BASE

BEFORE = "84ca3a9bacea"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _rows_before(url: str) -> None:
    """A school, a course and two people, written as the schema was before the revision."""
    engine = create_engine(url, poolclass=pool.NullPool)
    meta = sa.MetaData()
    meta.reflect(engine, only=["institution", "course", "user_account"])
    institution, course, users = (meta.tables[n] for n in ("institution", "course", "user_account"))
    with engine.begin() as conn:
        school = conn.execute(
            sa.insert(institution).returning(institution.c.id),
            {"slug": "thcs-x", "name": "THCS X", "kind": "school", "created_at": NOW},
        ).scalar_one()
        conn.execute(
            sa.insert(course),
            {
                "slug": "toan-6",
                "institution_id": school,
                "title": "Toán 6",
                "description": "",
                "description_html": "",
                "language": "vi",
                "level": "k12",
                "grade": 6,
                "subject": "math",
                "outcomes": [],
                "pass_mark": 50,
                "status": "published",
                "search_text": "toan 6 math",
                "created_at": NOW,
                "updated_at": NOW,
            },
        )
        person = {"password_hash": "x", "is_active": True, "created_at": NOW, "email": None}
        conn.execute(
            sa.insert(users),
            [
                {
                    **person,
                    "email": "duc@x.test",
                    "name": "Nguyễn  Văn Đức",
                    "session_token": "a",
                    "username": None,
                },
                {**person, "username": "lan.le.6a1", "name": "LÊ Thị Lan", "session_token": "b"},
            ],
        )
    engine.dispose()


def test_existing_people_and_courses_are_found_after_the_upgrade(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE)
    _rows_before(url)
    upgrade(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        lines = conn.scalars(text("SELECT search_text FROM user_account ORDER BY id")).all()
        assert lines == ["nguyen van duc duc@x.test", "le thi lan lan.le.6a1"]
        if backend == "sqlite":
            match = "SELECT rowid FROM {0} WHERE {0} MATCH :q"
            assert conn.scalars(text(match.format("user_account_search")), {"q": '"duc"'}).all()
            assert conn.scalars(text(match.format("course_search")), {"q": '"toan"'}).all()
        else:
            names = {
                ix["name"]
                for t in ("course", "user_account")
                for ix in inspect(conn).get_indexes(t)
            }
            assert names >= TRIGRAM_INDEXES
    engine.dispose()


def test_without_the_right_to_create_pg_trgm_the_upgrade_goes_on_unindexed(
    backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if backend != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    suffix = uuid.uuid4().hex[:8]
    role, name = f"mooc_plain_{suffix}", f"mooc_plain_{suffix}"
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner = create_engine(f"{PG_BASE}/{name}", poolclass=pool.NullPool)
    try:
        # May create tables in the schema, but not extensions in the database.
        with owner.begin() as conn:
            conn.execute(text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"'))
        url = make_url(f"{PG_BASE}/{name}").set(username=role, password=None)
        with caplog.at_level(logging.WARNING):
            upgrade(url.render_as_string(hide_password=False))
        assert "pg_trgm could not be created" in caplog.text
        with owner.connect() as conn:
            names = {
                ix["name"]
                for t in ("course", "user_account")
                for ix in inspect(conn).get_indexes(t)
            }
            assert not names & TRIGRAM_INDEXES
            assert (
                conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
                == 0
            )
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            assert revision is not None and revision != BEFORE
    finally:
        owner.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_at_head_the_fts_tables_and_their_triggers_are_there(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    """A later SQLite migration that recreates `course` or `user_account` (a batch operation)
    drops their triggers with them, and the index would silently fall behind: it must make
    them again."""
    if backend != "sqlite":
        pytest.skip("the FTS5 tables are SQLite's")
    url = fresh_database_url(backend)
    upgrade(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        triggers = set(
            conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
        )
    engine.dispose()
    for fts in FTS_TABLES.values():
        assert {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"} <= triggers
