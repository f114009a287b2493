"""The features' jobs through the app's own queue (a real SqliteHuey file, drained as the
worker would): a record whose issuing failed right after the request is issued by its job once
the cause is fixed; the scheduled sweep issues what no request issued; the scheduled sender
sends the notification emails; the LRS gets the statements every minute, its refusals shown;
a video upload enqueues its renditions, which the job makes."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.catalog.models import MediaAsset, MediaRendition, RenditionStatus
from mooc.catalog.services import assign_teacher
from mooc.db import utcnow
from mooc.jobs import queue_of
from mooc.jobs.models import JobRun, RunState
from mooc.learning import services as learning
from mooc.learning.models import XapiStatement
from mooc.learning.queries import ordered_lectures
from mooc.notifications.kinds import RECORD_ISSUED
from mooc.notifications.models import NotificationEmail
from mooc.notifications.services import notify
from tests.factories import PASSWORD, complete, make_user, seed_course, study
from tests.helpers import csrf_from, login
from tests.integration.credentials.records import UNIVERSITY_COURSE, issue, records_of
from tests.integration.learning.test_xapi_and_lrs import FakeLrs

pytestmark = pytest.mark.usefixtures("signing")
LESSON = Path(__file__).resolve().parents[2] / "data" / "media" / "lesson.mp4"
OTHER_KEK = base64.urlsafe_b64encode(bytes(range(100, 132))).decode()


@contextmanager
def wrong_key(app: Flask) -> Iterator[None]:
    """The app configured with another key-encryption key: issuers' keys cannot be opened."""
    original = app.config["MOOC_SETTINGS"]
    app.config["MOOC_SETTINGS"] = original.with_overrides(key_encryption_key=OTHER_KEK)
    try:
        yield
    finally:
        app.config["MOOC_SETTINGS"] = original


def _runs(session: Session, name: str) -> list[JobRun]:
    return list(
        session.scalars(
            select(JobRun).where(JobRun.name == name).execution_options(populate_existing=True)
        )
    )


def test_a_record_that_failed_after_the_request_is_issued_by_its_job_once_fixed(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    issue(app, session, make_user(session))  # the university has its signing key
    learner = make_user(session)
    course = study(session, learner, UNIVERSITY_COURSE, leave_last=True)
    session.commit()
    login(client, learner.email, PASSWORD)
    token = csrf_from(client, "/dashboard")
    last = ordered_lectures(session, course)[-1]
    queue = queue_of(app)
    with wrong_key(app):
        done = client.post(
            f"/courses/{course.slug}/lectures/{last.slug}/done", data={"csrf_token": token}
        )
        assert done.status_code in (302, 303)  # the learner's page did not fail
        assert records_of(session, learner) == []
        [run] = _runs(session, "credentials.issue_records")
        assert run.state == RunState.QUEUED and len(run.args["completion_ids"]) == 1
        queue.drain()  # the worker tries with the same wrong key
        [run] = _runs(session, "credentials.issue_records")
        assert run.state == RunState.FAILED and "KeyUnavailable" in (run.last_error or "")
        assert records_of(session, learner) == []
    queue.drain(now=utcnow() + dt.timedelta(minutes=2))  # the retry, with the right key
    [run] = _runs(session, "credentials.issue_records")
    assert (run.state, run.attempts) == (RunState.DONE, 2)
    assert len(records_of(session, learner)) == 1


def test_the_scheduled_sweep_issues_completions_no_request_issued(
    app: Flask, session: Session
) -> None:
    learner = make_user(session)
    complete(session, learner, UNIVERSITY_COURSE)  # committed without a request: no record
    session.commit()
    assert records_of(session, learner) == []
    queue_of(app).execute_periodic("credentials.issue_pending")
    assert len(records_of(session, learner)) == 1
    [run] = _runs(session, "credentials.issue_pending")
    assert run.state == RunState.DONE


def test_the_scheduled_sender_sends_the_notification_emails(app: Flask, session: Session) -> None:
    person = make_user(session, email="queue.notify@example.test")
    notify(session, [person.id], RECORD_ISSUED, {"record": "Toán 6"}, None)
    session.commit()
    queue_of(app).execute_periodic("notifications.send")
    email = session.scalars(
        select(NotificationEmail)
        .where(NotificationEmail.to == "queue.notify@example.test")
        .execution_options(populate_existing=True)
    ).one()
    assert email.sent_at is not None
    written = sorted((app.config["MOOC_SETTINGS"].instance_path / "outbox").glob("*.eml"))
    assert any("queue.notify@example.test" in path.read_text() for path in written)


def test_a_video_upload_enqueues_its_renditions_which_the_worker_makes(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    course = seed_course(session, "toan-lop-6")
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="queue.upload@example.test")
    assign_teacher(session, course, teacher.id)
    for row in session.scalars(select(MediaRendition)).all():  # only this upload's, below
        session.delete(row)
    session.commit()
    login(client, teacher.email, PASSWORD)
    library = f"/author/courses/{course.slug}/media"
    token = csrf_from(client, library)
    with LESSON.open("rb") as data:
        answer = client.post(
            library,
            data={"csrf_token": token, "file": (data, "queued-lesson.mp4", "video/mp4")},
            content_type="multipart/form-data",
        )
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    [run] = _runs(session, "authoring.transcode")
    assert run.state == RunState.QUEUED  # nothing was transcoded in the request
    asset = session.scalars(select(MediaAsset).where(MediaAsset.name == "queued-lesson.mp4")).one()
    rows = session.scalars(select(MediaRendition).where(MediaRendition.asset_id == asset.id)).all()
    assert {row.status for row in rows} == {RenditionStatus.PENDING}

    storage = app.extensions["mooc_storage"]
    try:
        queue_of(app).drain()
        [run] = _runs(session, "authoring.transcode")
        assert run.state == RunState.DONE
        rows = session.scalars(
            select(MediaRendition)
            .where(MediaRendition.asset_id == asset.id)
            .execution_options(populate_existing=True)
        ).all()
        assert {row.label: row.status for row in rows} == {
            "144p": RenditionStatus.READY,
            "audio": RenditionStatus.READY,
        }
    finally:  # the shared app's storage is not rolled back with the database
        for key in [key for key in storage.objects if "queued-lesson" in key]:
            storage.delete(key)


def test_the_scheduled_forwarding_sends_statements_and_shows_a_refusal(
    app: Flask, session: Session
) -> None:
    student = make_user(session)
    course = seed_course(session, "toan-lop-6")
    learning.enrol(session, student, course)
    lecture = ordered_lectures(session, course)[0]
    assert lecture.published_version is not None
    learning.mark_done(session, student, lecture, lecture.published_version, base_url="http://x")
    session.commit()
    lrs = FakeLrs()
    original = app.config["MOOC_SETTINGS"]
    app.config["MOOC_SETTINGS"] = original.with_overrides(lrs_url=lrs.url)
    queue = queue_of(app)
    try:
        lrs.fail_next = 1
        moment = utcnow()
        queue.execute_periodic("learning.forward_xapi", moment)
        [run] = _runs(session, "learning.forward_xapi")
        assert run.state == RunState.FAILED and "LRS answered 503" in (run.last_error or "")
        assert lrs.received == []
        session.execute(update(XapiStatement).values(next_attempt_at=None))  # the back-off ends
        session.commit()
        queue.execute_periodic("learning.forward_xapi", moment + dt.timedelta(minutes=1))
    finally:
        app.config["MOOC_SETTINGS"] = original
        lrs.close()
    states = {run.id: run.state for run in _runs(session, "learning.forward_xapi")}
    assert sorted(states.values()) == [RunState.DONE, RunState.FAILED]
    mine = session.scalars(select(XapiStatement).where(XapiStatement.user_id == student.id)).all()
    assert mine and {row["id"] for row in lrs.received} >= {row.statement["id"] for row in mine}
