"""A learner's enrolment and completion in one course (the dashboard reads all of a learner's
courses at once: `mooc.learning.my_courses`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
