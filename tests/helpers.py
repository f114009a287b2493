"""Helpers for the test apps' settings and client, for talking to the app like a browser (CSRF
tokens, logging in, a language), for letting the shared test app sign records, and the
platform's verifier as tests configure it. Fixtures live in the conftest files."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy
from mooc.settings import Settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BASE_URL = "http://mooc.test"  # the test apps' public origin (make_settings)

# The key-encryption key the shared app signs with (32 bytes, urlsafe base64; not a secret).
TEST_KEK = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_settings(tmp: Path, database_url: str, **extra: object) -> Settings:
    """A test app's settings: in-memory storage, BASE_URL, a key to sign records with."""
    return Settings(
        env="testing",
        instance_path=tmp,
        secret_key="test-secret-" + "x" * 40,
        database_url=database_url,
        storage_url="memory://",
        base_url=BASE_URL,
        # Like a deployment, tests can sign records (32 bytes, urlsafe base64; not a secret).
        key_encryption_key=base64.urlsafe_b64encode(bytes(range(32))).decode(),
        extra=extra,
    )


def app_with_committed_content(database_url: str, folder: Path) -> Flask:
    """An app on an empty database of its own, migrated and holding the seed content really
    committed: for tests whose threads or processes use connections of their own, which the
    tests' usual one rolled-back transaction would hide its rows from."""
    from mooc.authoring.core.package_format import load_tree
    from mooc.authoring.packages.importing import import_tree
    from mooc.extensions import db
    from mooc.factory import create_app
    from mooc.migrate import upgrade

    upgrade(database_url)
    app = create_app(settings=make_settings(folder, database_url))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
    return app


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


def csrf_from(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(
    client: FlaskClient, email: str, password: str, *, next_url: str | None = None
) -> TestResponse:
    token = csrf_from(client, "/login")
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


@contextmanager
def signing_settings(app: Flask, **changes: Any) -> Iterator[None]:
    """The shared test app with a key-encryption key (and `changes`), restored afterwards."""
    original = app.config["MOOC_SETTINGS"]
    app.config["MOOC_SETTINGS"] = original.with_overrides(key_encryption_key=TEST_KEK, **changes)
    try:
        yield
    finally:
        app.config["MOOC_SETTINGS"] = original


def context(app: Flask) -> IssuingContext:
    """What issuing needs from the shared app's current settings."""
    return IssuingContext.from_settings(app.config["MOOC_SETTINGS"])


def in_language(app: Flask, language: str, func: Callable[..., T], *args: Any) -> T:
    """`func(*args)` in a request whose browser asks for `language` (no cached locale)."""
    with app.test_request_context(headers={"Accept-Language": language}):
        g.pop("_flask_babel", None)
        try:
            return func(*args)
        finally:
            g.pop("_flask_babel", None)


def platform_verifier(
    app: Flask, session: Session, cache: StatusListCache | None = None, **policy: Any
) -> PlatformVerifier:
    """The platform's verifier with `policy` (allowlist, max age, network) over `cache`."""
    settings = app.config["MOOC_SETTINGS"]
    return PlatformVerifier(
        session,
        VerificationPolicy(base_url=settings.base_url, **policy),
        cache=cache or StatusListCache(),
    )
