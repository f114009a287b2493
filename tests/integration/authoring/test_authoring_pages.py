"""Authoring through the pages, as a teacher's browser would (without JavaScript)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.assessment.models import Quiz
from mooc.authoring.models import AuditEntry
from mooc.catalog.models import Course, Lecture
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

EN = {"Accept-Language": "en"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def teacher(session: Session, client: FlaskClient) -> FlaskClient:
    make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="co-lan@example.test")
    session.commit()
    login(client, "co-lan@example.test", PASSWORD)
    return client


def _new_course(client: FlaskClient, session: Session, slug: str = "hinh-hoc-7") -> Course:
    token = csrf_from(client, "/author/courses/new")
    school = session.scalar(select(Course.institution_id).where(Course.slug == "toan-lop-6"))
    response = client.post(
        "/author/courses/new",
        data={
            "csrf_token": token,
            "title": "Hình học lớp 7",
            "slug": slug,
            "institution": str(school),
            "level": "k12",
            "grade": "7",
            "subject": "math",
            "language": "vi",
            "description": "Tam giác và góc.",
            "outcomes": "Nhận biết tam giác\nĐo góc",
            "pass_mark": "50",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return session.scalars(select(Course).where(Course.slug == slug)).one()


def _post(client: FlaskClient, url: str, page: str, **data: str) -> object:
    return client.post(url, data={"csrf_token": csrf_from(client, page), **data}, headers=EN)


def test_teacher_creates_writes_previews_and_publishes(
    teacher: FlaskClient, session: Session
) -> None:
    course = _new_course(teacher, session)
    page = f"/author/courses/{course.slug}"
    section_id = course.sections[0].id
    added = _post(teacher, f"{page}/sections/{section_id}/lecture", page, title="Tam giác")
    assert added.status_code == 303  # type: ignore[attr-defined]
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).one()
    editor = f"/author/courses/{course.slug}/lectures/{lecture.slug}/edit"
    source = "## Tổng ba góc\n\n$$A + B + C = 180^\\circ$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    form = {"title": "Tam giác", "source": source, "minutes": "10", "required": "y"}
    preview = _post(teacher, editor, editor, **form, revision="1", preview="Preview")
    html = preview.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "<math" in html
    assert "<table>" in html
    assert lecture.draft_source == ""  # preview saves nothing
    published = _post(teacher, editor, editor, **form, revision="1", publish="Publish")
    assert published.status_code == 303  # type: ignore[attr-defined]
    session.refresh(lecture)
    assert lecture.published_version is not None
    assert lecture.published_version.number == 1

    # A second editor who started from revision 1 is refused; nothing is overwritten.
    stale = _post(teacher, editor, editor, **{**form, "source": "other"}, revision="1", save="Save")
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert "Someone else saved" in stale.get_data(as_text=True)  # type: ignore[attr-defined]
    session.refresh(lecture)
    assert lecture.draft_source == source

    publish_course = _post(teacher, f"{page}/publish", page)
    assert publish_course.status_code == 303  # type: ignore[attr-defined]
    session.refresh(course)
    assert course.is_published
    assert "Hình học lớp 7" in teacher.get("/courses?q=hinh+hoc").get_data(as_text=True)


def test_autosave_and_history_with_diff_and_restore(teacher: FlaskClient, session: Session) -> None:
    course = _new_course(teacher, session, "goc-7")
    page = f"/author/courses/{course.slug}"
    _post(teacher, f"{page}/sections/{course.sections[0].id}/lecture", page, title="Góc")
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).one()
    editor = f"/author/courses/{course.slug}/lectures/{lecture.slug}/edit"
    autosave = f"/author/courses/{course.slug}/lectures/{lecture.slug}/autosave"
    saved = _post(teacher, autosave, editor, title="Góc", source="Một\nHai\n", revision="1")
    assert saved.get_json() == {"revision": 2, "saved": True}  # type: ignore[attr-defined]
    conflict = _post(teacher, autosave, editor, title="Góc", source="X", revision="1")
    assert conflict.status_code == 409  # type: ignore[attr-defined]
    assert conflict.mimetype == "application/problem+json"  # type: ignore[attr-defined]
    _post(teacher, editor, editor, title="Góc", source="Một\nHai\n", revision="2", publish="P")
    _post(teacher, editor, editor, title="Góc", source="Một\nBa\n", revision="2", publish="P")
    history = teacher.get(
        f"/author/courses/{course.slug}/lectures/{lecture.slug}/history?a=1&b=2", headers=EN
    ).get_data(as_text=True)
    assert "Changes from version 1 to version 2" in history
    assert re.search(r"diff-removed.*?Hai", history, re.S)
    assert re.search(r"diff-added.*?Ba", history, re.S)
    restore = f"/author/courses/{course.slug}/lectures/{lecture.slug}/restore/1"
    _post(teacher, restore, editor)
    session.refresh(lecture)
    assert lecture.draft_source == "Một\nHai\n"
    assert lecture.published_version is not None
    assert lecture.published_version.number == 2


def test_quiz_builder_pages_validate_and_preview(teacher: FlaskClient, session: Session) -> None:
    course = _new_course(teacher, session, "quiz-7")
    page = f"/author/courses/{course.slug}"
    created = _post(
        teacher,
        f"{page}/sections/{course.sections[0].id}/quiz",
        page,
        title="Kiểm tra nhanh",
        pass_mark="60",
        weight="1",
        required="y",
        policy="best",
    )
    builder = created.headers["Location"]  # type: ignore[attr-defined]
    add = builder.replace("/edit", "/questions/new")
    bad = _post(
        teacher, add, builder, kind="single", prompt="2 + 2?", options="* 4\n* 5", points="1"
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "exactly one correct option" in bad.get_data(as_text=True)  # type: ignore[attr-defined]
    good = _post(
        teacher,
        add,
        builder,
        kind="numeric",
        prompt="Tính $2^{10}$",
        answer="1024",
        tolerance="0",
        explanation="Lũy thừa",
        points="2",
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    preview = teacher.get(builder, headers=EN).get_data(as_text=True)
    assert "<math" in preview
    assert "1024" in preview


def test_media_upload_export_and_audit(teacher: FlaskClient, session: Session) -> None:
    course = _new_course(teacher, session, "media-7")
    library = f"/author/courses/{course.slug}/media"
    upload = teacher.post(
        library,
        data={"csrf_token": csrf_from(teacher, library), "file": (io.BytesIO(PNG), "Hình 1.png")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert upload.status_code == 303
    listing = teacher.get(library, headers=EN).get_data(as_text=True)
    assert "media/hinh-1.png" in listing
    refused = teacher.post(
        library,
        data={
            "csrf_token": csrf_from(teacher, library),
            "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "x.png"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert refused.status_code == 422
    page = f"/author/courses/{course.slug}"
    _post(teacher, f"{page}/sections/{course.sections[0].id}/lecture", page, title="Hình vẽ")
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).one()
    editor = f"{page}/lectures/{lecture.slug}/edit"
    _post(
        teacher,
        editor,
        editor,
        title="Hình vẽ",
        source="![Hình](media/hinh-1.png)\n",
        revision="1",
        save="S",
    )
    exported = teacher.get(f"/author/courses/{course.slug}/export.zip")
    assert exported.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(exported.get_data())).namelist()
    exported.close()  # a server closes the streamed file after sending it; so does this test
    assert f"{course.slug}/course.md" in names
    assert f"{course.slug}/media/hinh-1.png" in names
    log = teacher.get(f"/author/courses/{course.slug}/audit", headers=EN).get_data(as_text=True)
    assert "created course media-7" in log
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.course_id == course.id))
    )
    assert {"create", "upload"} <= actions


def test_students_and_other_teachers_cannot_author(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    make_user(session, email="pupil@example.test")
    make_user(session, ("thpt-chu-van-an", Role.TEACHER), email="other@example.test")
    session.commit()
    assert client.get("/author/").status_code == 302  # visitors are sent to log in
    login(client, "pupil@example.test", PASSWORD)
    assert client.get("/author/").status_code == 403
    assert client.get("/author/courses/toan-lop-6").status_code == 403
    other = app.test_client()
    login(other, "other@example.test", PASSWORD)
    assert other.get("/author/courses/toan-lop-6").status_code == 403
    assert other.get("/author/courses/toan-lop-6/export.zip").status_code == 403
    token = csrf_from(other, "/author/")
    assert (
        other.post(
            "/author/courses/toan-lop-6/publish", data={"csrf_token": token, "state": "draft"}
        ).status_code
        == 403
    )
    assert session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one().is_published


def test_quiz_builder_sets_the_thousands_dot_rule_of_a_number_question(
    teacher: FlaskClient, session: Session
) -> None:
    course = _new_course(teacher, session, "so-lon-7")
    page = f"/author/courses/{course.slug}"
    created = _post(
        teacher,
        f"{page}/sections/{course.sections[0].id}/quiz",
        page,
        title="Số lớn",
        pass_mark="60",
        weight="1",
        required="y",
        policy="best",
    )
    builder = created.headers["Location"]  # type: ignore[attr-defined]
    add = builder.replace("/edit", "/questions/new")
    fields = {"kind": "numeric", "prompt": "Một nghìn?", "answer": "1000", "points": "1"}
    assert _post(teacher, add, builder, **fields, thousands_dot="y").status_code == 303  # type: ignore[attr-defined]
    assert _post(teacher, add, builder, **fields).status_code == 303  # type: ignore[attr-defined]
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).one()
    session.refresh(quiz)
    assert [q.data.get("thousands_dot") for q in quiz.questions] == [True, None]
    edit = teacher.get(f"{builder.removesuffix('/edit')}/questions/{quiz.questions[0].id}")
    assert re.search(
        r'<input[^>]*checked[^>]*name="thousands_dot"|<input[^>]*name="thousands_dot"[^>]*checked',
        edit.get_data(as_text=True),
    )
