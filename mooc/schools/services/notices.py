"""What the schools tell pupils: a new assignment (`announce_assignment`, called by the service
that assigns) and work due within a day that they have not done (`remind_due_tomorrow`, an hourly
job of the notifications sender).

The reminder rule, precisely: a run at `now` reminds about every assignment that is not
withdrawn, in a class not disabled, already started, with `now < due_at <= now + 24 h`, made at
least 24 hours before it is due (a later one's announcement already said when it is due); each
current pupil of its class who has not done it is reminded once (the notification's event key
``assignment-due:<id>`` is unique per pupil), whichever run, process or re-run finds it first.
"Done" is a submitted attempt at the quiz, every assigned lecture completed, or the course's
completion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course
from mooc.learning.models import Completion, LectureProgress
from mooc.notifications.kinds import ASSIGNMENT_DUE, ASSIGNMENT_NEW
from mooc.notifications.links import path_for
from mooc.notifications.models import Notification
from mooc.notifications.services import notify
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)

NOTICE = dt.timedelta(hours=24)


def current_pupils(session: Session, class_id: int) -> list[int]:
    """The active accounts currently in the class as pupils."""
    return list(
        session.scalars(
            select(ClassMember.user_id)
            .join(User, User.id == ClassMember.user_id)
            .where(
                ClassMember.class_id == class_id,
                ClassMember.role == ClassRole.PUPIL,
                ClassMember.ended_at.is_(None),
                User.is_active.is_(True),
            )
        )
    )


def _about(session: Session, assignment: Assignment) -> tuple[dict[str, Any], str]:
    """The notification's parameters (names the pupils see on the work itself) and its link."""
    course = session.get(Course, assignment.course_id)
    assert course is not None  # a foreign key
    params: dict[str, Any] = {
        "class": assignment.school_class.name,
        "course": course.title,
        "what": assignment.kind.value,
        "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
    }
    link = path_for("learning.course", slug=course.slug)
    if assignment.kind == AssignmentKind.QUIZ and assignment.quiz_id is not None:
        quiz = session.get(Quiz, assignment.quiz_id)
        assert quiz is not None
        params["quiz"] = quiz.title
        link = path_for("quiz.overview", slug=course.slug, quiz_slug=quiz.slug)
    elif assignment.kind == AssignmentKind.LECTURES:
        params["lectures"] = len(assignment.lectures)
    return params, link


def announce_assignment(session: Session, assignment: Assignment) -> list[Notification]:
    """Tell the class's current pupils about new work (once each, however often it is called)."""
    if assignment.withdrawn_at is not None:
        return []
    params, link = _about(session, assignment)
    return notify(
        session,
        current_pupils(session, assignment.class_id),
        ASSIGNMENT_NEW,
        params,
        link,
        event_key=f"assignment:{assignment.id}",
    )


def done_by(session: Session, assignment: Assignment, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` have done the assignment."""
    if not user_ids:
        return set()
    if assignment.kind == AssignmentKind.QUIZ:
        statement = select(QuizAttempt.user_id).where(
            QuizAttempt.quiz_id == assignment.quiz_id,
            QuizAttempt.user_id.in_(user_ids),
            QuizAttempt.submitted_at.is_not(None),
        )
    elif assignment.kind == AssignmentKind.LECTURES:
        lecture_ids = select(AssignmentLecture.lecture_id).where(
            AssignmentLecture.assignment_id == assignment.id
        )
        statement = (
            select(LectureProgress.user_id)
            .where(
                LectureProgress.user_id.in_(user_ids),
                LectureProgress.lecture_id.in_(lecture_ids),
                LectureProgress.done_at.is_not(None),
            )
            .group_by(LectureProgress.user_id)
            .having(func.count(LectureProgress.lecture_id.distinct()) >= len(assignment.lectures))
        )
    else:
        statement = select(Completion.user_id).where(
            Completion.course_id == assignment.course_id, Completion.user_id.in_(user_ids)
        )
    return set(session.scalars(statement))


def due_soon(session: Session, now: dt.datetime) -> list[Assignment]:
    """The assignments a run at `now` reminds about (see the module's rule)."""
    candidates = session.scalars(
        select(Assignment)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .where(
            Assignment.withdrawn_at.is_(None),
            SchoolClass.disabled_at.is_(None),
            Assignment.due_at > now,
            Assignment.due_at <= now + NOTICE,
            (Assignment.starts_at.is_(None)) | (Assignment.starts_at <= now),
        )
        .order_by(Assignment.due_at, Assignment.id)
    )
    # Compared here, not in SQL: interval arithmetic differs between SQLite and PostgreSQL.
    return [a for a in candidates if a.due_at is not None and a.created_at <= a.due_at - NOTICE]


def remind_due_tomorrow(session: Session, now: dt.datetime) -> int:
    """Remind pupils of work due within a day that they have not done; how many were reminded."""
    reminded = 0
    for assignment in due_soon(session, now):
        pupils = current_pupils(session, assignment.class_id)
        finished = done_by(session, assignment, pupils)
        params, link = _about(session, assignment)
        reminded += len(
            notify(
                session,
                [pupil for pupil in pupils if pupil not in finished],
                ASSIGNMENT_DUE,
                params,
                link,
                event_key=f"assignment-due:{assignment.id}",
            )
        )
    return reminded
