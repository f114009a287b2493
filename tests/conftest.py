"""Shared fixtures: a real database per backend (schema by Alembic migrations, seed content
imported once), each test inside a transaction rolled back through a savepoint.

SQLite always; PostgreSQL as well when MOOC_TEST_DATABASE_URL (a server base URL) is set.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db, limiter
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.helpers import CONTENT, RequestScopedClient, make_settings, signing_settings

PG_BASE = os.environ.get("MOOC_TEST_DATABASE_URL", "").rstrip("/")
BACKENDS = ["sqlite", *(["postgresql"] if PG_BASE else [])]


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mooc")


def _pg_database() -> Iterator[str]:
    name = f"mooc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_root: Path) -> Iterator[object]:
    """A factory of empty databases (migrated by the caller) on a given backend."""
    made: list[Iterator[str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_root / f'db-{uuid.uuid4().hex[:8]}.sqlite3'}"
        gen = _pg_database()
        made.append(gen)
        return next(gen)

    yield make
    for gen in made:
        for _ in gen:
            pass


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def app(backend: str, fresh_database_url, tmp_root: Path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The application on a migrated database holding the seed content (committed once)."""
    url = fresh_database_url(backend)
    upgrade(url)
    application = create_app(settings=make_settings(tmp_root / backend, url))
    application.test_client_class = RequestScopedClient
    with application.app_context():
        import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        db.session.close()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's unit of work: everything it (and the app) commits is rolled back after it."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.close()
            outer.rollback()
            connection.close()
            db.sessionmaker.configure(
                bind=db.engine, join_transaction_mode="conservative_savepoint"
            )


@pytest.fixture
def signing(app: Flask) -> Iterator[None]:
    """The shared app can sign records during the test (modules ask for it with
    ``pytestmark = pytest.mark.usefixtures("signing")``)."""
    with signing_settings(app):
        yield


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of content/ for tests that edit package files."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
