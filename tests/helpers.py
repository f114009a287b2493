"""Helpers for talking to the app like a browser (CSRF tokens, logging in, a language), for
letting the shared test app sign records, and the platform's verifier as tests configure it."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy

T = TypeVar("T")
BASE_URL = "http://mooc.test"  # the shared app's public origin (tests/conftest.py)

# The key-encryption key the shared app signs with (32 bytes, urlsafe base64; not a secret).
TEST_KEK = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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
