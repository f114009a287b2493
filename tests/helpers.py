"""Helpers for talking to the app like a browser: CSRF tokens and logging in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

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
