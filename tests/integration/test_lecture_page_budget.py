"""A lecture page costs a few indexed statements whatever the course's size (issue #14, point 2):
the same count for a visitor, an enrolled pupil and a teacher on a course of 5 and of 60
lectures, the first time (the outline read and cached) and after (the outline from the cache).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.catalog.models import Course
from mooc.extensions import db
from tests.integration.lecture_courses import generated_course, pupil_of, sign_in, teacher_of
from tests.querycount import Statements, counting

SIZES = (5, 60)
# Warm: the course; the reader with their roles, their enrolment and progress on the lecture,
# their classes (due dates), their unread notifications; the pupil's view written (2); the
# teacher's course assignments.
BUDGETS = {"visitor": 1, "pupil": 7, "teacher": 6}
COLD = 4
_last: list[
    Statements
] = []  # the outline (sections, lectures, quizzes) and the lecture's text, read once


def _get(client: FlaskClient, session: Session, url: str) -> tuple[str, Statements]:
    session.expire_all()
    with counting(db.engine) as sent:
        response = client.get(url, headers={"Accept-Language": "en"})
        body = response.get_data(as_text=True)
    assert response.status_code == 200, (url, response.status_code)
    _last[:] = [sent]
    return body, sent


def _costs(
    client: FlaskClient, session: Session, course: Course, lecture: int
) -> tuple[str, int, int]:
    """The page of lecture number `lecture`, and its statements first and second time."""
    url = f"/courses/{course.slug}/lectures/bai-{lecture}"
    _, cold = _get(client, session, url)
    body, warm = _get(client, session, url)
    return body, len(cold), len(warm)


def _courses(app: Flask, session: Session, tmp_path: Path) -> dict[int, Course]:
    storage = app.extensions["mooc_storage"]
    return {size: generated_course(session, storage, tmp_path, size) for size in SIZES}


def _fresh(app: Flask) -> None:
    app.extensions["mooc_outlines"].clear()


def test_a_visitor_reads_the_preview_in_one_statement(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    courses = _courses(app, session, tmp_path)
    _fresh(app)
    costs = {size: _costs(client, session, course, 1) for size, course in courses.items()}
    for size, (body, cold, warm) in costs.items():
        assert f"Lecture 1 of {size}" in body and "Nội dung của bài 1." in body
        assert warm <= BUDGETS["visitor"], (size, warm)
        assert cold <= BUDGETS["visitor"] + COLD, (size, cold)
    assert costs[5][1:] == costs[60][1:]


def test_a_pupil_and_a_teacher_cost_the_same_on_5_and_60_lectures(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    courses = _courses(app, session, tmp_path)
    for role, make in (("pupil", pupil_of), ("teacher", teacher_of)):
        counts = {}
        for size, course in courses.items():
            sign_in(client, make(session, course))
            _fresh(app)
            body, cold, warm = _costs(client, session, course, 3)
            assert f"Lecture 3 of {size}" in body
            assert "← Bài 2" in body and "Bài 4 →" in body  # the neighbours, from the outline
            assert warm <= BUDGETS[role], f"{role} {size} {warm}\n{_last[0].text()}"
            assert cold <= BUDGETS[role] + COLD, (role, size, cold)
            counts[size] = (cold, warm)
        assert counts[5] == counts[60], (role, counts)
