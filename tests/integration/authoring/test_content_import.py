"""`flask content import`: idempotent re-imports, new lecture versions, and clear errors that
leave the failing course as it was while the others import.

Each test requests `session` first, so the command runs inside the test's rolled-back transaction.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.assessment.models import Question, Quiz
from mooc.catalog.models import Course, CourseStatus, Lecture, LectureVersion
from mooc.db import Base
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

COURSE = "toan-lop-6"
LECTURE = "phan-so"
QUIZ = "kiem-tra-toan-6"
OTHER_COURSE = "english-grade-12"  # imported first (alphabetical), before the failing one


def run_import(app: Flask, path: Path, *options: str) -> Result:
    return app.test_cli_runner().invoke(args=["content", "import", str(path), *options])


def snapshot(session: Session) -> dict[str, Any]:
    """Row counts of every table, and what a re-import would touch in the catalogue."""
    session.expire_all()
    counts = {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    courses = session.execute(
        select(Course.slug, Course.source_hash, Course.updated_at, Course.title).order_by(
            Course.slug
        )
    ).all()
    lectures = session.execute(
        select(Lecture.id, Lecture.draft_revision, Lecture.published_version_id).order_by(
            Lecture.id
        )
    ).all()
    questions = session.execute(select(Question.id, Question.prompt).order_by(Question.id)).all()
    quizzes = session.execute(select(Quiz.id, Quiz.revision).order_by(Quiz.id)).all()
    return {
        "counts": counts,
        "courses": courses,
        "lectures": lectures,
        "questions": questions,
        "quizzes": quizzes,
    }


def lecture(session: Session, course_slug: str, slug: str) -> Lecture:
    return session.scalars(
        select(Lecture).join(Course).where(Course.slug == course_slug, Lecture.slug == slug)
    ).one()


def version_numbers(session: Session, found: Lecture) -> list[int]:
    return list(
        session.scalars(
            select(LectureVersion.number)
            .where(LectureVersion.lecture_id == found.id)
            .order_by(LectureVersion.number)
        )
    )


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def edit_other_course(content: Path) -> None:
    """A valid change elsewhere in the tree: it is applied although another course fails."""
    lecture_file = next((content / OTHER_COURSE / "lectures").glob("*.md"))
    with lecture_file.open("a", encoding="utf-8") as fh:
        fh.write("\nA paragraph that must never reach the database.\n")


# --- re-importing --------------------------------------------------------------------------


def test_reimporting_unchanged_content_changes_nothing(
    session: Session, app: Flask, content_copy: Path
) -> None:
    before = snapshot(session)
    result = run_import(app, content_copy)
    assert result.exit_code == 0, result.output
    courses = len(before["courses"])
    assert f"0 created, 0 updated, {courses} unchanged" in result.output
    assert "created   " not in result.output
    assert "updated   " not in result.output
    assert snapshot(session) == before


def test_editing_one_lecture_publishes_a_new_version_of_it_only(
    session: Session, app: Flask, client: FlaskClient, content_copy: Path
) -> None:
    before = snapshot(session)
    edited = lecture(session, COURSE, LECTURE)
    old_source = edited.published_version.source if edited.published_version else ""
    assert version_numbers(session, edited) == [1]
    untouched = {
        lec.slug: lec.published_version_id
        for lec in session.scalars(select(Lecture).join(Course).where(Course.slug == COURSE))
        if lec.slug != LECTURE
    }
    lecture_file = content_copy / COURSE / "lectures" / f"{LECTURE}.md"
    with lecture_file.open("a", encoding="utf-8") as fh:
        fh.write("\n## Ôn tập thêm\n\nMột đoạn mới về phân số bằng nhau.\n")

    result = run_import(app, content_copy)
    assert result.exit_code == 0, result.output
    assert f"updated   course {COURSE}" in result.output
    assert "0 created, 1 updated," in result.output

    after = snapshot(session)
    edited = lecture(session, COURSE, LECTURE)
    assert version_numbers(session, edited) == [1, 2]
    published = edited.published_version
    assert published is not None
    assert published.number == 2
    assert "Một đoạn mới về phân số bằng nhau." in published.source
    assert "Ôn tập thêm" in published.html
    first = session.scalars(
        select(LectureVersion).where(
            LectureVersion.lecture_id == edited.id, LectureVersion.number == 1
        )
    ).one()
    assert first.source == old_source
    assert "Một đoạn mới" not in first.source

    assert after["counts"]["lecture_version"] == before["counts"]["lecture_version"] + 1
    assert {k: v for k, v in after["counts"].items() if k != "lecture_version"} == {
        k: v for k, v in before["counts"].items() if k != "lecture_version"
    }
    # Only that course changed; its other lectures and its quiz questions stay as they were.
    changed = {
        slug
        for (slug, *row), (_, *old) in zip(after["courses"], before["courses"], strict=True)
        if row != old
    }
    assert changed == {COURSE}
    for slug, version_id in untouched.items():
        assert lecture(session, COURSE, slug).published_version_id == version_id
    assert after["questions"] == before["questions"]
    assert after["quizzes"] == before["quizzes"]

    # A learner reading the lecture sees the new text.
    learner = make_user(session)
    session.commit()
    login(client, learner.email, PASSWORD)
    client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_from(client, "/")})
    page = client.get(f"/courses/{COURSE}/lectures/{LECTURE}").get_data(as_text=True)
    assert "Một đoạn mới về phân số bằng nhau." in page

    again = run_import(app, content_copy)
    assert "0 created, 0 updated," in again.output
    assert version_numbers(session, lecture(session, COURSE, LECTURE)) == [1, 2]


# --- errors --------------------------------------------------------------------------------


def assert_refused(
    result: Result, path: Path, line: int, message: str, course: str = COURSE
) -> None:
    assert result.exit_code != 0
    assert f"failed    course {course}: {path}:{line}:" in result.output, result.output
    assert message in result.output
    assert "1 of 6 courses failed and were not changed" in result.output
    assert "Traceback" not in result.output


def assert_only_the_other_course_changed(session: Session, before: dict[str, Any]) -> None:
    """The failing course is as it was; the valid edit to the other course was imported."""
    after = snapshot(session)
    changed = {
        slug
        for (slug, *row), (_, *old) in zip(after["courses"], before["courses"], strict=True)
        if row != old
    }
    assert changed == {OTHER_COURSE}
    versions = before["counts"]["lecture_version"] + 1
    assert after["counts"] == {**before["counts"], "lecture_version": versions}
    other = set(session.scalars(select(Lecture.id).join(Course).where(Course.slug == OTHER_COURSE)))
    moved = [
        new for new, old in zip(after["lectures"], before["lectures"], strict=True) if new != old
    ]
    assert len(moved) == 1
    assert moved[0][0] in other
    assert after["questions"] == before["questions"]
    assert after["quizzes"] == before["quizzes"]


def test_a_quiz_with_a_yaml_syntax_error_is_refused_with_its_line(
    session: Session, app: Flask, content_copy: Path
) -> None:
    edit_other_course(content_copy)
    quiz_file = content_copy / COURSE / "quizzes" / f"{QUIZ}.yaml"
    lines = quiz_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, "\tbroken: yes\n")  # a tab cannot indent YAML: line 3
    quiz_file.write_text("".join(lines), encoding="utf-8")
    before = snapshot(session)

    result = run_import(app, content_copy)
    assert_refused(result, quiz_file, 3, "invalid YAML")
    assert_only_the_other_course_changed(session, before)


def test_a_single_choice_question_with_two_right_options_is_refused(
    session: Session, app: Flask, content_copy: Path
) -> None:
    edit_other_course(content_copy)
    quiz_file = content_copy / COURSE / "quizzes" / f"{QUIZ}.yaml"
    text = quiz_file.read_text(encoding="utf-8")
    first_option = "      - text: '$0 \\in \\mathbb{N}^*$'\n"
    assert first_option in text
    quiz_file.write_text(
        text.replace(first_option, first_option + "        correct: true\n", 1), encoding="utf-8"
    )
    line = line_of(quiz_file, "- type: single")
    before = snapshot(session)

    result = run_import(app, content_copy)
    assert_refused(
        result, quiz_file, line, "question 2: A single-choice question needs exactly one"
    )
    assert_only_the_other_course_changed(session, before)


def test_a_missing_lecture_file_is_refused_with_the_syllabus_line(
    session: Session, app: Flask, content_copy: Path
) -> None:
    edit_other_course(content_copy)
    (content_copy / COURSE / "lectures" / "luy-thua.md").unlink()
    course_file = content_copy / COURSE / "course.md"
    before = snapshot(session)

    result = run_import(app, content_copy)
    assert_refused(
        result,
        course_file,
        line_of(course_file, "- lecture: luy-thua"),
        "lectures/luy-thua.md does not exist",
    )
    assert_only_the_other_course_changed(session, before)


def failing_copy(content: Path, slug: str, *, institution: str | None = None) -> Path:
    """A copy of COURSE under `slug`, sorted after the seed courses."""
    folder = content / slug
    shutil.copytree(content / COURSE, folder)
    course_file = folder / "course.md"
    text = course_file.read_text(encoding="utf-8").replace(f"slug: {COURSE}", f"slug: {slug}", 1)
    if institution is not None:
        text = text.replace("institution: thcs-ba-dinh", f"institution: {institution}", 1)
    course_file.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_course_unknown_to_the_database_fails_alone(
    session: Session, app: Flask, content_copy: Path, jobs: str
) -> None:
    edit_other_course(content_copy)
    failing_copy(content_copy, "zz-unknown-provider", institution="truong-khong-ton-tai")
    before = snapshot(session)

    result = run_import(app, content_copy, "--jobs", jobs)
    assert result.exit_code != 0
    assert "failed    course zz-unknown-provider: " in result.output
    assert "institution 'truong-khong-ton-tai' is not known" in result.output
    assert f"updated   course {OTHER_COURSE}" in result.output
    assert "1 of 7 courses failed and were not changed; the others are imported" in result.output
    assert "Traceback" not in result.output
    assert_only_the_other_course_changed(session, before)


def test_a_course_failing_after_its_first_writes_rolls_back_alone(
    session: Session, app: Flask, content_copy: Path
) -> None:
    edit_other_course(content_copy)
    folder = failing_copy(content_copy, "zz-broken-captions")
    # Refused when its media are stored: after the course row is written.
    (folder / "media" / "broken.vtt").write_text(
        "WEBVTT\n\n00:02.000 --> 00:01.000\nBackwards\n", encoding="utf-8"
    )
    before = snapshot(session)

    result = run_import(app, content_copy)
    assert result.exit_code != 0
    assert "failed    course zz-broken-captions: " in result.output
    assert "broken.vtt: malformed WebVTT captions" in result.output
    assert_only_the_other_course_changed(session, before)
    assert session.scalar(select(Course).where(Course.slug == "zz-broken-captions")) is None

    # Running again changes nothing more and fails the same way; once fixed, the course imports.
    settled = snapshot(session)
    again = run_import(app, content_copy)
    assert again.exit_code != 0
    assert "0 created, 0 updated, 6 unchanged" in again.output
    assert snapshot(session) == settled
    (folder / "media" / "broken.vtt").unlink()
    fixed = run_import(app, content_copy)
    assert fixed.exit_code == 0, fixed.output
    assert "1 created, 0 updated, 6 unchanged" in fixed.output
    assert session.scalar(select(Course).where(Course.slug == "zz-broken-captions")) is not None


# --- new courses ---------------------------------------------------------------------------


@pytest.mark.parametrize("whole_tree", [False, True], ids=["course-folder", "content-folder"])
def test_importing_a_new_course_folder_creates_the_course(
    session: Session, app: Flask, client: FlaskClient, content_copy: Path, whole_tree: bool
) -> None:
    slug = "toan-lop-6-on-tap"
    folder = content_copy / slug
    shutil.copytree(content_copy / COURSE, folder)
    course_file = folder / "course.md"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(
        text.replace(f"slug: {COURSE}", f"slug: {slug}", 1).replace(
            "title: Toán lớp 6", "title: Ôn tập Toán lớp 6", 1
        ),
        encoding="utf-8",
    )
    before = snapshot(session)

    result = run_import(app, content_copy if whole_tree else folder)
    assert result.exit_code == 0, result.output
    assert f"created   course {slug}" in result.output
    unchanged = len(before["courses"]) if whole_tree else 0
    assert f"1 created, 0 updated, {unchanged} unchanged" in result.output

    created = session.scalars(select(Course).where(Course.slug == slug)).one()
    assert created.title == "Ôn tập Toán lớp 6"
    assert created.status == CourseStatus.PUBLISHED
    assert created.institution.slug == "thcs-ba-dinh"
    original = session.scalars(select(Course).where(Course.slug == COURSE)).one()
    lectures = session.scalars(select(Lecture).where(Lecture.course_id == created.id)).all()
    assert len(lectures) == len(
        session.scalars(select(Lecture).where(Lecture.course_id == original.id)).all()
    )
    assert all(lec.published_version is not None for lec in lectures)
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == created.id)).one()
    assert len(quiz.questions) > 0
    assert [row for row in snapshot(session)["courses"] if row[0] != slug] == before["courses"]

    response = client.get(f"/courses/{slug}")
    assert response.status_code == 200
    assert "Ôn tập Toán lớp 6" in response.get_data(as_text=True)
    assert "Ôn tập Toán lớp 6" in client.get("/courses?q=on+tap+toan").get_data(as_text=True)


def test_a_grade_1_quiz_asking_to_type_tone_marks_is_refused(
    session: Session, app: Flask, content_copy: Path
) -> None:
    quiz_file = content_copy / "tieng-viet-lop-1" / "quizzes" / "on-tap-tieng-viet.yaml"
    text = quiz_file.read_text(encoding="utf-8")
    quiz_file.write_text(
        text
        + "  - type: text\n"
        + "    prompt: 'Viết tiếng: m + a + thanh nặng.'\n"
        + "    answers: ['mạ']\n",
        encoding="utf-8",
    )
    line = len(text.splitlines()) + 1
    before = snapshot(session)

    result = run_import(app, content_copy)
    assert_refused(result, quiz_file, line, "not asked to type tone marks", "tieng-viet-lop-1")
    assert snapshot(session) == before
