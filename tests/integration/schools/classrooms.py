"""Classrooms for the schools tests: a school with a class, its teacher and pupils, browsers
(test clients) logged in as them, the seed maths course and quiz, and right answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course
from mooc.schools.models import ClassMember, ClassRole, SchoolClass, SchoolYear
from tests.factories import PASSWORD, make_institution, make_user
from tests.helpers import csrf_from, login

MATH = "toan-lop-6"
MATH_QUIZ = "kiem-tra-toan-6"


@dataclass
class Classroom:
    school: Institution
    school_class: SchoolClass
    teacher: User
    pupils: list[User] = field(default_factory=list)


def make_classroom(
    session: Session, *, name: str = "6A1", grade: int = 6, pupils: int = 2
) -> Classroom:
    """A school with one class of `grade`, its homeroom teacher and `pupils` pupils."""
    school = make_institution(session, InstitutionKind.SCHOOL)
    year = SchoolYear(
        institution_id=school.id,
        name="2026–2027",
        starts_on=dt.date(2026, 9, 5),
        ends_on=dt.date(2027, 5, 31),
    )
    school_class = SchoolClass(institution=school, school_year=year, name=name, grade=grade)
    session.add_all([year, school_class])
    teacher = make_user(session, (school.slug, Role.TEACHER), name="Cô Lan")
    room = Classroom(school, school_class, teacher)
    session.add(ClassMember(school_class=school_class, user=teacher, role=ClassRole.HOMEROOM))
    for n in range(pupils):
        pupil = make_user(session, name=f"Học sinh {n + 1}")
        session.add(ClassMember(school_class=school_class, user=pupil, role=ClassRole.PUPIL))
        room.pupils.append(pupil)
    session.flush()
    return room


@dataclass
class Browser:
    """A logged-in person's browser, speaking English, with the session's CSRF token."""

    client: FlaskClient
    user: User
    token: str

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})})


def browser_of(app: Flask, user: User) -> Browser:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert user.email is not None
    assert login(client, user.email, PASSWORD).status_code == 303
    return Browser(client, user, csrf_from(client, "/dashboard"))


def course(session: Session, slug: str = MATH) -> Course:
    return session.scalars(select(Course).where(Course.slug == slug)).one()


def quiz(session: Session, slug: str = MATH_QUIZ) -> Quiz:
    return session.scalars(select(Quiz).where(Quiz.slug == slug)).one()


def right_answers(found: QuizAttempt) -> dict[str, Any]:
    """Form fields answering every question of the attempt's snapshot correctly."""
    form: dict[str, Any] = {}
    for q in found.questions:
        data, name = q["data"], f"q{q['id']}"
        correct = [str(i) for i, o in enumerate(data.get("options", [])) if o["correct"]]
        if q["kind"] == "single":
            form[name] = correct[0]
        elif q["kind"] == "multiple":
            form[name] = correct
        elif q["kind"] == "numeric":
            form[name] = str(data["answer"]).replace(".", ",")
        else:
            form[name] = data["answers"][0]
    return form


def local_input(moment: dt.datetime, zone: str = "Asia/Ho_Chi_Minh") -> str:
    """How a `datetime-local` input sends `moment` as typed by someone in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
