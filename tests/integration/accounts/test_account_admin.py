"""Administrators act on accounts from the person page: disable and enable, change the email,
send a password reset link (through a real SMTP server). Each action is logged with its actor."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Membership, PasswordReset, Role, User
from mooc.mail import Postbox, open_mailer
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login
from tests.mailserver import Inbox, free_port, link_in, smtp_server


@pytest.fixture
def admin_user(session: Session) -> User:
    person = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Admin")
    session.commit()
    return person


@pytest.fixture
def admin(client: FlaskClient, admin_user: User) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, admin_user.email, PASSWORD).status_code == 303
    return client


@pytest.fixture
def inbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as server:
        monkeypatch.setitem(app.extensions, "mooc_postbox", Postbox(open_mailer(server.url)))
        yield server


def act(client: FlaskClient, user: User, action: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, f"/admin/people/{user.id}")
    return client.post(f"/admin/people/{user.id}/{action}", data={"csrf_token": token, **data})


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(
    app: Flask,
    admin: FlaskClient,
    admin_user: User,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    learner = make_user(session, ("thcs-ba-dinh", Role.STUDENT), email="hs@example.test")
    session.commit()
    device = app.test_client()
    assert login(device, learner.email, PASSWORD).status_code == 303

    with caplog.at_level(logging.INFO, logger="mooc.accounts.services"):
        assert act(admin, learner, "disable").status_code == 303
    assert f"admin {admin_user.id} disabled account {learner.id}" in caplog.text
    page = admin.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "The account is disabled" in page and "Enable the account" in page
    assert device.get("/account").status_code == 302  # signed out
    assert login(app.test_client(), learner.email, PASSWORD).status_code == 422
    session.refresh(learner)
    assert learner.is_active is False
    # What the person learnt and holds is kept.
    assert session.scalar(select(func.count()).where(Membership.user_id == learner.id)) == 1

    assert act(admin, learner, "enable").status_code == 303
    assert login(app.test_client(), learner.email, PASSWORD).status_code == 303


def test_an_administrator_cannot_disable_themself(
    admin: FlaskClient, admin_user: User, session: Session
) -> None:
    act(admin, admin_user, "disable")
    page = admin.get(f"/admin/people/{admin_user.id}").get_data(as_text=True)
    assert "You cannot disable your own account." in page
    session.refresh(admin_user)
    assert admin_user.is_active


def test_account_buttons_need_the_csrf_token_and_an_administrator(
    app: Flask, admin: FlaskClient, session: Session
) -> None:
    learner = make_user(session)
    session.commit()
    assert admin.post(f"/admin/people/{learner.id}/disable").status_code == 400
    assert act(admin, learner, "reset").status_code == 303  # the token makes the difference
    other = app.test_client()
    assert login(other, learner.email, PASSWORD).status_code == 303
    token = csrf_from(other, "/account")
    refused = other.post(f"/admin/people/{learner.id}/disable", data={"csrf_token": token})
    assert refused.status_code == 403
    token = csrf_from(admin, "/admin/people")
    assert admin.post("/admin/people/999999/enable", data={"csrf_token": token}).status_code == 404


def test_the_email_changes_when_it_is_valid_and_free(
    admin: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    learner = make_user(session, email="old@example.test")
    taken = make_user(session, email="taken@example.test")
    session.commit()

    clash = act(admin, learner, "email", email="Taken@Example.test")
    assert clash.status_code == 409
    assert "already exists" in clash.get_data(as_text=True)
    bad = act(admin, learner, "email", email="not an address")
    assert bad.status_code == 422
    assert "Enter a valid email address." in bad.get_data(as_text=True)
    session.refresh(learner)
    assert learner.email == "old@example.test"

    with caplog.at_level(logging.INFO, logger="mooc.accounts.services"):
        assert act(admin, learner, "email", email=" New@Example.test ").status_code == 303
    assert f"changed the email of account {learner.id}" in caplog.text
    session.refresh(learner)
    assert learner.email == "new@example.test"
    assert login(admin.application.test_client(), "new@example.test", PASSWORD).status_code == 303
    assert taken.email == "taken@example.test"


def test_an_administrator_sends_a_reset_link(
    app: Flask, admin: FlaskClient, admin_user: User, session: Session, inbox: Inbox
) -> None:
    learner = make_user(session, email="forgetful@example.test")
    session.commit()
    sent = act(admin, learner, "reset")
    assert sent.status_code == 303
    assert "A password reset link was sent to forgetful@example.test" in admin.get(
        sent.location
    ).get_data(as_text=True)
    reset = session.scalars(select(PasswordReset).where(PasswordReset.user_id == learner.id)).one()
    assert reset.sent_by_id == admin_user.id
    link = link_in(inbox.wait_for("forgetful@example.test"))
    assert app.test_client().get(link.removeprefix("http://mooc.test")).status_code == 200


def test_a_failing_mail_server_is_reported_and_no_link_is_kept(
    app: Flask, admin: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setitem(app.extensions, "mooc_postbox", Postbox(open_mailer(dead)))
    learner = make_user(session)
    session.commit()
    sent = act(admin, learner, "reset")
    assert sent.status_code == 303
    assert "could not be sent" in admin.get(sent.location).get_data(as_text=True)
    assert session.scalar(select(func.count()).where(PasswordReset.user_id == learner.id)) == 0
