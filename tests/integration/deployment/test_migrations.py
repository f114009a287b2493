"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool

from mooc.migrate import alembic_config, upgrade
from mooc.models import Base
from mooc.search_index import include_name


def differences(url: str) -> list[Any]:
    """What autogenerate would write into a new migration for the database at `url`."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    "render_as_batch": connection.dialect.name == "sqlite",
                    "include_name": include_name,
                },
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def state(url: str) -> tuple[set[str], str | None]:
    """The tables present and the revision the database is at."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = MigrationContext.configure(connection).get_current_revision()
            return tables, revision
    finally:
        engine.dispose()


def head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_migrations_create_exactly_the_models_schema(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    tables, revision = state(url)
    assert revision == head(url)
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert differences(url) == []


def test_downgrading_to_base_and_upgrading_again(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    config = alembic_config(url)

    command.downgrade(config, "base")
    tables, revision = state(url)
    assert revision is None
    assert tables <= {"alembic_version"}

    upgrade(url)
    tables, revision = state(url)
    assert revision == head(url)
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert differences(url) == []


def test_each_migration_steps_down_and_up_one_at_a_time(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    url = fresh_database_url(backend)
    config = alembic_config(url)
    revisions = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]
    revisions.reverse()  # oldest first
    for step in revisions:
        upgrade(url, step)
        assert state(url)[1] == step
    for step in reversed(revisions[:-1]):
        command.downgrade(config, "-1")
        assert state(url)[1] == step
    command.downgrade(config, "-1")
    tables, current = state(url)
    assert current is None
    assert tables <= {"alembic_version"}
    upgrade(url)
    assert differences(url) == []


# Learning content, and the learners' records that point at it (directly or through a course).
CONTENT_TABLES = {"course", "section", "lecture", "lecture_version", "quiz", "question"}
LEARNER_RECORDS = {
    "enrolment",
    "lecture_progress",
    "quiz_attempt",
    "completion",
    "xapi_statement",
    "issued_credential",
}


def test_no_learner_record_cascades_from_learning_content(
    backend: str, fresh_database_url: Callable[[str], str]
) -> None:
    """Deleting a course, lecture or quiz must fail rather than take learners' work with it:
    in the models and in the schema the migrations build."""
    assert {table.name for table in Base.metadata.sorted_tables} >= LEARNER_RECORDS
    in_models = [
        (fk.parent.table.name, fk.column.table.name)
        for table in Base.metadata.sorted_tables
        if table.name in LEARNER_RECORDS
        for fk in table.foreign_keys
        if fk.column.table.name in CONTENT_TABLES and (fk.ondelete or "").upper() == "CASCADE"
    ]
    assert in_models == []

    url = fresh_database_url(backend)
    upgrade(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            pointing = [
                (table, fk["referred_table"], (fk.get("options") or {}).get("ondelete"))
                for table in sorted(LEARNER_RECORDS)
                for fk in inspector.get_foreign_keys(table)
                if fk["referred_table"] in CONTENT_TABLES
            ]
    finally:
        engine.dispose()
    assert ("quiz_attempt", "quiz", None) in pointing  # the check looks at the real keys
    assert [p for p in pointing if (p[2] or "").upper() == "CASCADE"] == []
