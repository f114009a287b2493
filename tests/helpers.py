"""Helpers for talking to the app like a browser (CSRF tokens, logging in) and for letting the
shared test app sign records."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mooc.credentials.services.issuing import IssuingContext

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
