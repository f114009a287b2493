"""Teachers follow their learners: table, sorting, paging, SVG charts, CSV; others cannot."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.authoring.services.retiring import retire_or_delete
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher
from mooc.learning import services
from mooc.learning.core import charts
from mooc.learning.queries import ordered_lectures
from tests.factories import PASSWORD, make_user
from tests.helpers import login

BASE = "http://mooc.test"


def _course(session: Session) -> Course:
    return session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()


def _learners(session: Session, course: Course) -> None:
    """Three learners: one enrolled only, one halfway with a failed quiz, one finished."""
    lectures = ordered_lectures(session, course)
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).first()
    assert quiz is not None
    idle = make_user(session, name="An Idle", email="idle@example.test")
    half = make_user(session, name="=cmd|' /C calc'!A0", email="half@example.test")
    star = make_user(session, name="Bình Star", email="star@example.test")
    for user in (idle, half, star):
        services.enrol(session, user, course)
    for lecture in lectures[: len(lectures) // 2 + 1]:
        assert lecture.published_version is not None
        services.mark_done(session, half, lecture, lecture.published_version, base_url=BASE)
    attempt = quizzes.start_attempt(session, half, quiz)
    quizzes.submit_attempt(session, attempt, {})
    for lecture in lectures:
        assert lecture.published_version is not None
        services.mark_done(session, star, lecture, lecture.published_version, base_url=BASE)
    attempt = quizzes.start_attempt(session, star, quiz)
    right = {}
    for q in attempt.questions:
        data = q["data"]
        if q["kind"] == "single":
            right[q["id"]] = str(next(i for i, o in enumerate(data["options"]) if o["correct"]))
        elif q["kind"] == "multiple":
            right[q["id"]] = [str(i) for i, o in enumerate(data["options"]) if o["correct"]]
        elif q["kind"] == "numeric":
            right[q["id"]] = float(data["answer"])
        else:
            right[q["id"]] = data["answers"][0]
    quizzes.submit_attempt(session, attempt, right)
    assert services.complete_course_if_earned(session, star, course, base_url=BASE) is not None
    session.commit()


def test_teacher_sees_learners_funnel_and_scores(session: Session, client: FlaskClient) -> None:
    course = _course(session)
    _learners(session, course)
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="t@example.test")
    assign_teacher(session, course, teacher.id)
    session.commit()
    login(client, "t@example.test", PASSWORD)
    page = client.get(f"/teach/courses/{course.slug}/learners", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 2
    # The charts need no script: the one there is the site's offline script (mooc/offline).
    assert html.count("<script") == 1 and 'id="offline-script"' in html
    assert "Enrolled 3, started 2, halfway 2, completed 1." in html
    assert "Bình Star" in html and "An Idle" in html
    by_progress = client.get(f"/teach/courses/{course.slug}/learners?sort=progress&dir=desc")
    body = by_progress.get_data(as_text=True)
    assert body.index("Bình Star") < body.index("half@example.test") < body.index("An Idle")


def test_csv_export_is_complete_and_neutralises_formulas(
    session: Session, client: FlaskClient
) -> None:
    course = _course(session)
    _learners(session, course)
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="t2@example.test")
    assign_teacher(session, course, teacher.id)
    session.commit()
    login(client, "t2@example.test", PASSWORD)
    response = client.get(f"/teach/courses/{course.slug}/learners.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    star = next(r for r in rows if r["email"] == "star@example.test")
    assert star["progress_percent"] == "100"
    assert star["completed_at"]
    assert float(star["final_grade"]) >= course.pass_mark
    half = next(r for r in rows if r["email"] == "half@example.test")
    assert half["name"].startswith("'=")  # a spreadsheet will not run it
    assert any(k.startswith("quiz:") for k in rows[0])


def test_only_assigned_teachers_see_learners(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    course = _course(session)
    make_user(session, email="student-x@example.test")
    make_user(session, ("thpt-chu-van-an", Role.TEACHER), email="other-teacher@example.test")
    # A teacher of the same school who is not assigned to this course does not see it either.
    make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="colleague@example.test")
    session.commit()
    assert client.get(f"/teach/courses/{course.slug}/learners").status_code == 302
    login(client, "student-x@example.test", PASSWORD)
    assert client.get(f"/teach/courses/{course.slug}/learners").status_code == 403
    other = app.test_client()
    login(other, "other-teacher@example.test", PASSWORD)
    assert other.get(f"/teach/courses/{course.slug}/learners").status_code == 403
    assert other.get(f"/teach/courses/{course.slug}/learners.csv").status_code == 403
    colleague = app.test_client()
    login(colleague, "colleague@example.test", PASSWORD)
    assert colleague.get(f"/teach/courses/{course.slug}/learners").status_code == 403


def test_charts_escape_labels_and_bin_scores() -> None:
    svg = charts.funnel_svg("<b>", [charts.Bar("<script>", 3), charts.Bar("b", 1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert charts.score_bins([0, 9.9, 10, 99.5, 100]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    hist = charts.histogram_svg("t", [1] * 10, charts.BIN_LABELS)
    assert hist.count("<rect") == 10


def test_the_kept_page_statement_follows_the_courses_quizzes(
    session: Session, client: FlaskClient
) -> None:
    """A page's rows are read by a statement kept per course as it is: a quiz retired, then
    brought back, has its column read again, never a stale statement's."""
    course = _course(session)
    _learners(session, course)
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="t3@example.test")
    assign_teacher(session, course, teacher.id)
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).first()
    assert quiz is not None
    section = quiz.section_id
    assert retire_or_delete(session, quiz) == "retired"  # its learners have attempts
    session.commit()
    login(client, "t3@example.test", PASSWORD)
    url = f"/teach/courses/{course.slug}/learners"
    heading = f'<th scope="col">{quiz.title}</th>'
    retired = client.get(url).get_data(as_text=True)
    assert heading not in retired and "Bình Star" in retired
    quiz.retired_at, quiz.section_id = None, section
    session.commit()
    back = client.get(url)
    assert back.status_code == 200
    html = back.get_data(as_text=True)
    assert heading in html and "Bình Star" in html
    assert html.count("<td>100%</td>") >= 1  # the star's score on the quiz brought back
