"""On PostgreSQL a request that only read ends its transaction with COMMIT, so psycopg keeps the
statements it prepared; one that wrote and failed is still rolled back (mooc/web/transactions.py).

These requests run real transactions (no test savepoint), on the shared test database, on an
app of their own so they may add a route; what they write is rolled back or removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from mooc.bulk import copies, copy_rows
from mooc.db import utcnow
from mooc.extensions import db
from mooc.factory import create_app
from mooc.notifications.models import PeriodicJob
from tests.helpers import make_settings

MARK = "test-reading-transactions"


@pytest.fixture
def own_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """An app on the shared database, with a page that writes a row and then fails."""
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    mine = create_app(settings=make_settings(tmp_path, url))

    @mine.get("/writes-then-fails")
    def writes_then_fails() -> tuple[str, int]:
        db.session.add(PeriodicJob(name=MARK, last_run_at=utcnow()))
        db.session.flush()
        return "refused", 400  # never committed: the session is closed, rolled back

    yield mine
    with mine.app_context():
        db.session.execute(delete(PeriodicJob).where(PeriodicJob.name == MARK))
        db.session.commit()
        db.engine.dispose()


def _kept(app: Flask) -> int:
    """Rows the failed page left behind."""
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(PeriodicJob).where(PeriodicJob.name == MARK)
        )


def _prepared(app: Flask, statement: str) -> int:
    """How many times `statement` is prepared on the app's one pooled connection."""
    with app.app_context():
        return db.session.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement = :s"),
            {"s": statement},
        )


def test_a_reading_request_leaves_its_statements_prepared(own_app: Flask, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("prepared statements are psycopg's")
    client = own_app.test_client()
    for _ in range(8):  # psycopg prepares a statement at its fifth run on a connection
        assert client.get("/healthz").status_code == 200
    # Each request's transaction was committed: the health check's statement stayed prepared.
    assert _prepared(own_app, "SELECT 1") == 1


def test_a_request_that_wrote_and_failed_is_rolled_back(own_app: Flask) -> None:
    client = own_app.test_client()
    for _ in range(6):
        assert client.get("/writes-then-fails").status_code == 400
        assert client.get("/healthz").status_code == 200
    assert _kept(own_app) == 0


def test_rows_copied_by_the_driver_are_rolled_back(own_app: Flask) -> None:
    """COPY goes around SQLAlchemy's events: `copy_rows` notes the write itself."""
    with own_app.app_context():
        if not copies(db.session):
            pytest.skip("COPY is PostgreSQL's")
        db.session.scalar(select(func.count()).select_from(PeriodicJob))
        copy_rows(db.session, PeriodicJob, [{"name": MARK, "last_run_at": utcnow()}])
        db.session.close()
    assert _kept(own_app) == 0


def test_sqlite_ends_its_transactions_as_before(own_app: Flask, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only")
    with own_app.app_context():
        assert not db.engine.dispatch.rollback
        assert not db.engine.dispatch.before_cursor_execute


def test_a_lost_connection_is_still_rolled_back(own_app: Flask) -> None:
    """After its connection was lost (invalidated), a transaction's rollback still clears it
    for the next one, rather than failing in the hook."""
    with own_app.app_context():
        connection = db.engine.connect()
        connection.execute(text("SELECT 1"))
        connection.invalidate()
        connection.rollback()
        assert connection.execute(text("SELECT 2")).scalar() == 2
        connection.close()
