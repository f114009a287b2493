"""A change to what a course counts recounts its learners' standing: inside the teacher's
request for a small course; for a large one by the background job, which the learners page
announces until it has run, and which leaves a change made during its recount for its next
run."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.authoring.services.retiring import retire_or_delete
from mooc.catalog.models import Course, Lecture
from mooc.catalog.services import assign_teacher
from mooc.jobs import queue_of
from mooc.learning import recounts, services
from mooc.learning.analytics import refresh_standing
from mooc.learning.jobs import RECOUNT_STANDING
from mooc.learning.models import Enrolment, StandingRecount
from mooc.learning.queries import ordered_lectures
from tests.factories import PASSWORD, make_user
from tests.helpers import login

BASE = "http://mooc.test"
WAITING = "being recounted in the background"


def _course(session: Session) -> Course:
    return session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()


def _reader(session: Session, course: Course) -> tuple[User, Lecture]:
    """A learner who has done the course's first lecture (and only it)."""
    learner = make_user(session, name="Lò Thị Mai")
    services.enrol(session, learner, course)
    first = ordered_lectures(session, course)[0]
    assert first.published_version is not None
    services.mark_done(session, learner, first, first.published_version, base_url=BASE)
    return learner, first


def _progress(session: Session, learner: User, course: Course) -> int:
    session.flush()
    session.expire_all()
    return session.execute(
        select(Enrolment.progress).where(
            Enrolment.user_id == learner.id, Enrolment.course_id == course.id
        )
    ).scalar_one()


def _learners_page(client: FlaskClient, course: Course) -> str:
    page = client.get(f"/teach/courses/{course.slug}/learners", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_change_to_a_small_course_is_recounted_at_once(session: Session) -> None:
    course = _course(session)
    learner, first = _reader(session, course)
    assert _progress(session, learner, course) > 0
    assert retire_or_delete(session, first) == "retired"  # their only lecture counts no more
    assert _progress(session, learner, course) == 0
    assert recounts.pending_since(session, course.id) is None


def test_a_change_to_a_large_course_waits_for_the_job_and_the_page_says_so(
    app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recounts, "INLINE_LEARNERS", 0)  # every course is "large"
    course = _course(session)
    learner, first = _reader(session, course)
    before = _progress(session, learner, course)
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="t@example.test")
    assign_teacher(session, course, teacher.id)
    session.commit()
    login(client, "t@example.test", PASSWORD)
    assert WAITING not in _learners_page(client, course)

    assert retire_or_delete(session, first) == "retired"
    session.commit()
    assert _progress(session, learner, course) == before  # not yet recounted
    assert recounts.pending_since(session, course.id) is not None
    assert WAITING in _learners_page(client, course)

    assert queue_of(app).execute_periodic(RECOUNT_STANDING) is not None
    assert _progress(session, learner, course) == 0
    assert recounts.pending_since(session, course.id) is None
    assert WAITING not in _learners_page(client, course)


def test_a_change_made_during_a_recount_stays_for_the_next_run(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = _course(session)
    _reader(session, course)
    recounts.request_recount(session, course.id)
    recount = recounts._recount

    def changed_meanwhile(session_: Session, course_id: int) -> Any:
        recount(session_, course_id)
        recounts.request_recount(session_, course_id)  # a teacher's change, after the read

    monkeypatch.setattr(recounts, "_recount", changed_meanwhile)
    assert recounts.recount_requested(session) == 1  # once a run, not again and again
    waiting = session.get(StandingRecount, course.id)
    assert waiting is not None and waiting.requests == 2

    monkeypatch.setattr(recounts, "_recount", recount)
    assert recounts.recount_requested(session) == 1
    assert recounts.pending_since(session, course.id) is None
    assert recounts.recount_requested(session) == 0


def test_a_recount_writes_only_the_enrolments_whose_standing_it_changes(session: Session) -> None:
    """A recount after a change that moves few learners' standing rewrites those rows alone
    (their index entries too): counted by PostgreSQL's statistics of this transaction."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's per-transaction statistics count the rows written")
    course = _course(session)
    learner, _first = _reader(session, course)
    for n in range(3):  # learners whose standing the recount leaves as it is
        services.enrol(session, make_user(session, name=f"Học sinh {n}"), course)
    right = _progress(session, learner, course)
    session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == learner.id, Enrolment.course_id == course.id)
        .values(progress=right + 1)
    )
    enrolled = session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)
    )
    assert enrolled is not None and enrolled >= 4

    def written() -> int:
        return int(
            session.execute(
                text("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'enrolment'")
            ).scalar_one()
        )

    before = written()
    refresh_standing(session, course.id, course.pass_mark)
    assert written() - before == 1
    assert _progress(session, learner, course) == right
