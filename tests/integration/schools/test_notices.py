"""What schools tell pupils: a new assignment (its class's current pupils, once) and work due
within a day that a pupil has not done (the hourly reminder: a precise window, once per pupil and
assignment however often it runs, never for work done)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import InstitutionKind, User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning import services as learning
from mooc.learning.queries import ordered_lectures
from mooc.mail import SmtpMailer
from mooc.notifications.kinds import ASSIGNMENT_DUE, ASSIGNMENT_NEW
from mooc.notifications.models import Notification, NotificationEmail
from mooc.notifications.sender import EXTENSION, run_cycle
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
    SchoolYear,
)
from mooc.schools.services.notices import announce_assignment, remind_due_tomorrow
from tests.factories import make_institution, make_user, right_answer
from tests.mailserver import smtp_server

COURSE = "toan-lop-6"
BASE_URL = "http://mooc.test"
_names = itertools.count(1)


class Klass:
    """A class 6A1 with four current pupils (two without email), one who left, a teacher, and
    a pupil of another class."""

    def __init__(self, session: Session) -> None:
        school = make_institution(session, InstitutionKind.SCHOOL)
        year = SchoolYear(
            institution_id=school.id,
            name="2026–2027",
            starts_on=dt.date(2026, 9, 5),
            ends_on=dt.date(2027, 5, 31),
        )
        self.school_class = SchoolClass(
            institution_id=school.id, school_year=year, name="6A1", grade=6
        )
        other = SchoolClass(institution_id=school.id, school_year=year, name="6A2", grade=6)
        session.add_all([year, self.school_class, other])
        session.flush()
        self.pupils = [self._pupil(session, self.school_class, email=n < 2) for n in range(4)]
        self.left = self._pupil(session, self.school_class, ended=True)
        self.teacher = make_user(session)
        session.add(
            ClassMember(
                class_id=self.school_class.id, user_id=self.teacher.id, role=ClassRole.HOMEROOM
            )
        )
        self.elsewhere = self._pupil(session, other)
        self.course = session.scalars(select(Course).where(Course.slug == COURSE)).one()
        self.quiz = session.scalars(select(Quiz).where(Quiz.course_id == self.course.id)).first()
        session.flush()

    @staticmethod
    def _pupil(
        session: Session, school_class: SchoolClass, *, email: bool = False, ended: bool = False
    ) -> User:
        user = make_user(session, name="Nguyễn Thị Hoa")
        if not email:
            user.email = None
            user.username = f"hs.notice.{next(_names)}"
        user.locale = "vi"
        session.add(
            ClassMember(
                class_id=school_class.id,
                user_id=user.id,
                role=ClassRole.PUPIL,
                ended_at=utcnow() if ended else None,
            )
        )
        session.flush()
        return user

    def assign(
        self,
        session: Session,
        kind: AssignmentKind = AssignmentKind.QUIZ,
        *,
        due_in: dt.timedelta | None = dt.timedelta(hours=20),
        made_ago: dt.timedelta = dt.timedelta(days=3),
        starts_in: dt.timedelta | None = None,
        now: dt.datetime | None = None,
    ) -> Assignment:
        moment = now or utcnow()
        assignment = Assignment(
            class_id=self.school_class.id,
            course_id=self.course.id,
            kind=kind,
            quiz_id=self.quiz.id if kind == AssignmentKind.QUIZ else None,
            due_at=moment + due_in if due_in is not None else None,
            starts_at=moment + starts_in if starts_in is not None else None,
            created_by_id=self.teacher.id,
            created_at=moment - made_ago,
        )
        if kind == AssignmentKind.LECTURES:
            lectures = ordered_lectures(session, self.course)[:2]
            assignment.lectures = [AssignmentLecture(lecture_id=lec.id) for lec in lectures]
        session.add(assignment)
        session.flush()
        return assignment


def _told(session: Session, kind: str) -> set[int]:
    return set(session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


@pytest.fixture
def klass(session: Session) -> Klass:
    return Klass(session)


def test_a_new_assignment_tells_the_class_current_pupils_once(
    app: Flask, session: Session, klass: Klass
) -> None:
    assignment = klass.assign(session, due_in=dt.timedelta(days=7))
    made = announce_assignment(session, assignment)
    assert {n.user_id for n in made} == {p.id for p in klass.pupils}
    assert announce_assignment(session, assignment) == []  # called again: nobody told twice
    first = made[0]
    assert first.link == f"/courses/{COURSE}/quizzes/{klass.quiz.slug}"
    assert first.params["class"] == "6A1" and first.params["quiz"] == klass.quiz.title
    assert first.params["course"] == "Toán lớp 6"
    emails = session.scalars(
        select(NotificationEmail).where(NotificationEmail.notification_id.in_([n.id for n in made]))
    ).all()
    assert sorted(e.to for e in emails) == sorted(p.email or "" for p in klass.pupils[:2])
    assert all(e.subject == "Bài mới cho lớp 6A1" for e in emails)
    assert "bài kiểm tra “" in emails[0].body and "hạn nộp" in emails[0].body


def test_a_withdrawn_assignment_tells_nobody(app: Flask, session: Session, klass: Klass) -> None:
    assignment = klass.assign(session)
    assignment.withdrawn_at = utcnow()
    assert announce_assignment(session, assignment) == []


def test_lectures_and_courses_are_announced_with_what_is_assigned(
    app: Flask, session: Session, klass: Klass
) -> None:
    lectures = announce_assignment(session, klass.assign(session, AssignmentKind.LECTURES))
    assert lectures[0].params["what"] == "lectures" and lectures[0].params["lectures"] == 2
    assert lectures[0].link == f"/courses/{COURSE}"
    whole = announce_assignment(session, klass.assign(session, AssignmentKind.COURSE, due_in=None))
    assert whole[0].params["due_at"] is None


def test_pupils_who_have_not_done_a_quiz_due_within_a_day_are_reminded_once(
    app: Flask, session: Session, klass: Klass
) -> None:
    now = utcnow()
    assignment = klass.assign(session, now=now)
    diligent = klass.pupils[0]
    attempt = quizzes.start_attempt(session, diligent, klass.quiz)
    quizzes.submit_attempt(
        session, attempt, {int(q["id"]): right_answer(q) for q in attempt.questions}
    )
    started_only = klass.pupils[1]
    quizzes.start_attempt(session, started_only, klass.quiz)  # not submitted: not done
    assert remind_due_tomorrow(session, now) == 3
    assert _told(session, ASSIGNMENT_DUE) == {p.id for p in klass.pupils[1:]}
    # the next hourly run, or the same run again, tells nobody twice
    assert remind_due_tomorrow(session, now) == 0
    assert remind_due_tomorrow(session, now + dt.timedelta(hours=1)) == 0
    reminder = session.scalars(
        select(Notification).where(
            Notification.kind == ASSIGNMENT_DUE, Notification.user_id == started_only.id
        )
    ).one()
    assert reminder.event_key == f"assignment-due:{assignment.id}"
    (email,) = session.scalars(
        select(NotificationEmail).where(NotificationEmail.notification_id == reminder.id)
    ).all()
    assert email.subject == "Sắp đến hạn: lớp 6A1"
    assert "Bạn chưa hoàn thành bài kiểm tra" in email.body


@pytest.mark.parametrize(
    ("due_in", "made_ago", "starts_in"),
    [
        (dt.timedelta(hours=30), dt.timedelta(days=3), None),  # not within a day yet
        (dt.timedelta(hours=-1), dt.timedelta(days=3), None),  # already past
        (dt.timedelta(hours=20), dt.timedelta(hours=3), None),  # assigned less than a day ahead
        (dt.timedelta(hours=20), dt.timedelta(days=3), dt.timedelta(hours=2)),  # not started
    ],
)
def test_the_reminder_window_is_precise(
    app: Flask,
    session: Session,
    klass: Klass,
    due_in: dt.timedelta,
    made_ago: dt.timedelta,
    starts_in: dt.timedelta | None,
) -> None:
    now = utcnow()
    klass.assign(session, due_in=due_in, made_ago=made_ago, starts_in=starts_in, now=now)
    assert remind_due_tomorrow(session, now) == 0


def test_the_reminder_is_sent_at_the_first_run_within_a_day_of_the_due_time(
    app: Flask, session: Session, klass: Klass
) -> None:
    now = utcnow()
    klass.assign(session, due_in=dt.timedelta(hours=24, minutes=30), now=now)
    assert remind_due_tomorrow(session, now) == 0
    assert remind_due_tomorrow(session, now + dt.timedelta(hours=1)) == 4


def test_withdrawn_work_and_disabled_classes_are_not_reminded(
    app: Flask, session: Session, klass: Klass
) -> None:
    now = utcnow()
    klass.assign(session, now=now).withdrawn_at = now
    assert remind_due_tomorrow(session, now) == 0
    klass.assign(session, now=now)
    klass.school_class.disabled_at = now
    session.flush()
    assert remind_due_tomorrow(session, now) == 0


def test_lectures_done_and_courses_completed_count_as_done(
    app: Flask, session: Session, klass: Klass
) -> None:
    now = utcnow()
    lectures = klass.assign(session, AssignmentKind.LECTURES, now=now)
    assigned = [item.lecture_id for item in lectures.lectures]
    reader, half = klass.pupils[0], klass.pupils[1]
    by_id = {lec.id: lec for lec in ordered_lectures(session, klass.course)}
    for pupil, count in ((reader, 2), (half, 1)):
        learning.enrol(session, pupil, klass.course)
        for lecture_id in assigned[:count]:
            lecture = by_id[lecture_id]
            assert lecture.published_version is not None
            learning.mark_done(
                session, pupil, lecture, lecture.published_version, base_url=BASE_URL
            )
    remind_due_tomorrow(session, now)
    assert _told(session, ASSIGNMENT_DUE) == {p.id for p in klass.pupils[1:]}


def test_the_sender_runs_the_reminders_hourly(app: Flask, session: Session, klass: Klass) -> None:
    now = utcnow() + dt.timedelta(days=3650)  # beyond any other test's recorded run
    klass.assign(session, now=now)
    setup = app.extensions[EXTENSION]
    with smtp_server() as inbox:
        mailer = SmtpMailer("127.0.0.1", inbox.port)
        report = run_cycle(session, mailer, "mooc <no-reply@mooc.test>", setup.hourly, now=now)
        assert _told(session, ASSIGNMENT_DUE) == {p.id for p in klass.pupils}
        assert report.sent == 2  # the two pupils with an address
        inbox.wait_for(klass.pupils[0].email or "")
    assert _told(session, ASSIGNMENT_NEW) == set()
