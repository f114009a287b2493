"""A learner's courses for the dashboard (`my_courses`): the courses in progress with the same
status the completion rule gives (`queries.course_statuses`), the completed ones, nobody else's."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.assessment import services as quizzes
from mooc.assessment.models import AttemptPolicy, Quiz
from mooc.authoring.services.scorm import add_scorm_lecture, grade_package
from mooc.catalog.models import Course, ScormPackage
from mooc.catalog.services import assign_teacher
from mooc.learning import services as learning
from mooc.learning.my_courses import my_courses
from mooc.learning.queries import course_status, course_statuses, ordered_lectures
from mooc.scorm import services as scorm
from mooc.scorm.core.archive import Limits
from tests.factories import complete, make_user, right_answer, seed_course, study
from tests.helpers import BASE_URL
from tests.scorm_packages import build_package


def _attempt(session: Session, user: User, quiz: Quiz, *, right: bool) -> None:
    attempt = quizzes.start_attempt(session, user, quiz)
    answers = {int(q["id"]): right_answer(q) for q in attempt.questions} if right else {}
    quizzes.submit_attempt(session, attempt, answers)


def test_statuses_are_the_completion_rules_and_completed_courses_are_apart(
    session: Session,
) -> None:
    learner = make_user(session, name="Lê Học")
    # Everything but the last lecture done, every quiz passed.
    study(session, learner, "toan-lop-6", leave_last=True)
    # Two lectures done; a quiz passed then failed under "last", another failed under "best".
    intro = seed_course(session, "intro-programming")
    learning.enrol(session, learner, intro)
    for lecture in ordered_lectures(session, intro)[:2]:
        assert lecture.published_version is not None
        learning.mark_done(session, learner, lecture, lecture.published_version, base_url=BASE_URL)
    first, second = session.scalars(
        select(Quiz).where(Quiz.course_id == intro.id).order_by(Quiz.id)
    ).all()[:2]
    first.policy, first.max_attempts = AttemptPolicy.LAST, None
    second.required, second.weight = False, 2
    _attempt(session, learner, first, right=True)
    _attempt(session, learner, first, right=False)
    _attempt(session, learner, second, right=False)
    # Enrolled only; completed; and enrolled then left (not shown).
    learning.enrol(session, learner, seed_course(session, "english-grade-12"))
    done = complete(session, learner, "vat-ly-lop-10")
    left = seed_course(session, "tieng-viet-lop-1")
    learning.enrol(session, learner, left)
    learning.unenrol(session, learner, left)
    session.flush()

    mine = my_courses(session, learner.id)

    shown = {row.course.slug for row in mine.in_progress}
    assert shown == {"toan-lop-6", "intro-programming", "english-grade-12"}
    courses = session.scalars(select(Course).where(Course.slug.in_(shown))).all()
    assert {row.course.id: row.status for row in mine.in_progress} == course_statuses(
        session, learner.id, courses
    )
    statuses = {row.course.slug: row.status for row in mine.in_progress}
    assert 0 < statuses["toan-lop-6"].percent < 100
    assert statuses["intro-programming"].lectures_done == 2
    assert statuses["english-grade-12"].lectures_done == 0
    [completed] = mine.completed
    assert completed.course.slug == "vat-ly-lop-10"
    assert (completed.completed_at, completed.final_grade) == (done.completed_at, done.final_grade)
    # Someone else has none of these.
    nobody = my_courses(session, make_user(session).id)
    assert nobody.in_progress == [] and nobody.completed == []


def test_the_latest_activity_comes_first_and_never_active_last(session: Session) -> None:
    learner = make_user(session, name="Trần Thứ Tự")
    slugs = ("toan-lop-6", "intro-programming", "english-grade-12")
    enrolments = [learning.enrol(session, learner, seed_course(session, s)) for s in slugs]
    base = dt.datetime(2026, 9, 7, 8, 0, tzinfo=dt.UTC)
    enrolments[0].last_activity_at = base
    enrolments[1].last_activity_at = base + dt.timedelta(hours=1)
    enrolments[2].last_activity_at = None
    session.flush()
    order = [row.course.slug for row in my_courses(session, learner.id).in_progress]
    assert order == ["intro-programming", "toan-lop-6", "english-grade-12"]


def test_a_graded_scorm_package_weighs_in_as_in_the_completion_rule(
    app: Flask, session: Session
) -> None:
    course = seed_course(session, "toan-lop-6")
    for quiz in session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
        quiz.required = False  # untaken, they would hold the grade back at none
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    lecture = add_scorm_lecture(
        session,
        teacher,
        course.sections[0],
        build_package("2004", "Phân số", scos=[("a", "Phần A"), ("b", "Phần B")]),
        storage=app.extensions["mooc_storage"],
        limits=Limits(max_bytes=10 * 1024 * 1024),
        title="Phân số (SCORM)",
    )
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    grade_package(session, teacher, package, counts_in_grade=True, weight=3)
    learner = make_user(session, name="Lan Hai Phần")
    learning.enrol(session, learner, course)
    for sco, raw in (("a", "80"), ("b", "65")):
        cmi = {"cmi": {"completion_status": "incomplete", "score": {"raw": raw}}}
        scorm.track(session, learner, package, sco, 1, cmi, base_url=BASE_URL)
    session.flush()
    [row] = my_courses(session, learner.id).in_progress
    assert row.status == course_status(session, learner.id, course)
    assert row.status.final_grade == 72.5  # (80 + 65) / 2, the only item taken
