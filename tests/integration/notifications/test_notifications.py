"""Notifications: in-app rows and email copies in the caller's transaction, the header's unread
count, the list and marking read (only one's own), email choices, and the outbox: delivered to a
real SMTP server, retried with backoff when it is down, never sent from a request."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.db import utcnow
from mooc.extensions import db
from mooc.factory import create_app
from mooc.mail import SmtpMailer
from mooc.migrate import upgrade
from mooc.notifications import queries
from mooc.notifications.kinds import ASSIGNMENT_NEW, KINDS, RECORD_ISSUED, describe
from mooc.notifications.models import EmailOptOut, Notification, NotificationEmail
from mooc.notifications.outbox import claim_due, send_due
from mooc.notifications.sender import EXTENSION, claim_run, run_cycle
from mooc.notifications.services import KEEP_READ, notify, set_email_optouts
from mooc.settings import SettingsError, load_settings
from mooc.transfer.models import Outcome
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login, make_settings
from tests.integration.transfer.partner import STATS, issue, set_up_partner, staff, student
from tests.integration.transfer.partner import decide_item as _decide
from tests.integration.transfer.partner import sent_item as _item
from tests.mailserver import free_port, smtp_server

SENDER = "mooc <no-reply@mooc.test>"
QUIZ_PARAMS = {
    "class": "6A1",
    "course": "Toán 6",
    "what": "quiz",
    "quiz": "Phân số",
    "due_at": "2026-12-10T10:00:00+00:00",
}


def _person(session: Session, *, locale: str = "en", email: bool = True) -> User:
    user = make_user(session, name="Nguyễn Văn An")
    user.locale = locale
    if not email:
        user.username = f"an.{user.id}"
        user.email = None
    session.flush()
    return user


def _emails(session: Session, user: User) -> list[NotificationEmail]:
    return list(
        session.scalars(
            select(NotificationEmail)
            .join(Notification, Notification.id == NotificationEmail.notification_id)
            .where(Notification.user_id == user.id)
        )
    )


def _say(session: Session, *users: User, key: str | None = None) -> list[Notification]:
    return notify(
        session, [u.id for u in users], ASSIGNMENT_NEW, QUIZ_PARAMS, "/courses/x", event_key=key
    )


def test_notify_tells_each_person_and_mails_those_with_an_address_in_their_language(
    app: Flask, session: Session
) -> None:
    english, vietnamese, pupil = _person(session), _person(session, locale="vi"), None
    pupil = _person(session, email=False)
    made = _say(session, english, vietnamese, pupil)
    assert sorted(n.user_id for n in made) == sorted([english.id, vietnamese.id, pupil.id])
    assert _emails(session, pupil) == []  # no address: shown in the platform only
    (to_english,) = _emails(session, english)
    (to_vietnamese,) = _emails(session, vietnamese)
    assert to_english.to == english.email and to_english.language == "en"
    assert to_english.subject == "New work for class 6A1"
    assert "Your teacher assigned the quiz “Phân số” in Toán 6, due" in to_english.body
    # 10:00 UTC is 17:00 in Vietnam, the default zone, with its offset named
    assert "5:00" in to_english.body and "GMT+07:00" in to_english.body
    assert "http://mooc.test/courses/x" in to_english.body
    assert "http://mooc.test/notifications/settings" in to_english.body
    assert to_vietnamese.language == "vi"
    assert to_vietnamese.subject == "Bài mới cho lớp 6A1"
    assert "Xin chào Nguyễn Văn An" in to_vietnamese.body
    assert to_english.next_attempt_at is not None and to_english.sent_at is None


def test_an_event_told_twice_is_one_notification_and_one_email(
    app: Flask, session: Session
) -> None:
    person = _person(session)
    assert len(_say(session, person, key="assignment:1")) == 1
    assert _say(session, person, key="assignment:1") == []
    assert len(_say(session, person, key="assignment:2")) == 1
    assert len(_emails(session, person)) == 2


def test_a_rolled_back_action_tells_nobody(app: Flask, session: Session) -> None:
    person = _person(session)
    action = session.begin_nested()
    _say(session, person)
    action.rollback()
    assert queries.unread_count(session, person.id) == 0
    assert _emails(session, person) == []


def test_email_choices_are_respected_per_kind_and_for_all(app: Flask, session: Session) -> None:
    person = _person(session)
    set_email_optouts(session, person, {ASSIGNMENT_NEW})
    _say(session, person)
    notify(session, [person.id], RECORD_ISSUED, {"record": "Toán 6"}, None)
    assert [e.subject for e in _emails(session, person)] == ["Your record is ready"]
    set_email_optouts(session, person, {"all"})
    notify(session, [person.id], RECORD_ISSUED, {"record": "Tin học"}, None)
    assert len(_emails(session, person)) == 1
    assert queries.unread_count(session, person.id) == 3  # always shown in the platform


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    person = _person(session)
    first = _say(session, person)[0]
    notify(session, [person.id], RECORD_ISSUED, {"record": "Xác suất thống kê"}, "/records")
    session.commit()
    login(client, person.email or "", PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert re.search(
        r'href="/notifications">Notifications \(2<span class="visually-hidden"> unread</span>\)',
        home,
    )
    page = client.get("/notifications")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # newest first, each linking to its page
    assert text.index("Your record is ready") < text.index("New work for class 6A1")
    assert '<a href="/records">Your record is ready</a>' in text
    token = csrf_from(client, "/notifications")
    done = client.post(f"/notifications/{first.id}/read", data={"csrf_token": token})
    assert done.status_code == 303
    assert first.read_at is not None
    assert "Notifications (1<span" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    assert 'href="/notifications">Notifications</a>' in home


def test_nobody_marks_someone_elses_notification(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    owner, other = _person(session), _person(session)
    theirs = _say(session, owner)[0]
    session.commit()
    login(client, other.email or "", PASSWORD)
    token = csrf_from(client, "/notifications")
    assert (
        client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code
        == 404
    )
    assert client.post("/notifications/999999/read", data={"csrf_token": token}).status_code == 404
    client.post("/notifications/read", data={"csrf_token": token})
    assert theirs.read_at is None
    assert "New work for class" not in client.get("/notifications").get_data(as_text=True)
    # without the CSRF token nothing changes
    login(client, owner.email or "", PASSWORD)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 400
    assert theirs.read_at is None


def test_visitors_are_asked_to_log_in(app: Flask, session: Session, client: FlaskClient) -> None:
    assert client.get("/notifications").status_code == 302
    assert "/notifications" not in client.get("/").get_data(as_text=True)


def test_the_list_is_paged(app: Flask, session: Session, client: FlaskClient) -> None:
    person = _person(session)
    per_page = app.config["MOOC_SETTINGS"].page_size * 2
    for n in range(per_page + 1):
        notify(session, [person.id], RECORD_ISSUED, {"record": f"Record {n:02d}"}, None)
    session.commit()
    login(client, person.email or "", PASSWORD)
    first = client.get("/notifications").get_data(as_text=True)
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert first.count("has been issued") == per_page
    assert second.count("has been issued") == 1


def test_email_choices_page(app: Flask, session: Session, client: FlaskClient) -> None:
    person = _person(session)
    session.commit()
    login(client, person.email or "", PASSWORD)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Send me notifications by email" in page
    assert page.count("checked") == 1 + len(KINDS)  # on for everything by default
    token = csrf_from(client, "/notifications/settings")
    saved = client.post(
        "/notifications/settings",
        data={"csrf_token": token, "enabled": "y", "kinds": ["record.issued"]},
    )
    assert saved.status_code == 303
    refused = set(session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == person.id)))
    assert refused == set(KINDS) - {"record.issued"}
    client.post("/notifications/settings", data={"csrf_token": token})
    refused = set(session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == person.id)))
    assert "all" in refused
    bad = client.post("/notifications/settings", data={"csrf_token": token, "kinds": ["nope"]})
    assert bad.status_code == 422


def test_an_account_without_email_is_told_so_on_the_choices_page(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    pupil = _person(session, email=False)
    session.commit()
    with client.session_transaction() as cookie:  # signing in by username is another change's
        cookie["_user_id"] = pupil.get_id()
        cookie["_fresh"] = True
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Your account has no email address" in page


def test_the_outbox_delivers_to_a_real_smtp_server(app: Flask, session: Session) -> None:
    person = _person(session, locale="vi")
    _say(session, person)
    (queued,) = _emails(session, person)
    with smtp_server() as inbox:
        report = send_due(session, SmtpMailer("127.0.0.1", inbox.port), SENDER)
        message = inbox.wait_for(person.email or "")
    assert report.sent == 1
    assert message["Subject"] == "Bài mới cho lớp 6A1"
    assert message["Content-Language"] == "vi"
    assert message["From"] == SENDER
    assert queued.sent_at is not None and queued.next_attempt_at is None and queued.attempts == 1


def test_a_server_down_is_retried_later_with_backoff_then_given_up(
    app: Flask, session: Session
) -> None:
    person = _person(session)
    _say(session, person)
    (queued,) = _emails(session, person)
    down = SmtpMailer("127.0.0.1", free_port(), timeout=2)
    now = utcnow()
    report = send_due(session, down, SENDER, now=now)
    assert report.retrying == 1
    assert queued.attempts == 1 and queued.sent_at is None
    assert queued.last_error and "cannot send" in queued.last_error
    assert queued.next_attempt_at == now + dt.timedelta(minutes=1)
    # not due yet: not tried again
    assert send_due(session, down, SENDER, now=now + dt.timedelta(seconds=30)).retrying == 0
    # the server is back: delivered at the next attempt
    with smtp_server() as inbox:
        later = now + dt.timedelta(minutes=1)
        report = send_due(session, SmtpMailer("127.0.0.1", inbox.port), SENDER, now=later)
        inbox.wait_for(person.email or "")
    assert report.sent == 1 and queued.attempts == 2 and queued.sent_at == later

    _say(session, person)
    failing = next(e for e in _emails(session, person) if e.sent_at is None)
    waits = []
    moment = now
    while failing.next_attempt_at is not None:
        moment = failing.next_attempt_at
        send_due(session, down, SENDER, now=moment)
        if failing.next_attempt_at is not None:
            waits.append(failing.next_attempt_at - moment)
    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [1, 5, 30, 120, 360]
    assert failing.attempts == 6 and failing.sent_at is None
    assert failing.last_error  # kept for the administrator


def test_a_claimed_email_is_leased_to_one_sender(app: Flask, session: Session) -> None:
    person = _person(session)
    _say(session, person)
    now = utcnow()
    assert len(claim_due(session, now)) == 1
    assert claim_due(session, now) == []  # another process finds nothing to take
    assert len(claim_due(session, now + dt.timedelta(minutes=11))) == 1  # the lease expired


def test_an_hourly_job_runs_once_an_hour_over_all_processes(app: Flask, session: Session) -> None:
    now = utcnow()
    hour = dt.timedelta(hours=1)
    assert claim_run(session, "test-job", now, hour)
    assert not claim_run(session, "test-job", now + dt.timedelta(minutes=59), hour)
    assert claim_run(session, "test-job", now + hour, hour)


def test_the_sender_prunes_old_read_notifications(app: Flask, session: Session) -> None:
    person = _person(session)
    old, recent, unread = (_say(session, person)[0] for _ in range(3))
    now = utcnow() + dt.timedelta(days=3650)  # a moment no other test's job run has reached
    old.read_at = now - KEEP_READ - dt.timedelta(days=1)
    recent.read_at = now - KEEP_READ + dt.timedelta(days=1)
    session.flush()
    with smtp_server() as inbox:
        run_cycle(session, SmtpMailer("127.0.0.1", inbox.port), SENDER, (), now=now)
    left = set(session.scalars(select(Notification.id).where(Notification.user_id == person.id)))
    assert left == {recent.id, unread.id}


@pytest.mark.usefixtures("signing")
def test_a_request_that_notifies_does_not_wait_for_the_mail_server(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    """The transfer decision's request only queues the email: a mail server that takes 5 s to
    answer is not waited for (the slow server would be hit if the request sent)."""
    learner = student(session, email="lan.notify@example.test")
    officer = staff(session, email="binh.notify@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    session.commit()
    login(client, "binh.notify@example.test", PASSWORD)
    url = f"/university/dai-hoc-da-nang/items/{item.id}/reject"
    token = csrf_from(client, url)
    with smtp_server(delay=5) as slow:
        postbox = app.extensions["mooc_postbox"]
        original = postbox.mailer
        postbox.mailer = SmtpMailer("127.0.0.1", slow.port)
        try:
            started = time.monotonic()
            done = client.post(url, data={"csrf_token": token, "comment": "Wrong programme."})
            took = time.monotonic() - started
        finally:
            postbox.mailer = original
        assert slow.messages == []
    assert done.status_code == 303
    assert took < 3
    told = session.scalars(
        select(Notification).where(Notification.user_id == learner.id).order_by(Notification.id)
    ).all()
    assert [n.kind for n in told] == ["record.issued", "transfer.decided"]
    assert told[1].link == f"/transfer/requests/{item.request_id}"
    assert told[1].params["recognised"] is False
    (decision_email,) = [e for e in _emails(session, learner) if e.notification_id == told[1].id]
    assert decision_email.sent_at is None and decision_email.attempts == 0
    assert "did not recognise your record" in decision_email.body
    assert session.scalar(select(func.count()).select_from(NotificationEmail)) >= 2


@pytest.mark.parametrize("locale", ["en", "vi"])
def test_every_kind_reads_in_both_languages(app: Flask, locale: str) -> None:
    params = {
        **QUIZ_PARAMS,
        "record": "Toán 6",
        "university": "Đại học Đà Nẵng",
        "recognised": True,
        "course": "MA2020",
        "credits": "2.5",
    }
    with app.test_request_context(), force_locale(locale):
        for kind in KINDS:
            message = describe(kind, params, zone="Asia/Ho_Chi_Minh", locale=locale)
            assert message.title and message.text
            assert "%(" not in message.title + message.text
        decided = describe("transfer.decided", params, zone="UTC", locale=locale)
    assert ("2,5 tín chỉ" if locale == "vi" else "2.5 credits") in decided.text


def test_the_send_command_sends_the_due_emails(app: Flask, session: Session) -> None:
    person = _person(session)
    _say(session, person)
    session.commit()
    address = person.email  # the command closes the session it shares with this test
    outbox = app.config["MOOC_SETTINGS"].instance_path / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 0, given up 0" in result.output
    (written,) = set(outbox.glob("*.eml")) - before
    assert f"To: {address}" in written.read_text()


def test_the_background_thread_of_a_web_process_sends(
    backend: str,
    fresh_database_url,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """Started by the first request the process serves; sends without any request waiting."""
    url = fresh_database_url(backend)
    upgrade(url)
    with smtp_server() as inbox:
        settings = make_settings(tmp_path, url).with_overrides(
            notifications_sender="thread", mail_url=inbox.url
        )
        application = create_app(settings=settings)
        with application.app_context():
            person = make_user(db.session, email="thread.notify@example.test")
            notify(db.session, [person.id], RECORD_ISSUED, {"record": "Toán 6"}, None)
            db.session.commit()
        sender = application.extensions[EXTENSION].thread
        assert sender is not None
        try:
            assert inbox.messages == []  # nothing is sent before a process serves a request
            assert application.test_client().get("/healthz").status_code == 200
            message = inbox.wait_for("thread.notify@example.test", timeout=20)
        finally:
            sender.stop()
            with application.app_context():
                db.engine.dispose()
    assert message["Subject"] == "Chứng nhận của bạn đã sẵn sàng"  # the default language, vi


def test_the_unread_count_reads_one_index(app: Flask, session: Session, backend: str) -> None:
    """The header's COUNT runs on every page: it must not scan the table."""
    if backend != "sqlite":
        pytest.skip("the plan is read from SQLite; PostgreSQL may prefer a scan on a tiny table")
    plan = session.execute(
        text(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM notification "
            "WHERE user_id = 1 AND read_at IS NULL"
        )
    ).all()
    assert "USING COVERING INDEX ix_notification_user_unread" in " ".join(
        str(row[-1]) for row in plan
    )


def test_a_notification_links_only_to_this_site(app: Flask, session: Session) -> None:
    person = _person(session)
    for link in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="path on this site"):
            notify(session, [person.id], RECORD_ISSUED, {"record": "x"}, link)
    assert queries.unread_count(session, person.id) == 0


def test_the_sender_setting_is_checked_at_start_up(tmp_path: Path) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ).notifications_sender == "queue"
    off = load_settings({**environ, "MOOC_NOTIFICATIONS_SENDER": " OFF "})
    assert off.notifications_sender == "off"
    thread = load_settings({**environ, "MOOC_NOTIFICATIONS_SENDER": "thread"})
    assert thread.notifications_sender == "thread"
    with pytest.raises(
        SettingsError, match="MOOC_NOTIFICATIONS_SENDER must be one of queue, thread, off"
    ):
        load_settings({**environ, "MOOC_NOTIFICATIONS_SENDER": "cron"})


def test_an_app_with_the_sender_off_starts_no_thread(app: Flask) -> None:
    assert app.config["MOOC_SETTINGS"].notifications_sender == "off"
    assert app.extensions[EXTENSION].thread is None
    assert [name for name, _job in app.extensions[EXTENSION].hourly] == ["assignment-reminders"]


def test_the_outbox_command_names_what_was_given_up(app: Flask, session: Session) -> None:
    person = _person(session)
    _say(session, person)
    _say(session, person)
    given_up, waiting = _emails(session, person)
    given_up.attempts, given_up.next_attempt_at = 6, None
    given_up.last_error = "cannot send through mail.example:587: refused"
    session.flush()
    result = app.test_cli_runner().invoke(args=["notifications", "outbox"])
    assert result.exit_code == 0, result.output
    assert "waiting 1, sent 0, given up 1" in result.output
    assert f"#{given_up.id} " in result.output and "6 attempts" in result.output
    assert "refused" in result.output and f"#{waiting.id} " not in result.output


@pytest.mark.usefixtures("signing")
def test_a_recognising_decision_tells_the_course_and_credits(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    _decide(app, session, officer, item, Outcome.ACCEPTED)
    told = session.scalars(
        select(Notification).where(
            Notification.user_id == learner.id, Notification.kind == "transfer.decided"
        )
    ).one()
    assert told.params["course"] == "MA2020 Xác suất thống kê"
    (email,) = [e for e in _emails(session, learner) if e.notification_id == told.id]
    assert (
        "recognised your record “" in email.body
        and "as MA2020 Xác suất thống kê for 2 credits" in email.body
    )
