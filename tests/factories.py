"""Small factories for tests: people with roles, institutions, right answers, and a learner
who studies (or completes) a seed course through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.accounts.passwords import hash_password
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register, upsert_institution
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.learning import services as learning
from mooc.learning.models import Completion
from mooc.learning.queries import ordered_lectures
from mooc.schools.models import ClassMember, ClassRole, SchoolClass, SchoolYear
from tests.helpers import BASE_URL

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_institution(
    session: Session, kind: InstitutionKind = InstitutionKind.UNIVERSITY
) -> Institution:
    n = next(_counter)
    institution, _ = upsert_institution(
        session, slug=f"inst-{n}", name=f"Institution {n}", kind=kind
    )
    return institution


def make_user(
    session: Session,
    *roles: tuple[str, Role],
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "Test Person",
) -> User:
    user = register(
        session,
        email=email or f"person{next(_counter)}@example.test",
        password=password,
        name=name,
    )
    for slug, role in roles:
        grant_role(session, user, get_institution(session, slug), role)
    session.flush()
    return user


def right_answer(question: dict[str, Any]) -> Any:
    """The right answer to a question of a started attempt, as the grading service takes it."""
    data = question["data"]
    correct = [str(i) for i, o in enumerate(data.get("options", [])) if o["correct"]]
    if question["kind"] == "single":
        return correct[0]
    if question["kind"] == "multiple":
        return correct
    if question["kind"] == "numeric":
        return float(data["answer"])
    return str(data["answers"][0])


def make_school_class(
    session: Session, *, name: str = "6A1", grade: int = 6, school: Institution | None = None
) -> SchoolClass:
    """A class of a school (a new school unless given) in its 2026–2027 school year."""
    school = school or make_institution(session, InstitutionKind.SCHOOL)
    year = session.scalar(
        select(SchoolYear).where(SchoolYear.institution_id == school.id)
    ) or SchoolYear(
        institution=school,
        name="2026–2027",
        starts_on=dt.date(2026, 9, 5),
        ends_on=dt.date(2027, 5, 31),
    )
    school_class = SchoolClass(institution=school, school_year=year, name=name, grade=grade)
    session.add(school_class)
    session.flush()
    return school_class


def make_pupil(
    session: Session,
    school_class: SchoolClass,
    name: str,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A pupil of the class; without email unless given (then the username may be None)."""
    pupil = User(
        name=name,
        username=username,
        email=email,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
    )
    session.add(pupil)
    session.add(ClassMember(school_class=school_class, user=pupil, role=ClassRole.PUPIL))
    session.flush()
    return pupil


def make_class_teacher(
    session: Session, school_class: SchoolClass, role: ClassRole = ClassRole.HOMEROOM
) -> User:
    """A teacher of the school who teaches the class (homeroom unless `role` says otherwise)."""
    teacher = make_user(session, (school_class.institution.slug, Role.TEACHER), name="Cô Lan")
    session.add(ClassMember(school_class=school_class, user=teacher, role=role))
    session.flush()
    return teacher


def seed_course(session: Session, slug: str) -> Course:
    """A course of the seed content (content/), imported once per test session."""
    return session.scalars(select(Course).where(Course.slug == slug)).one()


def study(session: Session, user: User, slug: str, *, leave_last: bool = False) -> Course:
    """Enrol `user`, finish the lectures (all, or all but the last) and pass every quiz."""
    course = seed_course(session, slug)
    learning.enrol(session, user, course)
    lectures = ordered_lectures(session, course)
    for lecture in lectures[:-1] if leave_last else lectures:
        assert lecture.published_version is not None
        learning.mark_done(session, user, lecture, lecture.published_version, base_url=BASE_URL)
    for quiz in session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
        attempt = quizzes.start_attempt(session, user, quiz)
        answers = {int(q["id"]): right_answer(q) for q in attempt.questions}
        quizzes.submit_attempt(session, attempt, answers)
    session.flush()
    return course


def complete(session: Session, user: User, slug: str) -> Completion:
    """`user` studies the seed course `slug` and earns its completion."""
    course = study(session, user, slug)
    completion = learning.complete_course_if_earned(session, user, course, base_url=BASE_URL)
    assert completion is not None
    return completion
