"""The course a teacher page opens: found by slug, drafts too, with its teachers read in the same
statement; only its teachers (and admins) get past the page's check."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.catalog.models import Course, CourseStatus
from mooc.catalog.permissions import can_teach
from mooc.catalog.queries import course_to_teach
from mooc.catalog.services import assign_teacher
from mooc.errors import NotFound
from mooc.extensions import db
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.querycount import counting


def _course(session: Session) -> Course:
    return session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()


def test_a_draft_course_is_found_with_its_teachers_in_one_statement(session: Session) -> None:
    course = _course(session)
    course.status = CourseStatus.DRAFT
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="hoa.teach@example.test")
    colleague = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="lan.teach@example.test")
    assign_teacher(session, course, teacher.id)
    session.flush()
    session.expunge_all()
    with counting(db.engine) as sent:
        found = course_to_teach(session, "toan-lop-6")
        assert [t.user_id for t in found.teachers] == [teacher.id]
        assert can_teach(session.get(type(teacher), teacher.id), found)
        assert not can_teach(session.get(type(colleague), colleague.id), found)
    # The course and its teachers in one statement (the two people were read apart, above).
    read = [sql for sql in sent.sql if "course_teacher" in sql or "FROM course" in sql]
    assert len(read) == 1 and "JOIN course_teacher" in read[0], sent.text()
    assert not found.is_published
    assert {"description", "description_html", "search_text"} <= inspect(found).unloaded


def test_an_unknown_course_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        course_to_teach(session, "no-such-course")


def test_the_learners_page_opens_a_draft_for_its_teacher_only(app: Flask, session: Session) -> None:
    course = _course(session)
    course.status = CourseStatus.DRAFT
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="hoa.draft@example.test")
    make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="lan.draft@example.test")
    assign_teacher(session, course, teacher.id)
    session.commit()
    mine, theirs = app.test_client(), app.test_client()
    login(mine, "hoa.draft@example.test", PASSWORD)
    login(theirs, "lan.draft@example.test", PASSWORD)
    assert mine.get("/teach/courses/toan-lop-6/learners").status_code == 200
    assert theirs.get("/teach/courses/toan-lop-6/learners").status_code == 403
    assert theirs.get("/teach/courses/no-such-course/learners").status_code == 404
