"""SCORM scores in the teacher's learners page and its CSV, on SQLite and PostgreSQL: a column per
SCORM lecture beside the quizzes' (the mean of the learner's SCO scores, as the learner's own grade
counts it), read in the same statements whatever the number of learners with scores."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.assessment.models import Quiz
from mooc.authoring.services.scorm import add_scorm_lecture, grade_package
from mooc.catalog.models import Course, Lecture, ScormPackage
from mooc.catalog.services import assign_teacher
from mooc.extensions import db
from mooc.learning import services as learning
from mooc.learning.analytics import refresh_standing
from mooc.learning.queries import course_status, enrolment
from mooc.scorm import services as scorm
from mooc.scorm.core.archive import Limits
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.querycount import Statements, counting
from tests.scorm_packages import build_package

BASE = "http://mooc.test"


def _course(session: Session) -> Course:
    return session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()


def _scorm_lecture(app: Flask, session: Session, course: Course) -> tuple[User, ScormPackage]:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    data = build_package("2004", "Phân số", scos=[("a", "Phần A"), ("b", "Phần B")])
    lecture: Lecture = add_scorm_lecture(
        session,
        teacher,
        course.sections[0],
        data,
        storage=app.extensions["mooc_storage"],
        limits=Limits(max_bytes=10 * 1024 * 1024),
        title="Phân số (SCORM)",
    )
    session.commit()
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    return teacher, package


def _scored(session: Session, course: Course, package: ScormPackage, name: str, *raw: int) -> None:
    """A learner whose SCOs reported `raw` scores (out of 100), in SCO order."""
    user = make_user(session, name=name)
    learning.enrol(session, user, course)
    for sco, score in zip(("a", "b"), raw, strict=False):
        cmi = {"cmi": {"completion_status": "incomplete", "score": {"raw": str(score)}}}
        scorm.track(session, user, package, sco, 1, cmi, base_url=BASE)
    session.commit()


def _scorm_cell(html: str, name: str) -> str:
    row = html[html.index(name) : html.index("</tr>", html.index(name))]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    return cells[-2]


def _get(client: FlaskClient, url: str) -> tuple[str, Statements]:
    client.get(url).close()  # warm per-process caches
    with counting(db.engine) as sent:
        response = client.get(url, headers={"Accept-Language": "en"})
        body = response.get_data(as_text=True)
    assert response.status_code == 200
    return body, sent


def test_the_learners_page_and_csv_show_each_learners_scorm_score(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    course = _course(session)
    teacher, package = _scorm_lecture(app, session, course)
    _scored(session, course, package, "Lan Hai Phần", 80, 60)
    _scored(session, course, package, "Minh Một Phần", 90)
    _scored(session, course, package, "Khoa Chưa Học")
    login(client, teacher.email or "", PASSWORD)
    url = f"/teach/courses/{course.slug}/learners"
    html, few = _get(client, url)
    assert "Phân số (SCORM)" in html and "(SCORM)</span>" in html
    # The SCORM column is the last but one (before the completion): the mean of the learner's
    # SCO scores, as the grade counts it.
    assert _scorm_cell(html, "Lan Hai Phần") == "70%"
    assert _scorm_cell(html, "Minh Một Phần") == "90%"
    assert _scorm_cell(html, "Khoa Chưa Học") == "—"

    response = client.get(f"{url}.csv")
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    lecture = session.get_one(Lecture, package.lecture_id)
    column = f"scorm:{lecture.slug}"
    by_name = {row["name"]: row[column] for row in found}
    assert by_name == {"Lan Hai Phần": "70.0", "Minh Một Phần": "90.0", "Khoa Chưa Học": ""}

    # Ten more learners with scores: the page and the CSV cost the same statements.
    for n in range(10):
        _scored(session, course, package, f"Learner {n:02d}", 50 + n, 40)
    _html, many = _get(client, url)
    assert len(many) == len(few), many.text()
    _csv, few_csv = _get(client, f"{url}.csv")
    _scored(session, course, package, "One More", 10, 20)
    _csv, more_csv = _get(client, f"{url}.csv")
    assert len(more_csv) == len(few_csv), more_csv.text()


def test_a_course_without_scorm_lectures_has_no_scorm_column(
    session: Session, client: FlaskClient
) -> None:
    course = _course(session)
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    user = make_user(session, name="Chỉ Làm Quiz")
    learning.enrol(session, user, course)
    session.commit()
    login(client, teacher.email or "", PASSWORD)
    html, _sent = _get(client, f"/teach/courses/{course.slug}/learners")
    assert "(SCORM)" not in html and "Chỉ Làm Quiz" in html
    response = client.get(f"/teach/courses/{course.slug}/learners.csv")
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert "scorm:" not in header


def test_a_graded_packages_score_counts_in_the_teachers_grade_as_in_the_learners_own(
    app: Flask, session: Session
) -> None:
    """The grade kept on each enrolment (the learners page's grade and its sort) counts a graded
    SCORM package like the learner's own final grade does: once set to count, and at each new
    score; a learner without a package score keeps the quizzes-only grade."""
    course = _course(session)
    for quiz in session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
        quiz.required = False  # untaken, they would hold every grade back at none
    refresh_standing(session, course.id, course.pass_mark)
    teacher, package = _scorm_lecture(app, session, course)
    _scored(session, course, package, "Lan Hai Phần", 80, 60)
    _scored(session, course, package, "Khoa Chưa Học")

    def kept_and_own() -> list[tuple[float | None, float | None]]:
        session.expire_all()
        pairs = []
        for name in ("Lan Hai Phần", "Khoa Chưa Học"):
            user = session.scalars(select(User).where(User.name == name)).one()
            kept = enrolment(session, user.id, course.id)
            assert kept is not None
            own = course_status(session, user.id, course).final_grade
            pairs.append((None if kept.grade is None else float(kept.grade), own))
        return pairs

    before = kept_and_own()
    grade_package(session, teacher, package, counts_in_grade=True, weight=3)
    session.commit()
    after = kept_and_own()
    for kept, own in after:
        assert kept == own
    assert [own for _kept, own in before] == [100.0, 100.0]  # no weighted item taken yet
    assert after == [(70.0, 70.0), (100.0, 100.0)]  # Lan's 70 weighs in; Khoa has no score

    lan = session.scalars(select(User).where(User.name == "Lan Hai Phần")).one()
    cmi = {"cmi": {"completion_status": "incomplete", "score": {"raw": "100"}}}
    scorm.track(session, lan, package, "b", 2, cmi, base_url=BASE)
    session.commit()
    assert kept_and_own() == [(90.0, 90.0), (100.0, 100.0)]  # (80 + 100) / 2
