"""The administrator's outbox page: the emails the sender gave up on, with their last error, and
sending them again (one, or all) through a real SMTP server once it answers."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.db import utcnow
from mooc.mail import SmtpMailer
from mooc.notifications.models import NotificationEmail
from mooc.notifications.outbox import send_due
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login
from tests.mailserver import smtp_server

SENDER = "mooc <no-reply@mooc.test>"


def _email(
    session: Session, to: str, *, given_up: bool = False, sent: bool = False
) -> NotificationEmail:
    now = utcnow()
    email = NotificationEmail(
        to=to,
        language="en",
        subject=f"New work for {to}",
        body="Open the platform to see it.",
        attempts=6 if given_up else (1 if sent else 0),
        next_attempt_at=None if (given_up or sent) else now + dt.timedelta(hours=1),
        sent_at=now if sent else None,
        last_error="cannot send through mail.example:587: refused" if given_up else None,
    )
    session.add(email)
    session.flush()
    return email


def _admin(client: FlaskClient, session: Session) -> User:
    person = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Admin")
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, person.email, PASSWORD).status_code == 303
    return person


def test_the_page_lists_what_was_given_up_with_its_error(
    client: FlaskClient, session: Session
) -> None:
    lost = _email(session, "an@school.test", given_up=True)
    _email(session, "binh@school.test")  # still waiting
    _email(session, "chi@school.test", sent=True)
    _admin(client, session)
    page = client.get("/admin/emails/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "an@school.test" in text and "mail.example:587: refused" in text
    assert "binh@school.test" not in text and "chi@school.test" not in text
    assert f'name="email_id" value="{lost.id}"' in text
    assert "Send the 1 given-up email again" in text
    assert 'href="/admin/emails/"' in client.get("/admin/people").get_data(as_text=True)


def test_only_administrators_see_the_outbox(client: FlaskClient, session: Session) -> None:
    assert client.get("/admin/emails/").status_code in (302, 303)  # a visitor signs in first
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), name="Teacher")
    session.commit()
    assert login(client, teacher.email, PASSWORD).status_code == 303
    assert client.get("/admin/emails/").status_code == 403
    token = csrf_from(client, "/dashboard")
    assert client.post("/admin/emails/send-again", data={"csrf_token": token}).status_code == 403


def test_send_one_again_then_the_sender_delivers_it(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lost = _email(session, "an@school.test", given_up=True)
    other = _email(session, "dung@school.test", given_up=True)
    sent = _email(session, "chi@school.test", sent=True)
    session.commit()
    _admin(client, session)
    token = csrf_from(client, "/admin/emails/")
    assert client.post("/admin/emails/send-again", data={"email_id": lost.id}).status_code == 400
    session.refresh(lost)
    assert lost.next_attempt_at is None  # no CSRF token, nothing changed
    answer = client.post(
        "/admin/emails/send-again", data={"csrf_token": token, "email_id": lost.id}
    )
    assert answer.status_code == 303
    assert "1 email will be sent again" in client.get("/admin/emails/").get_data(as_text=True)
    session.refresh(lost), session.refresh(other), session.refresh(sent)
    assert lost.next_attempt_at is not None
    assert other.next_attempt_at is None and sent.next_attempt_at is None
    again = client.post("/admin/emails/send-again", data={"csrf_token": token, "email_id": lost.id})
    assert again.status_code == 303  # a second click queues nothing more
    assert "0 emails will be sent again" in client.get("/admin/emails/").get_data(as_text=True)
    with smtp_server() as inbox:
        report = send_due(session, SmtpMailer("127.0.0.1", inbox.port), SENDER)
        message = inbox.wait_for("an@school.test")
    assert report.sent == 1 and message["Subject"] == "New work for an@school.test"
    session.refresh(lost)
    assert lost.sent_at is not None and lost.last_error is None and lost.attempts == 7


def test_send_all_again_queues_every_given_up_email(client: FlaskClient, session: Session) -> None:
    lost = [_email(session, f"pupil{n}@school.test", given_up=True) for n in range(3)]
    waiting = _email(session, "binh@school.test")
    session.commit()
    before = waiting.next_attempt_at
    _admin(client, session)
    token = csrf_from(client, "/admin/emails/")
    assert client.post("/admin/emails/send-again", data={"csrf_token": token}).status_code == 303
    page = client.get("/admin/emails/").get_data(as_text=True)
    assert "3 emails will be sent again" in page and "No email has been given up." in page
    for email in [*lost, waiting]:
        session.refresh(email)
    assert all(email.next_attempt_at is not None for email in lost)
    assert waiting.next_attempt_at == before  # a waiting email keeps its own time
