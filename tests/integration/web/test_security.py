"""Security a visitor relies on: CSRF, headers, login rate limits, and errors without leaks."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, get_template_attribute
from flask.testing import FlaskClient
from limits import parse, parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import User
from mooc.factory import create_app
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login, make_settings

# --- CSRF ------------------------------------------------------------------------------------


def page_language(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def account_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_a_one_button_form_carries_its_csrf_token_fields_and_classes(app: Flask) -> None:
    with app.test_request_context("/"):
        post_button = get_template_attribute("_macros/form.html", "post_button")
        html = str(
            post_button(
                "/x",
                "Remove",
                class_="danger",
                form_class="inline",
                hidden={"role": "a&b"},
                hidden_label="<Tên>",
            )
        )
        plain = str(post_button("/y", "Enrol"))
    assert '<form method="post" action="/x" class="inline">' in html
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', html)
    assert '<input type="hidden" name="role" value="a&amp;b">' in html
    assert (
        '<button type="submit" class="danger">Remove'
        '<span class="visually-hidden"> &lt;Tên&gt;</span></button>'
    ) in html
    assert '<form method="post" action="/y">' in plain
    assert '<button type="submit">Enrol</button>' in plain
    assert re.search(r'name="csrf_token" value="[^"]+"', plain)


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_logging_in_without_the_csrf_token_is_refused(
    client: FlaskClient, session: Session, token: str | None
) -> None:
    user = make_user(session)
    session.commit()
    client.get("/login")  # the session exists; only the token is missing
    data = {"email": user.email, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The form had expired or was not sent from this site." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    session.refresh(user)
    assert user.last_login_at is None


def test_registering_without_the_csrf_token_creates_nothing(
    client: FlaskClient, session: Session
) -> None:
    client.get("/register")
    before = account_count(session)
    response = client.post(
        "/register",
        data={
            "name": "Mallory",
            "email": "mallory@example.test",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert account_count(session) == before
    assert client.get("/account").status_code == 302


def test_switching_language_without_the_csrf_token_changes_nothing(client: FlaskClient) -> None:
    assert page_language(client) == "vi"
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 400
    assert page_language(client) == "vi"

    token = csrf_from(client, "/")
    switched = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert switched.status_code == 303
    assert page_language(client) == "en"


def test_logging_out_without_the_csrf_token_keeps_the_session(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()
    login(client, user.email, PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/account").status_code == 200


# --- headers ---------------------------------------------------------------------------------


def csp(response: TestResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [d.split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("url", ["/", "/login", "/courses", "/courses/toan-lop-6", "/no-such"])
def test_html_pages_carry_the_security_headers(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.mimetype == "text/html"
    policy = csp(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    assert response.headers["X-Frame-Options"] == "DENY"


def test_html_pages_have_no_inline_scripts(client: FlaskClient) -> None:
    for url in ("/", "/login", "/register", "/courses"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page
        assert " onclick=" not in page


# --- login rate limits -----------------------------------------------------------------------


@contextmanager
def login_limits(app: Flask, **limits: str) -> Iterator[None]:
    """The shared app with other log-in limits for the time of a test."""
    original = app.config["MOOC_SETTINGS"]
    app.config["MOOC_SETTINGS"] = original.with_overrides(**limits)
    try:
        yield
    finally:
        app.config["MOOC_SETTINGS"] = original


@pytest.fixture
def low_account_ceiling(app: Flask) -> Iterator[None]:
    """A per-account ceiling low enough to reach quickly (each failure costs a password hash)."""
    with login_limits(app, login_limit_per_account="12 per hour"):
        yield


def limit_of(app: Flask, name: str) -> int:
    return parse(getattr(app.config["MOOC_SETTINGS"], name)).amount


def attempt(client: FlaskClient, token: str, email: str, password: str, address: str) -> int:
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_too_many_failures_for_one_account_are_refused_from_any_address(
    app: Flask, client: FlaskClient, session: Session, low_account_ceiling: None
) -> None:
    user = make_user(session)
    session.commit()
    limit = limit_of(app, "login_limit_per_account")
    token = csrf_from(client, "/login")
    for i in range(limit):
        assert attempt(client, token, user.email, "wrong password", f"10.0.1.{i}") == 422
    # Another address, the right password, the email in capitals: still the same account.
    assert attempt(client, token, user.email.upper(), PASSWORD, "10.0.2.1") == 429
    refused = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.2.2"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
    assert client.get("/account").status_code == 302
    # Other accounts are not affected.
    other = make_user(session)
    session.commit()
    assert attempt(client, token, other.email, PASSWORD, "10.0.2.3") == 303


def test_too_many_failures_from_one_address_are_refused_for_any_account(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()
    limit = limit_of(app, "login_limit_per_address")
    token = csrf_from(client, "/login")
    for i in range(limit):
        assert attempt(client, token, f"guess{i}@example.test", "wrong", "192.0.2.7") == 422
    assert attempt(client, token, user.email, PASSWORD, "192.0.2.7") == 429
    assert attempt(client, token, user.email, PASSWORD, "192.0.2.8") == 303


def test_successful_logins_do_not_count_against_the_limit(
    app: Flask, client: FlaskClient, session: Session, low_account_ceiling: None
) -> None:
    user = make_user(session)
    session.commit()
    limit = limit_of(app, "login_limit_per_account")
    token = csrf_from(client, "/login")
    for i in range(limit - 1):
        assert attempt(client, token, user.email, "wrong password", f"10.0.3.{i}") == 422
    for i in range(limit + 1):
        assert attempt(client, token, user.email, PASSWORD, f"10.0.4.{i}") == 303
        token = csrf_from(client, "/login")  # logging in starts a fresh session
    assert attempt(client, token, user.email, "wrong password", "10.0.5.1") == 422
    assert attempt(client, token, user.email, PASSWORD, "10.0.5.2") == 429


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    owner = make_user(session)
    session.commit()
    steps = parse_many(app.config["MOOC_SETTINGS"].login_limit_per_account_address)
    token = csrf_from(client, "/login")
    answers = [attempt(client, token, owner.email, "guess", "203.0.113.66") for _ in range(10)]
    # The guessing address is slowed down after the first step's failures...
    assert answers == [422] * steps[0].amount + [429] * (10 - steps[0].amount)
    assert attempt(client, token, owner.email, PASSWORD, "203.0.113.66") == 429
    # ...while the owner, at an address that has not been failing, gets in at once.
    assert attempt(client, token, owner.email, PASSWORD, "198.51.100.4") == 303


def test_the_delays_grow_for_an_address_that_keeps_failing(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session)
    session.commit()
    real_time, skipped = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + skipped[0])
    token = csrf_from(client, "/login")

    waits: list[str] = []

    def fail(times: int) -> int:
        for _ in range(times):
            assert attempt(client, token, user.email, "guess", "203.0.113.77") == 422
        refused = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
            environ_base={"REMOTE_ADDR": "203.0.113.77"},
            headers={"Accept-Language": "en"},
        )
        assert refused.status_code == 429
        waits.append(refused.get_data(as_text=True))
        return int(refused.headers["Retry-After"])

    with login_limits(app, login_limit_per_account_address="2 per minute; 4 per hour; 6 per day"):
        first = fail(2)
        skipped[0] += 61
        second = fail(2)
        skipped[0] += 3601
        fail(2)
        skipped[0] += 61
        third = fail(0)
        assert 0 < first <= 60 < second <= 3600 < third <= 86400
        # The page says how long, in minutes, once it is longer than a moment.
        assert "Please wait a moment before trying again." in waits[0]
        assert f"Please wait {-(-second // 60)} minutes before trying again." in waits[1]
        skipped[0] += 86401
        assert attempt(client, token, user.email, PASSWORD, "203.0.113.77") == 303


# --- error pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "detail"),
    [
        ("vi", "Không tìm thấy trang", "Không tìm thấy nội dung bạn cần."),
        ("en", "Page not found", "We could not find what you were looking for."),
    ],
)
def test_a_missing_page_is_a_friendly_404_in_the_visitor_language(
    client: FlaskClient, language: str, title: str, detail: str
) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert f"<h1>{title}</h1>" in page
    assert detail in page
    assert 'href="/"' in page


def test_a_wrong_method_is_a_405_naming_the_allowed_ones(client: FlaskClient) -> None:
    response = client.get("/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Method not allowed" in response.get_data(as_text=True)
    assert client.delete("/login").status_code == 405


def test_a_body_over_the_size_limit_is_a_413(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    before = account_count(session)
    token = csrf_from(client, "/register")
    limit = app.config["MAX_CONTENT_LENGTH"]
    filler = "x" * limit
    response = client.post(
        "/register",
        data={
            "name": "Big",
            "email": "big@example.test",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
            "filler": filler,
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "The file or form is too large" in response.get_data(as_text=True)
    assert account_count(session) == before


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [("GET", "/api/v1/nothing", 404), ("POST", "/api/v1/openapi.json", 405)],
)
def test_api_errors_are_problem_details(
    client: FlaskClient, method: str, url: str, status: int
) -> None:
    response = client.open(url, method=method, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "<html" not in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_500_page_without_a_traceback(tmp_path: Path) -> None:
    app = create_app(settings=make_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}"))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail /srv/mooc/config.py")

    @app.get("/api/v1/boom")
    def api_boom() -> str:
        raise KeyError("secret internal detail")

    client = app.test_client()
    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert "secret internal detail" not in page
    assert "RuntimeError" not in page
    assert csp(response)["script-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.mimetype == "application/problem+json"
    assert api.get_json(force=True)["status"] == 500
    assert "secret internal detail" not in api.get_data(as_text=True)
    assert "Traceback" not in api.get_data(as_text=True)


def test_logging_in_starts_a_fresh_session(client: FlaskClient, session: Session) -> None:
    """A token known before logging in (say, planted by an attacker) is worthless after it."""
    user = make_user(session)
    session.commit()
    before = csrf_from(client, "/login")
    assert login(client, user.email, PASSWORD).status_code == 303
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/account").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_from(client, "/")}).status_code == 303
