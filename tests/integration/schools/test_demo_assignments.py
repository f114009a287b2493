"""The demo class's quiz: assigned by the demo teacher, due in a week, answered by twelve pupils
with varied results; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.models import QuizAttempt
from mooc.db import utcnow
from mooc.demo.assignments import load_demo_assignments
from mooc.schools.models import Assignment
from tests.factories import make_user
from tests.integration.schools.classrooms import make_classroom, quiz


def test_the_demo_class_has_a_quiz_due_in_a_week_done_by_some(session: Session) -> None:
    room = make_classroom(session, name="6A1", pupils=15)
    make_user(session, email="teacher@demo.test")
    now = utcnow()
    notes = load_demo_assignments(session, "6A1", now=now)
    assert notes and "12 pupils answered" in notes[0]
    found = session.scalars(
        select(Assignment).where(Assignment.class_id == room.school_class.id)
    ).one()
    assert found.quiz_id == quiz(session).id
    assert found.due_at is not None
    assert dt.timedelta(days=6, hours=23) < found.due_at - now <= dt.timedelta(days=7)
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == found.quiz_id)
    ).all()
    assert len({a.user_id for a in attempts}) == 12
    assert all(a.submitted_at is not None for a in attempts)
    assert len({a.score for a in attempts}) >= 4  # varied, for the report and item analysis

    assert load_demo_assignments(session, "6A1", now=now) == []
    assert len(session.scalars(select(Assignment)).all()) == 1


def test_without_the_class_nothing_is_loaded(session: Session) -> None:
    assert load_demo_assignments(session, "9Z9") == []
