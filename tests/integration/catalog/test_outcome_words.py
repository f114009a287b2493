"""A course's outcomes carry the name its level uses: yêu cầu cần đạt at school (GDPT 2018),
chuẩn đầu ra at university — on the course page and in the course editor."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.catalog.models import Course, CourseTeacher
from tests.factories import PASSWORD, make_user
from tests.helpers import login

VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}


def _outcomes_heading(page: str) -> str:
    found = re.search(r'<h2 id="outcomes-heading">([^<]*)</h2>', page)
    assert found, "the course page lists its outcomes under a heading"
    return found.group(1)


@pytest.mark.parametrize(
    ("slug", "headers", "heading"),
    [
        ("toan-lop-6", VI, "Yêu cầu cần đạt"),
        ("vat-ly-lop-10", VI, "Yêu cầu cần đạt"),
        ("xac-suat-thong-ke", VI, "Chuẩn đầu ra"),
        ("intro-programming", VI, "Chuẩn đầu ra"),
        ("toan-lop-6", EN, "Required outcomes"),
        ("intro-programming", EN, "Learning outcomes"),
    ],
)
def test_course_page_names_outcomes_by_level(
    client: FlaskClient, slug: str, headers: dict[str, str], heading: str
) -> None:
    page = client.get(f"/courses/{slug}", headers=headers).get_data(as_text=True)
    assert _outcomes_heading(page) == heading


@pytest.mark.parametrize(
    ("institution", "slug", "label"),
    [
        ("thcs-ba-dinh", "toan-lop-6", "Yêu cầu cần đạt, mỗi dòng một yêu cầu"),
        ("dai-hoc-mo-ha-noi", "xac-suat-thong-ke", "Chuẩn đầu ra, mỗi dòng một chuẩn"),
    ],
)
def test_course_editor_labels_outcomes_by_level(
    app: Flask, session: Session, institution: str, slug: str, label: str
) -> None:
    teacher = make_user(session, (institution, Role.TEACHER), email="giao-vien@example.test")
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    session.add(CourseTeacher(course_id=course.id, user_id=teacher.id))
    session.commit()
    client = app.test_client()
    login(client, "giao-vien@example.test", PASSWORD)
    page = client.get(f"/author/courses/{slug}", headers=VI).get_data(as_text=True)
    assert re.search(rf'<label for="outcomes"[^>]*>\s*{label}', page), page


def test_new_course_form_names_both_kinds_of_outcomes(app: Flask, session: Session) -> None:
    make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="giao-vien@example.test")
    session.commit()
    client = app.test_client()
    login(client, "giao-vien@example.test", PASSWORD)
    page = client.get("/author/courses/new", headers=VI).get_data(as_text=True)
    assert "yêu cầu cần đạt (khoá học phổ thông) hoặc chuẩn đầu ra (học phần đại học)" in page
