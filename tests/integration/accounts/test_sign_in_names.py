"""Signing in with an email or a username, and the first sign-in with a one-time password:
the person chooses their own password before anything else."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.passwords import verify_password
from tests.factories import PASSWORD, make_pupil, make_school_class, make_user
from tests.helpers import csrf_from, login

NEW_PASSWORD = "my own long passphrase"


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def pupil(session: Session) -> User:
    """A pupil of 6A1 with a username and no email."""
    user = make_pupil(
        session, make_school_class(session), "Nguyễn Văn An", username="an.nguyen.6a1"
    )
    session.commit()
    return user


def sign_in(client: FlaskClient, password: str = PASSWORD, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/login")
    return client.post("/login", data={**fields, "password": password, "csrf_token": token})


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"login": "an.nguyen.6a1"},
        {"login": "  AN.Nguyen.6A1 "},
        {"email": "an.nguyen.6a1"},  # the field's old name, still accepted
    ],
    ids=["username", "username-in-capitals", "email-field"],
)
def test_a_pupil_without_email_signs_in_with_the_username(
    english: FlaskClient, pupil: User, fields: dict[str, str]
) -> None:
    response = sign_in(english, **fields)
    assert response.status_code == 303
    assert response.location == "/dashboard"
    page = english.get("/account").get_data(as_text=True)
    assert "an.nguyen.6a1" in page
    assert "None" not in page


@pytest.mark.parametrize("field", ["login", "email"])
def test_people_with_email_still_sign_in_with_it(
    english: FlaskClient, session: Session, field: str
) -> None:
    make_user(session, email="lan@example.test")
    session.commit()
    assert sign_in(english, **{field: "LAN@example.test"}).status_code == 303
    assert signed_in(english)


def test_a_wrong_username_or_password_gets_one_message(english: FlaskClient, pupil: User) -> None:
    for fields, password in (
        ({"login": "an.nguyen.6a1"}, "not the password"),
        ({"login": "nobody.6a1"}, PASSWORD),
    ):
        response = sign_in(english, password, **fields)
        assert response.status_code == 422
        assert "The email, username or password is not correct." in response.get_data(as_text=True)
    assert not signed_in(english)


def test_the_form_asks_for_an_email_or_username_and_fills_it_from_the_address(
    english: FlaskClient,
) -> None:
    page = english.get("/login?login=an.nguyen.6a1").get_data(as_text=True)
    assert re.search(r'<label for="login">Email or username</label>', page)
    assert re.search(r'<input[^>]*name="login"[^>]*value="an.nguyen.6a1"', page)
    assert re.search(r'<input[^>]*autofocus[^>]*name="password"', page)
    assert "autofocus" not in english.get("/login").get_data(as_text=True)


def test_the_form_speaks_vietnamese(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Email hoặc tên đăng nhập" in page


def test_failures_count_per_account_whether_typed_as_username_or_email(
    app: Flask, english: FlaskClient, session: Session
) -> None:
    user = make_user(session, email="minh@example.test")
    user.username = "minh.tran.6a2"
    session.commit()
    original = app.config["MOOC_SETTINGS"]
    app.config["MOOC_SETTINGS"] = original.with_overrides(login_limit_per_account="3 per hour")
    try:
        token = csrf_from(english, "/login")
        for i, name in enumerate(["minh.tran.6a2", "MINH@example.test", "Minh.Tran.6A2"]):
            answer = english.post(
                "/login",
                data={"login": name, "password": "wrong", "csrf_token": token},
                environ_base={"REMOTE_ADDR": f"10.9.0.{i}"},
            )
            assert answer.status_code == 422
        refused = english.post(
            "/login",
            data={"login": "minh@example.test", "password": PASSWORD, "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.9.1.1"},
        )
        assert refused.status_code == 429
    finally:
        app.config["MOOC_SETTINGS"] = original


# --- the first sign-in with a one-time password ------------------------------------------------


@pytest.fixture
def carded(session: Session, pupil: User) -> User:
    pupil.must_change_password = True
    session.commit()
    return pupil


def test_a_one_time_password_leads_to_choosing_ones_own_first(
    english: FlaskClient, carded: User
) -> None:
    response = sign_in(english, login="an.nguyen.6a1", next="/courses")
    assert response.status_code == 303
    assert response.location == "/account/choose-password?next=/courses"
    # Every other page sends back there, GET or POST...
    for url in ("/dashboard", "/account", "/courses/toan-lop-6"):
        bounced = english.get(url)
        assert bounced.status_code == 303
        assert bounced.location.startswith("/account/choose-password?next=")
    token = csrf_from(english, "/account/choose-password")
    assert english.post("/account/password", data={"csrf_token": token}).status_code == 303
    page = english.get("/account/choose-password").get_data(as_text=True)
    assert "Choose your password" in page
    assert "an.nguyen.6a1" in page


def test_choosing_follows_the_password_rules(
    english: FlaskClient, session: Session, carded: User
) -> None:
    sign_in(english, login="an.nguyen.6a1")
    for new, message in (
        ("short", "The password must have at least 10 characters."),
        (PASSWORD, "Choose a new password, not the one you were given."),
    ):
        token = csrf_from(english, "/account/choose-password")
        refused = english.post(
            "/account/choose-password",
            data={"new_password": new, "confirm": new, "csrf_token": token},
        )
        assert refused.status_code == 422
        assert message in refused.get_data(as_text=True)
    session.refresh(carded)
    assert carded.must_change_password
    assert verify_password(carded.password_hash, PASSWORD)


def test_choosing_a_password_clears_the_flag_and_ends_the_other_sessions(
    app: Flask, english: FlaskClient, session: Session, carded: User
) -> None:
    other_device = app.test_client()
    assert sign_in(other_device, login="an.nguyen.6a1").status_code == 303
    sign_in(english, login="an.nguyen.6a1", next="/courses")
    token = csrf_from(english, "/account/choose-password?next=/courses")
    chosen = english.post(
        "/account/choose-password",
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "next": "/courses",
            "csrf_token": token,
        },
    )
    assert chosen.status_code == 303
    assert chosen.location == "/courses"
    assert english.get("/dashboard").status_code == 200
    session.refresh(carded)
    assert not carded.must_change_password
    assert verify_password(carded.password_hash, NEW_PASSWORD)
    assert other_device.get("/account").status_code == 302  # to the log-in page: signed out
    # Once chosen, the page just moves on.
    assert english.get("/account/choose-password").status_code == 303


def test_signing_out_works_before_choosing(english: FlaskClient, carded: User) -> None:
    sign_in(english, login="an.nguyen.6a1")
    token = csrf_from(english, "/account/choose-password")
    assert english.post("/logout", data={"csrf_token": token}).status_code == 303
    assert english.get("/account").status_code == 302


# --- administrators ---------------------------------------------------------------------------


@pytest.fixture
def admin(client: FlaskClient, session: Session) -> FlaskClient:
    person = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Admin")
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, person.email or "", PASSWORD).status_code == 303
    return client


def test_admins_find_people_by_username(admin: FlaskClient, pupil: User) -> None:
    page = admin.get("/admin/people?q=nguyen.6a1").get_data(as_text=True)
    assert "Nguyễn Văn An" in page
    assert "an.nguyen.6a1" in page
    person = admin.get(f"/admin/people/{pupil.id}").get_data(as_text=True)
    assert "an.nguyen.6a1" in person
    assert "Set a one-time password" in person
    assert "Send a password reset link" not in person


def test_admins_set_a_one_time_password_for_an_account_without_email(
    admin: FlaskClient, session: Session, pupil: User, caplog: pytest.LogCaptureFixture
) -> None:
    token = csrf_from(admin, f"/admin/people/{pupil.id}")
    assert admin.get(f"/admin/people/{pupil.id}/one-time-password").status_code == 405
    with caplog.at_level(logging.INFO, logger="mooc.accounts"):
        response = admin.post(
            f"/admin/people/{pupil.id}/one-time-password", data={"csrf_token": token}
        )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    password = re.search(r'class="login-card-password">([a-z2-9-]+)<', page)
    assert password
    session.refresh(pupil)
    assert pupil.must_change_password
    assert verify_password(pupil.password_hash, password.group(1))
    assert f"set a one-time password for account {pupil.id}" in caplog.text
    assert password.group(1) not in caplog.text
