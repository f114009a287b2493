"""The course page reads the session's check, the course and the reader's enrolment in one
statement (`queries.course_visit`) and the completion rule's inputs in one more: same content and
permissions as before, the same statements on a course of 5 or 60 lectures, and a session ended
elsewhere still ends here. The rule's one-statement reading gives the statuses the separate reads
give, in every case the rule knows."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mooc.accounts import services as account_services
from mooc.accounts.models import User
from mooc.assessment.models import AttemptPolicy, Quiz, QuizAttempt
from mooc.catalog.models import Course, CourseStatus, Lecture, ScormPackage
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning.core.completion import CompletionStatus, evaluate
from mooc.learning.models import LectureProgress, ScormState
from mooc.learning.queries import (
    course_statuses,
    done_lecture_ids,
    ordered_lectures,
    quiz_standings,
    scorm_standings,
)
from tests.factories import PASSWORD, make_user
from tests.integration.lecture_courses import generated_course, pupil_of, sign_in
from tests.querycount import counting

# Warm (the outline cached): the course page's one statement, then the rule's inputs (enrolled)
# or the lectures done (signed in, not enrolled); a visitor's page is the one statement.
BUDGETS = {"enrolled": 2, "signed in": 2, "visitor": 1}


def _get(client: FlaskClient, url: str) -> tuple[int, str]:
    response = client.get(url, headers={"Accept-Language": "en"})
    return response.status_code, response.get_data(as_text=True)


def _costs(client: FlaskClient, session: Session, url: str) -> tuple[str, int]:
    _get(client, url)  # the outline read and cached
    session.expire_all()
    with counting(db.engine) as sent:
        status, page = _get(client, url)
    assert status == 200, status
    return page, len(sent)


@pytest.mark.parametrize("size", [5, 60])
def test_the_course_page_costs_a_statement_or_two_whatever_its_size(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path, size: int
) -> None:
    course = generated_course(session, app.extensions["mooc_storage"], tmp_path, size)
    url = f"/courses/{course.slug}"
    page, cost = _costs(client, session, url)
    assert "Log in to enrol" in page and course.title in page
    assert cost == BUDGETS["visitor"]
    pupil = pupil_of(session, course)
    sign_in(client, pupil)
    lecture = ordered_lectures(session, course)[0]
    session.add(
        LectureProgress(
            user_id=pupil.id, lecture_id=lecture.id, course_id=course.id, done_at=utcnow()
        )
    )
    session.commit()
    page, cost = _costs(client, session, url)
    assert "Continue learning" in page and "Học sinh" in page and "✓ done" in page
    assert f'data-user="{pupil.id}"' in page or "data-user" not in page
    assert cost == BUDGETS["enrolled"]
    stranger = make_user(session, name="Người lạ")
    session.commit()
    sign_in(client, stranger)
    page, cost = _costs(client, session, url)
    assert "Enrol for free" in page and "Người lạ" in page and "Continue learning" not in page
    assert cost == BUDGETS["signed in"]


def test_an_unpublished_course_is_not_found_for_everyone(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course = generated_course(session, app.extensions["mooc_storage"], tmp_path, 3)
    pupil = pupil_of(session, course)
    session.execute(update(Course).where(Course.id == course.id).values(status=CourseStatus.DRAFT))
    session.commit()
    url = f"/courses/{course.slug}"
    assert _get(client, url)[0] == 404
    sign_in(client, pupil)
    status, page = _get(client, url)
    assert status == 404 and "Học sinh" in page  # the header still names them
    assert _get(client, "/courses/no-such-course")[0] == 404


def _enrolled_reader(
    app: Flask, session: Session, tmp_path: Path, client: FlaskClient
) -> tuple[str, User]:
    course = generated_course(session, app.extensions["mooc_storage"], tmp_path, 3)
    pupil = pupil_of(session, course)
    sign_in(client, pupil)
    url = f"/courses/{course.slug}"
    status, page = _get(client, url)
    assert status == 200 and "Continue learning" in page and "Log out" in page
    return url, pupil


def test_logging_out_everywhere_ends_the_session_on_the_next_course_page(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    url, pupil = _enrolled_reader(app, session, tmp_path, client)
    account_services.end_sessions(pupil)
    session.commit()
    status, page = _get(client, url)
    assert status == 200 and "Log in to enrol" in page and "Học sinh" not in page


def test_a_changed_password_ends_the_old_session_on_the_course_page(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    url, pupil = _enrolled_reader(app, session, tmp_path, client)
    account_services.change_password(pupil, current=PASSWORD, new="another-password-456")
    session.commit()
    status, page = _get(client, url)
    assert status == 200 and "Log in to enrol" in page and "Continue learning" not in page


def test_a_deactivated_pupil_reads_the_course_page_as_a_visitor(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    url, pupil = _enrolled_reader(app, session, tmp_path, client)
    pupil.is_active = False
    session.commit()
    status, page = _get(client, url)
    assert status == 200 and "Log in to enrol" in page and "Học sinh" not in page


# --- the completion rule's inputs in one statement ----------------------------------------------


def _statuses_read_apart(
    session: Session, user_id: int, courses: list[Course]
) -> dict[int, CompletionStatus]:
    """The rule's inputs each read on their own (the reads the one statement replaced)."""
    graded = scorm_standings(session, user_id, [c.id for c in courses])
    found = {}
    for course in courses:
        required = session.scalars(
            select(Lecture.id).where(
                Lecture.course_id == course.id,
                Lecture.required.is_(True),
                Lecture.published_version_id.is_not(None),
                Lecture.retired_at.is_(None),
            )
        ).all()
        found[course.id] = evaluate(
            required_lectures=list(required),
            done_lectures=done_lecture_ids(session, user_id, course.id),
            quizzes=quiz_standings(session, user_id, course.id) + graded[course.id],
            pass_mark=course.pass_mark,
        )
    return found


def _attempt(
    user_id: int, quiz: Quiz, number: int, score: float | None, policy: AttemptPolicy
) -> dict[str, object]:
    return {
        "user_id": user_id,
        "quiz_id": quiz.id,
        "course_id": quiz.course_id,
        "number": number,
        "quiz_revision": 1,
        "pass_mark": quiz.pass_mark,
        "policy": policy,
        "questions": [],
        "submitted_at": utcnow() if score is not None or number % 2 else None,
        "score": score,
        "passed": None if score is None else score >= quiz.pass_mark,
    }


def test_the_rule_read_in_one_statement_gives_the_same_statuses(session: Session) -> None:
    """Learners from nothing done to everything: required lectures half done, a lecture done
    then retired, attempts under either policy (a late policy change, an unscored attempt, an
    attempt left open), a quiz retired after an attempt, SCORM scores counted in the grade."""
    slugs = ("intro-programming", "vat-ly-lop-10", "toan-lop-6")
    courses = list(session.scalars(select(Course).where(Course.slug.in_(slugs))))
    by_slug = {c.slug: c for c in courses}
    quizzes: dict[int, list[Quiz]] = defaultdict(list)
    for quiz in session.scalars(select(Quiz).order_by(Quiz.id)):
        quizzes[quiz.course_id].append(quiz)
    physics = by_slug["vat-ly-lop-10"]
    session.execute(
        update(ScormPackage)
        .where(ScormPackage.course_id == physics.id)
        .values(counts_in_grade=True, weight=2)
    )
    packages = session.scalars(
        select(ScormPackage.id).where(ScormPackage.course_id == physics.id)
    ).all()
    assert packages, "the physics course's SCORM package"
    people = [make_user(session, name=f"Learner {n}").id for n in range(8)]
    for n, user_id in enumerate(people):
        for course in courses:
            lectures = ordered_lectures(session, course)
            done = lectures[: (len(lectures) * n) // 7]
            if done:
                session.execute(
                    insert(LectureProgress),
                    [
                        {
                            "user_id": user_id,
                            "lecture_id": lec.id,
                            "course_id": course.id,
                            "done_at": utcnow(),
                        }
                        for lec in done
                    ],
                )
            for q, quiz in enumerate(quizzes[course.id]):
                policies = (AttemptPolicy.BEST, AttemptPolicy.LAST)
                scores = [None, 20.0, 95.0, 55.0, 70.0, 100.0, 10.0, 65.0]
                rows = [
                    _attempt(
                        user_id,
                        quiz,
                        number,
                        scores[(n + q + number) % len(scores)],
                        policies[(n + number) % 2],
                    )
                    for number in range(1, n % 4 + 1)
                ]
                if rows:
                    session.execute(insert(QuizAttempt), rows)
        for package_id in packages if n % 3 else []:
            session.execute(
                insert(ScormState),
                [
                    {"user_id": user_id, "package_id": package_id, "sco": f"sco-{k}", "score": s}
                    for k, s in enumerate([40.0 + 7 * n, None if n % 2 else 81.5])
                ],
            )
    session.flush()
    # Retired after the learners worked on them: a quiz with attempts, a lecture done.
    first_quiz = quizzes[by_slug["intro-programming"].id][0]
    session.execute(
        update(Quiz).where(Quiz.id == first_quiz.id).values(retired_at=utcnow(), section_id=None)
    )
    retired = ordered_lectures(session, by_slug["toan-lop-6"])[0]
    session.execute(
        update(Lecture).where(Lecture.id == retired.id).values(retired_at=utcnow(), section_id=None)
    )
    session.flush()
    seen = set()
    for user_id in people:
        apart = _statuses_read_apart(session, user_id, courses)
        with counting(db.engine) as sent:
            together = course_statuses(session, user_id, courses)
        assert len(sent) == 1, sent.text()
        assert together == apart
        seen.update((s.complete, s.percent) for s in together.values())
    assert len(seen) > 3  # the cases differ: not all nothing or all done
