"""A learner's enrolments and completions: one course's, and all of them for the dashboard
(the course as a card shows it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session, defer, joinedload

from mooc.catalog.models import (
    Course,
)
from mooc.learning.models import Completion, Enrolment


def enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def is_enrolled(session: Session, user_id: int, course_id: int) -> bool:
    found = enrolment(session, user_id, course_id)
    return found is not None and found.active


def completion(session: Session, user_id: int, course_id: int) -> Completion | None:
    return session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )


# A course as a dashboard card shows it: its long texts stay in the database.
_COURSE_CARD = (
    defer(Course.description),
    defer(Course.description_html),
    defer(Course.search_text),
)


def my_enrolments(session: Session, user_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.course).options(*_COURSE_CARD))
        .where(Enrolment.user_id == user_id, Enrolment.active.is_(True))
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()


def my_completions(session: Session, user_id: int) -> Sequence[Completion]:
    return session.scalars(
        select(Completion)
        .options(joinedload(Completion.course).options(*_COURSE_CARD))
        .where(Completion.user_id == user_id)
        .order_by(Completion.completed_at.desc())
    ).all()
