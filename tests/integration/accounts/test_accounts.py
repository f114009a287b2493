"""Accounts through the browser: register, log in and out, safe redirects, profile, password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import User
from mooc.accounts.passwords import verify_password
from mooc.settings import load_settings
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

NEW_PASSWORD = "a much longer new passphrase"


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    """The visitor's browser asks for English pages."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def register(client: FlaskClient, **fields: str) -> TestResponse:
    data = {
        "name": "Nguyễn Văn An",
        "email": "an@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **fields,
    }
    return client.post("/register", data={**data, "csrf_token": csrf_from(client, "/register")})


def users_with_email(session: Session, email: str) -> int:
    return session.scalar(select(func.count()).where(User.email == email)) or 0


def logged_in_as(client: FlaskClient, name: str) -> bool:
    """The page header shows the person's name and a log-out button only when logged in."""
    page = client.get("/").get_data(as_text=True)
    return name in page and "Log out" in page


def page_language(client: FlaskClient, url: str = "/") -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


# --- registration ----------------------------------------------------------------------------


def test_registering_creates_the_account_and_logs_in(
    english: FlaskClient, session: Session
) -> None:
    response = register(english)
    assert response.status_code == 303
    assert response.location == "/"
    home = english.get("/").get_data(as_text=True)
    assert "Your account is ready. Welcome!" in home
    assert logged_in_as(english, "Nguyễn Văn An")
    assert users_with_email(session, "an@example.com") == 1


def test_registering_a_taken_email_is_a_conflict_with_a_readable_message(
    english: FlaskClient, session: Session
) -> None:
    make_user(session, email="taken@example.com")
    session.commit()
    response = register(english, email="taken@example.com")
    assert response.status_code == 409
    assert "An account with this email address already exists." in response.get_data(as_text=True)
    assert users_with_email(session, "taken@example.com") == 1
    assert not logged_in_as(english, "Nguyễn Văn An")


def test_emails_are_case_insensitive(english: FlaskClient, session: Session) -> None:
    assert register(english, email="  Mixed.Case@Example.COM ").status_code == 303
    assert users_with_email(session, "mixed.case@example.com") == 1
    english.post("/logout", data={"csrf_token": csrf_from(english, "/")})

    again = register(english, email="mixed.case@EXAMPLE.com")
    assert again.status_code == 409
    assert users_with_email(session, "mixed.case@example.com") == 1
    assert login(english, "MIXED.CASE@example.com", PASSWORD).status_code == 303
    assert logged_in_as(english, "Nguyễn Văn An")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The password must have at least 10 characters."),
        ("vi", "Mật khẩu phải có ít nhất 10 ký tự."),
    ],
)
def test_a_short_password_is_refused_in_the_visitor_language(
    client: FlaskClient, session: Session, language: str, message: str
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = register(client, password="short", confirm="short")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert users_with_email(session, "an@example.com") == 0


def test_a_short_new_password_is_refused(english: FlaskClient, session: Session) -> None:
    user = make_user(session)
    session.commit()
    login(english, user.email, PASSWORD)
    response = english.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm": "short",
            "csrf_token": csrf_from(english, "/account/password"),
        },
    )
    assert response.status_code == 422
    assert "The password must have at least 10 characters." in response.get_data(as_text=True)
    english.post("/logout", data={"csrf_token": csrf_from(english, "/")})
    assert login(english, user.email, PASSWORD).status_code == 303


def test_a_mismatched_confirmation_is_refused(english: FlaskClient, session: Session) -> None:
    response = register(english, confirm=PASSWORD + " typo")
    assert response.status_code == 422
    assert "The passwords differ." in response.get_data(as_text=True)
    assert users_with_email(session, "an@example.com") == 0


def test_the_password_is_stored_as_an_argon2id_hash(english: FlaskClient, session: Session) -> None:
    register(english)
    user = session.scalars(select(User).where(User.email == "an@example.com")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_the_test_app_hashes_with_minimal_argon2id_and_still_verifies(
    english: FlaskClient, session: Session
) -> None:
    register(english)
    user = session.scalars(select(User).where(User.email == "an@example.com")).one()
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "!")
    assert not verify_password(None, PASSWORD)


@pytest.mark.parametrize("env", ["development", "production"])
def test_real_deployments_hash_with_strong_argon2id_parameters(tmp_path: Path, env: str) -> None:
    settings = load_settings(
        {
            "MOOC_ENV": env,
            "MOOC_INSTANCE_PATH": str(tmp_path),
            "MOOC_SECRET_KEY": "s" * 40,
            "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
            "MOOC_BASE_URL": "https://mooc.example.edu",
            "MOOC_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        }
    )
    hashing = settings.password_hashing
    # argon2-cffi's defaults, RFC 9106's low-memory recommendation: 3 passes over 64 MiB, 4 lanes.
    assert (hashing.time_cost, hashing.memory_kib, hashing.parallelism) == (3, 65536, 4)


# --- logging in and out ----------------------------------------------------------------------


def test_logging_in_lands_on_the_dashboard_and_shows_the_name(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Trần Thị Bình")
    session.commit()
    response = login(english, user.email, PASSWORD)
    assert response.status_code == 303
    assert response.location == "/dashboard"
    home = english.get("/dashboard").get_data(as_text=True)
    assert "Welcome back, Trần Thị Bình." in home
    assert logged_in_as(english, "Trần Thị Bình")
    session.refresh(user)
    assert user.last_login_at is not None


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Trần Thị Bình")
    session.commit()
    wrong = login(english, user.email, PASSWORD + "!")
    unknown = login(english, "nobody@example.test", PASSWORD)
    message = "The email, username or password is not correct."
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert english.get("/account").status_code == 302


def test_logging_out_needs_a_post(english: FlaskClient, session: Session) -> None:
    user = make_user(session, name="Trần Thị Bình")
    session.commit()
    login(english, user.email, PASSWORD)

    assert english.get("/logout").status_code == 405
    assert english.get("/account").status_code == 200

    response = english.post("/logout", data={"csrf_token": csrf_from(english, "/")})
    assert response.status_code == 303
    assert "You have logged out on all your devices." in english.get("/").get_data(as_text=True)
    assert not logged_in_as(english, "Trần Thị Bình")
    gone = english.get("/account")
    assert gone.status_code == 302
    assert gone.location.startswith("/login")


def test_a_copied_session_cookie_stops_working_after_logging_out(
    app: Flask, english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Đỗ Văn Khoa")
    session.commit()
    other_device = app.test_client()
    assert login(other_device, user.email, PASSWORD).status_code == 303
    assert login(english, user.email, PASSWORD).status_code == 303
    stolen = english.get_cookie("mooc_session")
    assert stolen is not None
    copy = app.test_client()
    copy.set_cookie("mooc_session", stolen.value)
    assert copy.get("/dashboard").status_code == 200
    profile_token = csrf_from(copy, "/account")

    assert english.post("/logout", data={"csrf_token": csrf_from(english, "/")}).status_code == 303

    # The copy can neither read the dashboard nor change the profile any more...
    dashboard = copy.get("/dashboard")
    assert dashboard.status_code == 302
    assert dashboard.location.startswith("/login")
    changed = copy.post(
        "/account", data={"name": "Kẻ gian", "locale": "", "csrf_token": profile_token}
    )
    assert changed.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).name == "Đỗ Văn Khoa"  # type: ignore[union-attr]
    # ...and signing out on one device signs out the others (see README, "Sessions").
    assert other_device.get("/account").status_code == 302
    assert login(copy, user.email, PASSWORD).status_code == 303


def test_the_session_cookie_is_http_only_and_same_site_lax(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()
    response = login(english, user.email, PASSWORD)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("mooc_session=")]
    assert cookies
    attributes = {part.strip().lower() for part in cookies[-1].split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# --- where logging in leads ------------------------------------------------------------------


def test_a_relative_next_is_followed_after_login(english: FlaskClient, session: Session) -> None:
    user = make_user(session)
    session.commit()
    response = login(english, user.email, PASSWORD, next_url="/courses?q=toan")
    assert response.status_code == 303
    assert response.location == "/courses?q=toan"


def test_a_protected_page_sends_to_login_and_back(english: FlaskClient, session: Session) -> None:
    user = make_user(session, name="Lê Văn Cường")
    session.commit()
    bounced = english.get("/account")
    assert bounced.status_code == 302
    login_page = english.get(bounced.location).get_data(as_text=True)
    assert 'name="next"' in login_page
    assert 'value="/account"' in login_page

    token = csrf_from(english, bounced.location)
    response = english.post(
        bounced.location, data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.location == "/account"
    assert "Lê Văn Cường" in english.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "http:/evil.example",
    ],
)
def test_an_outside_next_goes_to_the_dashboard_instead(
    english: FlaskClient, session: Session, target: str
) -> None:
    user = make_user(session)
    session.commit()
    response = login(english, user.email, PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.location == "/dashboard"
    assert urlsplit(response.location).netloc == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_the_language_switcher_only_returns_to_pages_of_this_site(
    english: FlaskClient, target: str
) -> None:
    token = csrf_from(english, "/")
    away = english.post("/language", data={"lang": "vi", "next": target, "csrf_token": token})
    assert away.status_code == 303
    assert away.location == "/"
    back = english.post(
        "/language", data={"lang": "en", "next": "/courses?level=k12", "csrf_token": token}
    )
    assert back.location == "/courses?level=k12"


# --- profile and password --------------------------------------------------------------------


def test_editing_the_profile_changes_the_name_and_the_page_language(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Old Name")
    session.commit()
    login(english, user.email, PASSWORD)
    assert page_language(english) == "en"
    token = csrf_from(english, "/account")

    saved = english.post(
        "/account", data={"name": "  Phạm Minh Đức ", "locale": "vi", "csrf_token": token}
    )
    assert saved.status_code == 303
    assert saved.location == "/account"
    page = english.get("/account").get_data(as_text=True)
    assert "Phạm Minh Đức" in page
    assert "Đã lưu thông tin cá nhân của bạn." in page  # confirmed in the chosen language
    # The account's language now wins over the browser's Accept-Language (English).
    assert page_language(english) == "vi"
    session.refresh(user)
    assert (user.name, user.locale) == ("Phạm Minh Đức", "vi")

    back = english.post(
        "/account", data={"name": "Phạm Minh Đức", "locale": "", "csrf_token": token}
    )
    assert back.status_code == 303
    assert page_language(english) == "en"


def test_a_profile_without_a_name_is_refused(english: FlaskClient, session: Session) -> None:
    user = make_user(session, name="Kept Name")
    session.commit()
    login(english, user.email, PASSWORD)
    token = csrf_from(english, "/account")
    response = english.post("/account", data={"name": "   ", "locale": "en", "csrf_token": token})
    assert response.status_code == 422
    session.refresh(user)
    assert user.name == "Kept Name"


def test_changing_the_password_needs_the_current_one(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()
    login(english, user.email, PASSWORD)
    token = csrf_from(english, "/account/password")
    response = english.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)
    english.post("/logout", data={"csrf_token": csrf_from(english, "/")})
    assert login(english, user.email, NEW_PASSWORD).status_code == 422
    assert login(english, user.email, PASSWORD).status_code == 303


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    app: Flask, english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Võ Thị Hoa")
    session.commit()
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(other, user.email, PASSWORD).status_code == 303
    assert login(english, user.email, PASSWORD).status_code == 303
    assert other.get("/account").status_code == 200

    token = csrf_from(english, "/account/password")
    response = english.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert english.get("/account").status_code == 200
    assert logged_in_as(english, "Võ Thị Hoa")
    ended = other.get("/account")
    assert ended.status_code == 302
    assert ended.location.startswith("/login")
    assert not logged_in_as(other, "Võ Thị Hoa")

    third = app.test_client()
    assert login(third, user.email, PASSWORD).status_code == 422
    assert login(third, user.email, NEW_PASSWORD).status_code == 303


def test_the_language_chosen_before_logging_in_is_kept(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()
    token = csrf_from(client, "/")
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert page_language(client) == "en"
    assert login(client, user.email, PASSWORD).status_code == 303
    assert page_language(client) == "en"


def test_the_welcome_speaks_the_language_of_the_account(
    english: FlaskClient, session: Session
) -> None:
    user = make_user(session, name="Lê Văn Cường")
    user.locale = "vi"
    session.commit()
    login(english, user.email, PASSWORD)  # the browser asks for English, the account for Vietnamese
    page = english.get("/dashboard").get_data(as_text=True)
    assert "Chào mừng Lê Văn Cường quay trở lại." in page
    assert "Welcome back" not in page
