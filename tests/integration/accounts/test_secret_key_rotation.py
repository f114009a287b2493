"""Changing MOOC_SECRET_KEY on several app servers without logging everyone out: a server given
the earlier key in MOOC_SECRET_KEY_FALLBACKS still reads the sessions it signed; one without it
does not (the person logs in again)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.settings import SettingsError, load_settings
from tests.helpers import csrf_from, make_settings

OLD, NEW = "old-secret-" + "o" * 40, "new-secret-" + "n" * 40
COOKIE = "mooc_session"


Server = Callable[..., FlaskClient]


@pytest.fixture
def server(
    tmp_path: Path, backend: str, fresh_database_url: Callable[[str], str]
) -> Iterator[Server]:
    """A maker of app servers on one fresh database: `server(key, *fallbacks)`, a client."""
    url = fresh_database_url(backend)
    upgrade(url)
    made: list[Flask] = []

    def make(key: str, *fallbacks: str) -> FlaskClient:
        settings = make_settings(tmp_path, url).with_overrides(
            secret_key=key, secret_key_fallbacks=fallbacks
        )
        made.append(create_app(settings=settings))
        return made[-1].test_client()

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_sessions_signed_with_the_earlier_key_stay_valid_during_a_change(server: Server) -> None:
    before = server(OLD)
    form = {
        "name": "Lê Văn Cường",
        "email": "cuong@truong.edu.vn",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    form["csrf_token"] = csrf_from(before, "/register")
    assert before.post("/register", data=form).status_code == 303
    cookie = before.get_cookie(COOKIE)
    assert cookie is not None

    during = server(NEW, OLD)
    during.set_cookie(COOKIE, cookie.value)
    assert during.get("/dashboard").status_code == 200

    after = server(NEW)
    after.set_cookie(COOKIE, cookie.value)
    assert after.get("/dashboard").status_code == 302  # to the log-in page


def test_production_fallback_keys_are_as_long_as_the_secret_key(tmp_path: Path) -> None:
    environ = {
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_SECRET_KEY_FALLBACKS": f" {NEW} , {OLD},",
    }
    assert load_settings(environ).secret_key_fallbacks == (NEW, OLD)
    production = {
        **environ,
        "MOOC_ENV": "production",
        "MOOC_SECRET_KEY": "s" * 40,
        "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
        "MOOC_BASE_URL": "https://mooc.example.edu.vn",
        "MOOC_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    }
    assert load_settings(production).secret_key_fallbacks == (NEW, OLD)
    with pytest.raises(SettingsError, match="MOOC_SECRET_KEY_FALLBACKS"):
        load_settings({**production, "MOOC_SECRET_KEY_FALLBACKS": "short"})
