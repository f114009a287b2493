"""Setting work for a class: assign a course, some of its lectures or a quiz, change its dates,
withdraw it (never delete), and let a pupil open what was assigned.

Pupils of the class are enrolled in the course when the work is assigned, and again (idempotent)
when a pupil opens it from their to-do list — so a pupil who joins the class later, or who left
the course, is enrolled when they start. Creating is idempotent per form: the form's one-time
token is unique on the row, so a double submit finds the first assignment. Teachers' actions are
audited in the log, like administrators' actions on accounts. Services flush; views commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course, Lecture
from mooc.db import utcnow
from mooc.errors import Invalid, NotFound, PermissionDenied
from mooc.learning import services as learning
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)
from mooc.schools.permissions import require_pupil_in
from mooc.schools.services import notices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssignmentDraft:
    """What a teacher's form says; times are UTC instants (the form converted them)."""

    course_id: int
    kind: str
    quiz_id: int | None = None
    lecture_ids: Sequence[int] = ()
    note: str = ""
    starts_at: dt.datetime | None = None
    due_at: dt.datetime | None = None


def check_window(
    starts_at: dt.datetime | None, due_at: dt.datetime | None, now: dt.datetime
) -> None:
    """A start in the past is fine (work set "from now on"); a due time must lie ahead and
    after the start. Raises `Invalid` naming the field."""
    if due_at is not None and starts_at is not None and due_at <= starts_at:
        raise Invalid(_("The due time must come after the start time."), field="due_at")
    if due_at is not None and due_at <= now:
        raise Invalid(_("The due time has already passed: choose a later one."), field="due_at")


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None or not course.is_published:
        raise Invalid(_("Choose a published course."), field="course")
    return course


def _quiz_of(session: Session, course: Course, quiz_id: int | None) -> Quiz:
    quiz = session.get(Quiz, quiz_id) if quiz_id else None
    if quiz is None or quiz.course_id != course.id or quiz.is_retired:
        raise Invalid(_("Choose a quiz of this course."), field="quiz_id")
    return quiz


def _lectures_of(session: Session, course: Course, lecture_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(lecture_ids))
    if not wanted:
        raise Invalid(_("Choose at least one lecture."), field="lecture_ids")
    found = set(
        session.scalars(
            select(Lecture.id).where(
                Lecture.id.in_(wanted),
                Lecture.course_id == course.id,
                Lecture.retired_at.is_(None),
                Lecture.published_version_id.is_not(None),
            )
        )
    )
    if found != set(wanted):
        raise Invalid(_("Choose lectures of this course."), field="lecture_ids")
    return wanted


def current_pupils(session: Session, school_class: SchoolClass) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(
                ClassMember.class_id == school_class.id,
                ClassMember.role == ClassRole.PUPIL,
                ClassMember.ended_at.is_(None),
            )
        )
    )


def _enrol_pupils(session: Session, school_class: SchoolClass, course: Course) -> None:
    for pupil in current_pupils(session, school_class):
        if pupil.is_active:
            learning.enrol(session, pupil, course)


def create_assignment(
    session: Session,
    teacher: User,
    school_class: SchoolClass,
    draft: AssignmentDraft,
    *,
    token: str,
    now: dt.datetime | None = None,
) -> tuple[Assignment, bool]:
    """Assign work to the class the caller may teach (the view checked); returns the assignment
    and whether this call created it (False: the same form was submitted before).
    Raises `Invalid` for a course, quiz, lectures or dates that do not fit."""
    if school_class.disabled_at is not None:
        raise Invalid(_("This class is closed: no new work can be assigned to it."))
    if not token:
        raise Invalid(_("The form expired; please fill it in again."))
    earlier = session.scalar(select(Assignment).where(Assignment.create_token == token))
    if earlier is not None and earlier.class_id == school_class.id:
        return earlier, False
    now = now or utcnow()
    course = _course(session, draft.course_id)
    try:
        kind = AssignmentKind(draft.kind)
    except ValueError:
        raise Invalid(_("Choose what to assign."), field="kind") from None
    quiz = _quiz_of(session, course, draft.quiz_id) if kind is AssignmentKind.QUIZ else None
    lecture_ids = (
        _lectures_of(session, course, draft.lecture_ids) if kind is AssignmentKind.LECTURES else []
    )
    check_window(draft.starts_at, draft.due_at, now)
    assignment = Assignment(
        class_id=school_class.id,
        course_id=course.id,
        kind=kind,
        quiz_id=quiz.id if quiz else None,
        note=draft.note.strip() or None,
        starts_at=draft.starts_at,
        due_at=draft.due_at,
        created_by_id=teacher.id,
        create_token=token,
        lectures=[AssignmentLecture(lecture_id=lid) for lid in lecture_ids],
    )
    try:
        with session.begin_nested():
            session.add(assignment)
            session.flush()
    except IntegrityError:  # the same form, submitted twice at once
        raced = session.scalar(select(Assignment).where(Assignment.create_token == token))
        if raced is None or raced.class_id != school_class.id:
            raise Invalid(_("The form expired; please fill it in again.")) from None
        return raced, False
    _enrol_pupils(session, school_class, course)
    notices.announce_assignment(session, assignment)
    log.info(
        "teacher %s assigned %s %s of course %s to class %s (assignment %s)",
        teacher.id,
        kind.value,
        quiz.id if quiz else lecture_ids or "",
        course.id,
        school_class.id,
        assignment.id,
    )
    return assignment, True


def update_assignment(
    session: Session,
    teacher: User,
    assignment: Assignment,
    *,
    note: str,
    starts_at: dt.datetime | None,
    due_at: dt.datetime | None,
    lecture_ids: Sequence[int] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Change the note, the dates, or (for lectures) which lectures. An unchanged due time that
    has passed may stay; a new one must lie ahead. Raises `Invalid`."""
    now = now or utcnow()
    if assignment.withdrawn_at is not None:
        raise Invalid(_("This work was withdrawn; assign it again instead."))
    if due_at is not None and due_at == assignment.due_at and due_at <= now:
        check_window(starts_at, due_at, dt.datetime.min.replace(tzinfo=dt.UTC))
    else:
        check_window(starts_at, due_at, now)
    if assignment.kind is AssignmentKind.LECTURES and lecture_ids is not None:
        course = session.get(Course, assignment.course_id)
        assert course is not None
        wanted = _lectures_of(session, course, lecture_ids)
        current = {row.lecture_id: row for row in assignment.lectures}
        for lid in set(current) - set(wanted):
            assignment.lectures.remove(current[lid])
        for lid in set(wanted) - set(current):
            assignment.lectures.append(AssignmentLecture(lecture_id=lid))
    assignment.note = note.strip() or None
    assignment.starts_at = starts_at
    assignment.due_at = due_at
    session.flush()
    log.info("teacher %s changed assignment %s", teacher.id, assignment.id)


def withdraw_assignment(
    session: Session, teacher: User, assignment: Assignment, *, now: dt.datetime | None = None
) -> None:
    """Take the work back: pupils no longer see it; its row and the pupils' work stay."""
    if assignment.withdrawn_at is None:
        assignment.withdrawn_at = now or utcnow()
        log.info("teacher %s withdrew assignment %s", teacher.id, assignment.id)


def assignment_of_class(
    session: Session, school_class: SchoolClass, assignment_id: int
) -> Assignment:
    """An assignment of this class; another class's is not found (ids reveal nothing)."""
    found = session.get(Assignment, assignment_id)
    if found is None or found.class_id != school_class.id:
        raise NotFound(_("There is no such assignment in this class."))
    return found


def open_for_pupil(session: Session, pupil: User, assignment_id: int) -> Assignment:
    """The pupil's own class's current assignment, with the pupil enrolled in its course.
    Raises `NotFound` for anything else (another class's work, withdrawn or not started)."""
    found = session.get(Assignment, assignment_id)
    if found is None or found.withdrawn_at is not None:
        raise NotFound(_("There is no such assignment."))
    try:
        require_pupil_in(session, pupil, found.school_class)
    except PermissionDenied:
        raise NotFound(_("There is no such assignment.")) from None
    if found.starts_at is not None and utcnow() < found.starts_at:
        raise NotFound(_("This work has not started yet."))
    course = session.get(Course, found.course_id)
    assert course is not None
    learning.enrol(session, pupil, course)
    return found
