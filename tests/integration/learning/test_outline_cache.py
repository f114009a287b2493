"""The cached course outline is never served stale: every change to a course's outline or to a
published lecture bumps the course's content revision, so the next lecture page shows the change
and carries a new validator (a browser's old ETag gets the new page, not a 304)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz
from mooc.authoring.services import courses as authoring
from mooc.authoring.services import lectures as drafts
from mooc.authoring.services.quizzes import QuizSettings, create_quiz, delete_quiz
from mooc.catalog.models import Course, Lecture, Section
from mooc.learning import services
from tests.integration.lecture_courses import (
    generated_course,
    import_course,
    pupil_of,
    sign_in,
    teacher_of,
    write_course,
)

Change = Callable[[Session, User, Course], None]


@pytest.fixture
def course(app: Flask, session: Session, tmp_path: Path) -> Course:
    return generated_course(session, app.extensions["mooc_storage"], tmp_path, 6)


@pytest.fixture
def reader(client: FlaskClient, session: Session, course: Course) -> FlaskClient:
    """An enrolled pupil, signed in."""
    sign_in(client, pupil_of(session, course))
    return client


def _lecture(session: Session, course: Course, slug: str) -> Lecture:
    return session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == slug)
    ).one()


def _page(client: FlaskClient, url: str, etag: str | None = None) -> tuple[int, str, str]:
    headers = {"Accept-Language": "en", **({"If-None-Match": f'W/"{etag}"'} if etag else {})}
    response = client.get(url, headers=headers)
    return response.status_code, response.get_data(as_text=True), response.get_etag()[0] or ""


def _changed(
    client: FlaskClient, session: Session, course: Course, change: Change, url: str
) -> tuple[str, str]:
    """The page at `url` before and after a teacher's `change` (committed), checking that the
    old validator no longer answers 304. Returns both pages."""
    status, before, etag = _page(client, url)
    assert status == 200
    assert _page(client, url, etag)[0] == 304  # unchanged: the validator holds
    teacher = teacher_of(session, course)
    change(session, teacher, course)
    session.commit()
    status, after, new_etag = _page(client, url, etag)
    assert status == 200, "a stale 304 after the change"
    assert new_etag != etag
    return before, after


def _rename(session: Session, teacher: User, course: Course) -> None:
    lecture = _lecture(session, course, "bai-4")
    drafts.save_draft(
        session,
        teacher,
        lecture,
        drafts.Draft("Bài bốn mới", lecture.draft_source, True, 10),
        base_revision=lecture.draft_revision,
    )


def test_renaming_the_next_lecture_shows_its_new_title(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    before, after = _changed(
        reader, session, course, _rename, f"/courses/{course.slug}/lectures/bai-3"
    )
    assert "Bài 4 →" in before
    assert "Bài bốn mới →" in after


def _add_lecture(session: Session, teacher: User, course: Course) -> None:
    section = session.scalars(
        select(Section).where(Section.course_id == course.id).order_by(Section.position)
    ).first()
    assert section is not None
    lecture = authoring.create_lecture(session, teacher, section, "Bài thêm")
    drafts.save_draft(
        session,
        teacher,
        lecture,
        drafts.Draft("Bài thêm", "Một bài mới.", True, 5),
        base_revision=lecture.draft_revision,
    )
    drafts.publish(session, teacher, lecture)


def test_an_added_and_published_lecture_counts_at_once(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    url = f"/courses/{course.slug}/lectures/bai-3"
    before, after = _changed(reader, session, course, _add_lecture, url)
    assert "Lecture 3 of 6" in before
    assert "Lecture 3 of 7" in after


def _publish_new_text(session: Session, teacher: User, course: Course) -> None:
    lecture = _lecture(session, course, "bai-3")
    drafts.save_draft(
        session,
        teacher,
        lecture,
        drafts.Draft("Bài 3", "Nội dung đã sửa của bài 3.", True, 10),
        base_revision=lecture.draft_revision,
    )
    drafts.publish(session, teacher, lecture)


def test_a_republished_lecture_shows_its_new_text(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    url = f"/courses/{course.slug}/lectures/bai-3"
    before, after = _changed(reader, session, course, _publish_new_text, url)
    assert "Nội dung của bài 3." in before
    assert "Nội dung đã sửa của bài 3." in after


def _retire(session: Session, teacher: User, course: Course) -> None:
    lecture = _lecture(session, course, "bai-4")
    # Someone studied it: it is retired (kept for them), not deleted.
    services.record_view(session, pupil_of(session, course), lecture)
    assert authoring.delete_lecture(session, teacher, lecture) == "retired"


def test_a_retired_lecture_leaves_the_neighbours(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    url = f"/courses/{course.slug}/lectures/bai-3"
    before, after = _changed(reader, session, course, _retire, url)
    assert "Bài 4 →" in before
    assert "Bài 5 →" in after
    assert "Lecture 3 of 5" in after


def _move_down(session: Session, teacher: User, course: Course) -> None:
    authoring.move_item(session, teacher, _lecture(session, course, "bai-3"), +1)


def test_a_reordered_lecture_gets_its_new_place(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    url = f"/courses/{course.slug}/lectures/bai-3"
    before, after = _changed(reader, session, course, _move_down, url)
    assert "Lecture 3 of 6" in before
    assert "Lecture 4 of 6" in after
    assert "← Bài 4" in after


def _add_quiz(session: Session, teacher: User, course: Course) -> None:
    section = session.scalars(select(Section).where(Section.course_id == course.id)).first()
    assert section is not None
    settings = QuizSettings("Kiểm tra nhanh", 50, 1, True, None, "best", None)
    create_quiz(session, teacher, section, settings)


def _remove_quiz(session: Session, teacher: User, course: Course) -> None:
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).one()
    delete_quiz(session, teacher, quiz)


@pytest.mark.parametrize(
    ("change", "shown", "gone"),
    [(_add_quiz, "Kiểm tra nhanh", None), (_remove_quiz, None, "Kiểm tra tổng hợp Toán lớp 6")],
)
def test_adding_or_removing_a_quiz_changes_the_syllabus_and_the_validators(
    reader: FlaskClient,
    session: Session,
    course: Course,
    change: Change,
    shown: str | None,
    gone: str | None,
) -> None:
    _, syllabus_before, _ = _page(reader, f"/courses/{course.slug}")
    _changed(reader, session, course, change, f"/courses/{course.slug}/lectures/bai-2")
    _, syllabus, _ = _page(reader, f"/courses/{course.slug}")
    if shown:
        assert shown not in syllabus_before and shown in syllabus
    if gone:
        assert gone in syllabus_before and gone not in syllabus


def test_unpublishing_closes_the_pages_and_publishing_opens_them_anew(
    reader: FlaskClient, session: Session, course: Course
) -> None:
    url = f"/courses/{course.slug}/lectures/bai-2"

    def unpublish_and_publish(session: Session, teacher: User, course: Course) -> None:
        authoring.set_published(session, teacher, course, False)
        session.commit()
        assert _page(reader, url)[0] == 404
        authoring.set_published(session, teacher, course, True)

    _changed(reader, session, course, unpublish_and_publish, url)


def test_a_package_import_renaming_a_lecture_shows_at_once(
    app: Flask, reader: FlaskClient, session: Session, course: Course, tmp_path: Path
) -> None:
    def reimport(session: Session, teacher: User, course: Course) -> None:
        folder = write_course(tmp_path / "again", course.slug, 6)
        text = (folder / "lectures" / "bai-4.md").read_text(encoding="utf-8")
        (folder / "lectures" / "bai-4.md").write_text(
            text.replace("title: Bài 4", "title: Bài bốn nhập lại"), encoding="utf-8"
        )
        import_course(session, app.extensions["mooc_storage"], folder)

    url = f"/courses/{course.slug}/lectures/bai-3"
    before, after = _changed(reader, session, course, reimport, url)
    assert "Bài 4 →" in before
    assert "Bài bốn nhập lại →" in after
