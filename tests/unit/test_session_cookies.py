"""Sessions opened through `SessionCookies` (its serializer built once per secret) read and
write the very cookies Flask's own interface does (mooc/web/session_cookies.py)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from mooc.web.session_cookies import SessionCookies

DATA = {"_user_id": "7:abc", "_fresh": True, "csrf_token": "f" * 40, "_flashes": [("info", "x")]}


def app_with(secret: str, *fallbacks: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
    return app


def test_cookies_are_those_of_flask() -> None:
    app = app_with("a" * 40)
    flasks, ours = SecureCookieSessionInterface(), SessionCookies()
    for writer, reader in ((flasks, ours), (ours, flasks), (ours, ours)):
        cookie = writer.get_signing_serializer(app).dumps(DATA)  # type: ignore[union-attr]
        assert reader.get_signing_serializer(app).loads(cookie) == DATA  # type: ignore[union-attr]
    assert ours.get_signing_serializer(app) is ours.get_signing_serializer(app)


def test_a_forged_or_foreign_cookie_is_refused() -> None:
    ours = SessionCookies()
    mine, other = app_with("a" * 40), app_with("b" * 40)
    cookie = SecureCookieSessionInterface().get_signing_serializer(other).dumps(DATA)  # type: ignore[union-attr]
    serializer = ours.get_signing_serializer(mine)
    assert serializer is not None
    mine_cookie = serializer.dumps(DATA)
    forged = mine_cookie[:-2] + ("AA" if not mine_cookie.endswith("AA") else "BB")
    for bad in (cookie, forged):
        with pytest.raises(BadSignature):
            serializer.loads(bad)


def test_a_cookie_signed_with_a_retired_key_is_still_read() -> None:
    old = SessionCookies().get_signing_serializer(app_with("a" * 40)).dumps(DATA)  # type: ignore[union-attr]
    serializer = SessionCookies().get_signing_serializer(app_with("b" * 40, "a" * 40))
    assert serializer is not None and serializer.loads(old) == DATA
    assert SessionCookies().get_signing_serializer(app_with("")) is None
