"""Shared fixtures: a real database per backend (schema by Alembic migrations, seed content
imported once), each test inside a transaction rolled back through a savepoint.

SQLite always; PostgreSQL as well when MOOC_TEST_DATABASE_URL (a server base URL) is set.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db, limiter
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.settings import Settings
from tests.helpers import signing_settings

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
PG_BASE = os.environ.get("MOOC_TEST_DATABASE_URL", "").rstrip("/")
BACKENDS = ["sqlite", *(["postgresql"] if PG_BASE else [])]


def make_settings(tmp: Path, database_url: str, **extra: object) -> Settings:
    return Settings(
        env="testing",
        instance_path=tmp,
        secret_key="test-secret-" + "x" * 40,
        database_url=database_url,
        storage_url="memory://",
        base_url="http://mooc.test",
        # Like a deployment, tests can sign records (32 bytes, urlsafe base64; not a secret).
        key_encryption_key=base64.urlsafe_b64encode(bytes(range(32))).decode(),
        extra=extra,
    )


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


class RequestScopedClient(FlaskClient):
    """A test client whose requests forget per-request caches kept in `g`.

    Tests hold one app context open (so the app's `db.session` is the test's session); Flask
    then reuses it for each request, and with it `g`, where Flask-Login caches the current user,
    Flask-Babel the locale and Flask-WTF the CSRF token. Each real request starts without them;
    so does each of these.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("_flask_babel", None)
            g.pop("csrf_token", None)  # Flask-WTF caches the raw token per request
        return super().open(*args, **kwargs)


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
