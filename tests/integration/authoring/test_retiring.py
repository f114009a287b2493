"""Re-importing a package, or deleting by hand, never destroys learners' work: a lecture or quiz
that leaves a course is retired (hidden, kept with its records) and restored when it comes back.

Each test requests `session` first, so commands and requests run inside its rolled-back
transaction.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.assessment.models import AttemptPolicy, Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture
from mooc.catalog.services import assign_teacher
from mooc.db import utcnow
from mooc.learning.models import Completion, Enrolment, LectureProgress
from mooc.learning.queries import course_status
from mooc.learning.syllabus import syllabus
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

COURSE = "toan-lop-6"
QUIZ = "kiem-tra-toan-6"
STUDIED = "phan-so"  # a learner has progress on it
UNTOUCHED = "luy-thua"  # nobody has opened it


def run_import(app: Flask, path: Path, *options: str) -> Result:
    return app.test_cli_runner().invoke(args=["content", "import", *options, str(path)])


def _course(session: Session) -> Course:
    return session.scalars(select(Course).where(Course.slug == COURSE)).one()


def _quiz(session: Session) -> Quiz:
    return session.scalars(select(Quiz).join(Course).where(Course.slug == COURSE)).one()


def _lecture(session: Session, slug: str) -> Lecture | None:
    return session.scalar(
        select(Lecture).join(Course).where(Course.slug == COURSE, Lecture.slug == slug)
    )


def _drop(content: Path, kind: str, slug: str) -> None:
    """Take a lecture or quiz out of the course package, file and syllabus line."""
    folder = content / COURSE
    course_md = folder / "course.md"
    text = course_md.read_text(encoding="utf-8")
    line = f"      - {kind}: {slug}\n"
    assert line in text
    course_md.write_text(text.replace(line, ""), encoding="utf-8")
    if kind == "quiz":
        (folder / "quizzes" / f"{slug}.yaml").unlink()
    else:
        (folder / "lectures" / f"{slug}.md").unlink()


def _enrolled_learner(session: Session) -> User:
    learner = make_user(session)
    session.add(Enrolment(user_id=learner.id, course_id=_course(session).id))
    session.flush()
    return learner


def _attempt(session: Session, learner: User, quiz: Quiz, score: float) -> QuizAttempt:
    attempt = QuizAttempt(
        user_id=learner.id,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        number=1,
        quiz_revision=quiz.revision,
        pass_mark=quiz.pass_mark,
        policy=AttemptPolicy.BEST,
        questions=[],
        submitted_at=utcnow(),
        responses={},
        score=score,
        passed=score >= quiz.pass_mark,
    )
    session.add(attempt)
    session.flush()
    return attempt


def _study(session: Session, learner: User, lecture: Lecture) -> LectureProgress:
    progress = LectureProgress(
        user_id=learner.id,
        lecture_id=lecture.id,
        course_id=lecture.course_id,
        done_at=utcnow(),
        version_id=lecture.published_version_id,
    )
    session.add(progress)
    session.flush()
    return progress


def _study_all_lectures(session: Session, learner: User) -> None:
    for lecture in session.scalars(select(Lecture).where(Lecture.course_id == _course(session).id)):
        _study(session, learner, lecture)


def _attempts_of(session: Session, learner: User) -> list[tuple[int, float | None]]:
    return [
        (a.id, a.score)
        for a in session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == learner.id))
    ]


# --- re-importing a package -------------------------------------------------------------------


def test_a_package_without_its_quiz_retires_it_and_keeps_attempts_and_grades(
    session: Session, app: Flask, content_copy: Path
) -> None:
    quiz = _quiz(session)
    questions = len(quiz.questions)
    learner = _enrolled_learner(session)
    attempt = _attempt(session, learner, quiz, 80.0)
    session.add(
        Completion(
            user_id=learner.id,
            course_id=quiz.course_id,
            final_grade=80.0,
            lecture_versions=[],
            quiz_attempts=[attempt.id],
            pass_mark=50,
        )
    )
    session.commit()
    _drop(content_copy, "quiz", QUIZ)

    result = run_import(app, content_copy)

    assert result.exit_code == 0, result.output
    assert f"retired   quiz {COURSE}/{QUIZ}" in result.output
    session.expire_all()
    kept = _quiz(session)
    assert kept.id == quiz.id
    assert kept.retired_at is not None
    assert kept.section_id is None
    assert len(kept.questions) == questions
    assert _attempts_of(session, learner) == [(attempt.id, 80.0)]
    completion = session.scalars(select(Completion).where(Completion.user_id == learner.id)).one()
    assert completion.final_grade == 80.0
    assert completion.quiz_attempts == [attempt.id]


def test_a_studied_lecture_is_retired_an_untouched_one_deleted(
    session: Session, app: Flask, client: FlaskClient, content_copy: Path
) -> None:
    learner = _enrolled_learner(session)
    studied = _lecture(session, STUDIED)
    assert studied is not None
    progress = _study(session, learner, studied)
    versions = studied.published_version_id
    session.commit()
    _drop(content_copy, "lecture", STUDIED)
    _drop(content_copy, "lecture", UNTOUCHED)

    result = run_import(app, content_copy)

    assert result.exit_code == 0, result.output
    assert f"retired   lecture {COURSE}/{STUDIED}" in result.output
    assert f"deleted   lecture {COURSE}/{UNTOUCHED}" in result.output
    session.expire_all()
    assert _lecture(session, UNTOUCHED) is None
    kept = _lecture(session, STUDIED)
    assert kept is not None and kept.retired_at is not None
    assert kept.published_version_id == versions
    assert session.get(LectureProgress, progress.id) is not None

    # Hidden from new learners; the one who studied it can still read it.
    newcomer = _enrolled_learner(session)
    session.commit()
    url = f"/courses/{COURSE}/lectures/{STUDIED}"
    login(client, newcomer.email, PASSWORD)
    assert client.get(url).status_code == 404
    with app.test_client() as own:
        login(own, learner.email, PASSWORD)
        page = own.get(url)
        assert page.status_code == 200
        assert 'id="retired-notice"' in page.get_data(as_text=True)
        assert own.post(f"{url}/done", data={"csrf_token": csrf_from(own, url)}).status_code == 404


def test_dry_run_lists_what_would_be_retired_and_changes_nothing(
    session: Session, app: Flask, content_copy: Path
) -> None:
    learner = _enrolled_learner(session)
    _attempt(session, learner, _quiz(session), 40.0)
    session.commit()
    _drop(content_copy, "quiz", QUIZ)
    lecture_file = content_copy / COURSE / "lectures" / f"{STUDIED}.md"
    lecture_file.write_text(lecture_file.read_text(encoding="utf-8") + "\nThêm một dòng.\n")

    result = run_import(app, content_copy, "--dry-run")

    assert result.exit_code == 0, result.output
    assert f"retired   quiz {COURSE}/{QUIZ}" in result.output
    assert f"updated   lecture {COURSE}/{STUDIED}" in result.output
    assert "Dry run: nothing was changed." in result.output
    session.expire_all()
    assert _quiz(session).retired_at is None
    assert _quiz(session).section_id is not None
    lecture = _lecture(session, STUDIED)
    assert lecture is not None and "Thêm một dòng." not in lecture.draft_source


def test_a_retired_quiz_that_comes_back_is_restored_with_its_attempts(
    session: Session, app: Flask, content_copy: Path, tmp_path: Path
) -> None:
    quiz = _quiz(session)
    learner = _enrolled_learner(session)
    attempt = _attempt(session, learner, quiz, 90.0)
    session.commit()
    original = tmp_path / "original"
    shutil.copytree(content_copy, original)
    _drop(content_copy, "quiz", QUIZ)
    assert run_import(app, content_copy).exit_code == 0

    result = run_import(app, original)

    assert result.exit_code == 0, result.output
    assert f"restored  quiz {COURSE}/{QUIZ}" in result.output
    session.expire_all()
    back = _quiz(session)
    assert back.id == quiz.id
    assert back.retired_at is None and back.section_id is not None
    assert _attempts_of(session, learner) == [(attempt.id, 90.0)]


# --- what learners see ------------------------------------------------------------------------


def test_retired_items_leave_the_syllabus_and_the_completion_rule(
    session: Session, app: Flask, client: FlaskClient, content_copy: Path
) -> None:
    learner = _enrolled_learner(session)
    _study_all_lectures(session, learner)
    never_passed = course_status(session, learner.id, _course(session))
    assert not never_passed.complete and never_passed.percent < 100
    listed = [item.slug for part in syllabus(session, _course(session)) for item in part.items]
    assert QUIZ in listed
    session.commit()
    _drop(content_copy, "quiz", QUIZ)
    _attempt(session, _enrolled_learner(session), _quiz(session), 10.0)
    session.commit()
    assert run_import(app, content_copy).exit_code == 0
    session.expire_all()
    assert _quiz(session).retired_at is not None  # kept: another learner attempted it

    status = course_status(session, learner.id, _course(session))
    assert status.complete and status.percent == 100
    assert status.quizzes_required == 0

    login(client, learner.email, PASSWORD)
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert f"/quizzes/{QUIZ}" not in page
    # Nothing is left for them to do: the completion is recorded when they next look.
    completion = session.scalars(select(Completion).where(Completion.user_id == learner.id)).one()
    assert completion.final_grade == 100.0
    listed = [item.slug for part in syllabus(session, _course(session)) for item in part.items]
    assert QUIZ not in listed
    assert client.get(f"/courses/{COURSE}/quizzes/{QUIZ}").status_code == 404


# --- deleting by hand in authoring ------------------------------------------------------------


def _teacher(session: Session) -> User:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, _course(session), teacher.id)
    return teacher


def test_deleting_a_studied_lecture_by_hand_retires_it(
    session: Session, client: FlaskClient
) -> None:
    teacher = _teacher(session)
    learner = _enrolled_learner(session)
    studied = _lecture(session, STUDIED)
    assert studied is not None
    progress = _study(session, learner, studied)
    session.commit()
    login(client, teacher.email, PASSWORD)
    edit = f"/author/courses/{COURSE}/lectures/{STUDIED}/edit"

    response = client.post(
        f"/author/courses/{COURSE}/lectures/{STUDIED}/delete",
        data={"csrf_token": csrf_from(client, edit)},
    )

    assert response.status_code == 303
    session.expire_all()
    kept = _lecture(session, STUDIED)
    assert kept is not None and kept.retired_at is not None
    assert session.get(LectureProgress, progress.id) is not None
    page = client.get(f"/author/courses/{COURSE}").get_data(as_text=True)
    assert f'data-retired="lecture-{STUDIED}"' in page
    assert "Đã có người học học bài giảng này nên bài được rút khỏi khoá học" in page  # the flash
    assert 'id="retired-notice"' in client.get(edit).get_data(as_text=True)


def test_deleting_a_quiz_by_hand_retires_it_when_attempted_deletes_it_otherwise(
    session: Session, client: FlaskClient
) -> None:
    teacher = _teacher(session)
    quiz = _quiz(session)
    attempt = _attempt(session, _enrolled_learner(session), quiz, 70.0)
    session.commit()
    login(client, teacher.email, PASSWORD)
    edit = f"/author/courses/{COURSE}/quizzes/{QUIZ}/edit"

    response = client.post(
        f"/author/courses/{COURSE}/quizzes/{QUIZ}/delete",
        data={"csrf_token": csrf_from(client, edit)},
    )

    assert response.status_code == 303
    session.expire_all()
    assert _quiz(session).retired_at is not None
    assert session.get(QuizAttempt, attempt.id) is not None

    session.delete(session.get(QuizAttempt, attempt.id))
    session.commit()
    client.post(
        f"/author/courses/{COURSE}/quizzes/{QUIZ}/delete",
        data={"csrf_token": csrf_from(client, edit)},
    )
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Quiz).where(Quiz.slug == QUIZ)) == 0


def test_a_retired_lecture_moved_into_a_section_is_back(
    session: Session, client: FlaskClient
) -> None:
    teacher = _teacher(session)
    learner = _enrolled_learner(session)
    studied = _lecture(session, STUDIED)
    assert studied is not None
    _study(session, learner, studied)
    session.commit()
    login(client, teacher.email, PASSWORD)
    token = csrf_from(client, f"/author/courses/{COURSE}")
    client.post(f"/author/courses/{COURSE}/lectures/{STUDIED}/delete", data={"csrf_token": token})
    section = _course(session).sections[0]

    client.post(
        f"/author/courses/{COURSE}/items/lecture/{studied.id}/move",
        data={"csrf_token": token, "section": section.id},
    )

    session.expire_all()
    back = _lecture(session, STUDIED)
    assert back is not None and back.retired_at is None and back.section_id == section.id
    listed = [item.slug for part in syllabus(session, _course(session)) for item in part.items]
    assert STUDIED in listed


# --- the import page: preview, then confirm ---------------------------------------------------


def _course_zip(content: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((content / COURSE).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(content).as_posix())
    return out.getvalue()


def test_the_import_page_shows_what_will_be_retired_before_changing_anything(
    session: Session, client: FlaskClient, content_copy: Path
) -> None:
    teacher = _teacher(session)
    attempt = _attempt(session, _enrolled_learner(session), _quiz(session), 55.0)
    session.commit()
    _drop(content_copy, "quiz", QUIZ)
    login(client, teacher.email, PASSWORD)

    preview = client.post(
        "/author/import",
        data={
            "csrf_token": csrf_from(client, "/author/import"),
            "file": (io.BytesIO(_course_zip(content_copy)), "toan.zip"),
        },
        content_type="multipart/form-data",
    )

    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    retired = re.search(r'<ul data-change="retired">(.*?)</ul>', page, re.S)
    assert retired is not None and f"{COURSE}/{QUIZ}" in retired.group(1)
    session.expire_all()
    assert _quiz(session).retired_at is None  # nothing changed yet
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page)
    assert token is not None

    # Another teacher cannot confirm someone else's preview.
    other = _teacher(session)
    session.commit()
    with client.application.test_client() as stranger:
        login(stranger, other.email, PASSWORD)
        refused = stranger.post(
            "/author/import/confirm",
            data={"csrf_token": csrf_from(stranger, "/author/import"), "token": token.group(1)},
        )
        assert refused.status_code == 303
    session.expire_all()
    assert _quiz(session).retired_at is None

    done = client.post(
        "/author/import/confirm",
        data={"csrf_token": csrf_from(client, "/author/import"), "token": token.group(1)},
    )

    assert done.status_code == 303
    session.expire_all()
    assert _quiz(session).retired_at is not None
    assert session.get(QuizAttempt, attempt.id) is not None
    again = client.post(
        "/author/import/confirm",
        data={"csrf_token": csrf_from(client, "/author/import"), "token": token.group(1)},
        follow_redirects=True,
    )
    assert "Bản xem trước này đã hết hạn" in again.get_data(as_text=True)


def test_a_whole_section_gone_from_the_package_retires_what_learners_used_in_it(
    session: Session, app: Flask, content_copy: Path
) -> None:
    learner = _enrolled_learner(session)
    studied = _lecture(session, STUDIED)
    assert studied is not None
    _study(session, learner, studied)
    attempt = _attempt(session, learner, _quiz(session), 65.0)
    session.commit()
    course_md = content_copy / COURSE / "course.md"
    text = course_md.read_text(encoding="utf-8")
    start = text.index("  - title: Chương II.")
    course_md.write_text(text[:start] + text[text.index("---", start) :], encoding="utf-8")
    for slug in ("uoc-boi-so-nguyen-to", "so-nguyen", STUDIED):
        (content_copy / COURSE / "lectures" / f"{slug}.md").unlink()
    (content_copy / COURSE / "quizzes" / f"{QUIZ}.yaml").unlink()

    result = run_import(app, content_copy)

    assert result.exit_code == 0, result.output
    session.expire_all()
    assert len(_course(session).sections) == 1
    assert _lecture(session, "uoc-boi-so-nguyen-to") is None
    assert _lecture(session, "so-nguyen") is None
    kept = _lecture(session, STUDIED)
    assert kept is not None and kept.retired_at is not None
    assert _quiz(session).retired_at is not None
    assert _attempts_of(session, learner) == [(attempt.id, 65.0)]
