"""A session's signed CSRF token is handed out again for a minute instead of signed on every
page (mooc/web/csrf_tokens.py); it still validates, and a new session gets its own."""

from __future__ import annotations

import itsdangerous.timed
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.web.csrf_tokens import REUSED_FOR, SignedTokens
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from


def test_pages_of_a_session_share_a_signature_that_still_validates(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session, email="signed@example.test")
    first = csrf_from(client, "/login")
    later = itsdangerous.timed.time.time() + 5  # a new signature would carry a new timestamp
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert csrf_from(client, "/login") == first
    form = {"login": user.email, "password": PASSWORD, "csrf_token": first}
    assert client.post("/login", data=form).status_code == 303


def test_a_new_session_gets_a_token_of_its_own(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    first = csrf_from(client, "/login")
    other = app.test_client()
    assert csrf_from(other, "/login") != first


def test_a_signature_is_handed_out_for_a_minute() -> None:
    now = [0.0]
    kept = SignedTokens(timer=lambda: now[0])
    kept.keep("raw", "signed-at-0")
    now[0] = REUSED_FOR - 1
    kept.keep("raw", "signed-later")  # the first signature's minute is not stretched
    assert kept.get("raw") == "signed-at-0"
    assert kept.get("other") is None
    now[0] = REUSED_FOR + 1
    assert kept.get("raw") is None
