"""Quiz settings a teacher needs: when the right answers show (checked on the page a pupil
gets), shuffled options stable within an attempt, and a pool of N questions per attempt."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.assessment.models import QuizAttempt, RevealPolicy
from mooc.catalog.models import CourseTeacher
from mooc.db import utcnow
from mooc.markup import render_inline
from mooc.schools.models import Assignment, AssignmentKind
from tests.factories import make_user
from tests.integration.schools.classrooms import (
    MATH,
    MATH_QUIZ,
    Browser,
    Classroom,
    browser_of,
    course,
    quiz,
    right_answers,
)

START = f"/courses/{MATH}/quizzes/{MATH_QUIZ}/start"


def _pupil(app: Flask, session: Session, room: Classroom, n: int = 0) -> Browser:
    pupil = browser_of(app, room.pupils[n])
    assert pupil.post(f"/courses/{MATH}/enrol").status_code == 303
    return pupil


def _take(pupil: Browser, session: Session) -> tuple[QuizAttempt, str]:
    """One attempt, answered right; the result page it leads to."""
    started = pupil.post(START)
    attempt = session.get(QuizAttempt, int(started.location.rsplit("/", 1)[1]))
    assert attempt is not None
    session.refresh(attempt)
    pupil.post(f"/attempts/{attempt.id}/submit", right_answers(attempt))
    return attempt, pupil.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)


def _explanations(attempt: QuizAttempt) -> list[str]:
    return [str(render_inline(q["explanation"])) for q in attempt.questions if q["explanation"]]


def _reveals(page: str, attempt: QuizAttempt) -> bool:
    shown = [e in page for e in _explanations(attempt)]
    right = "(right answer)" in page or "Correct" in page or "Expected:" in page
    assert all(shown) == any(shown) == right, "answers partly shown"
    return right


def test_by_default_answers_show_only_after_the_last_attempt(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    found = quiz(session)
    assert found.reveal is RevealPolicy.AFTER_LAST  # the migration's default, for seed quizzes
    found.max_attempts = 2
    session.commit()
    pupil = _pupil(app, session, classroom)
    first, page = _take(pupil, session)
    assert not _reveals(page, first)
    assert "100%" in page  # the score is always shown
    assert "once you have no attempts left" in page
    second, page = _take(pupil, session)
    assert _reveals(page, second)
    # …and the first attempt's page now shows them too.
    assert _reveals(pupil.get(f"/attempts/{first.id}/result").get_data(as_text=True), first)


def test_an_open_last_attempt_keeps_the_answers_of_earlier_ones_hidden(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    quiz(session).max_attempts = 2
    session.commit()
    pupil = _pupil(app, session, classroom)
    first, _ = _take(pupil, session)
    pupil.post(START)  # the second and last attempt is open, not submitted
    page = pupil.get(f"/attempts/{first.id}/result").get_data(as_text=True)
    assert not _reveals(page, first)


def test_after_each_and_never(app: Flask, session: Session, classroom: Classroom) -> None:
    found = quiz(session)
    found.reveal = RevealPolicy.AFTER_EACH
    session.commit()
    pupil = _pupil(app, session, classroom)
    attempt, page = _take(pupil, session)
    assert _reveals(page, attempt)

    found.reveal = RevealPolicy.NEVER
    found.max_attempts = 1
    session.commit()
    page = pupil.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert not _reveals(page, attempt)
    assert "100%" in page


def test_after_the_due_date_of_the_pupils_assignment(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    found = quiz(session)
    found.reveal = RevealPolicy.AFTER_DUE
    found.max_attempts = 1
    assignment = Assignment(
        class_id=classroom.school_class.id,
        course_id=course(session).id,
        kind=AssignmentKind.QUIZ,
        quiz_id=found.id,
        due_at=utcnow() + dt.timedelta(days=1),
    )
    session.add(assignment)
    session.commit()
    pupil = _pupil(app, session, classroom)
    attempt, page = _take(pupil, session)
    assert not _reveals(page, attempt)  # no attempt left, but the class's due date is ahead
    assert "after the due date" in page

    assignment.due_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    page = pupil.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert _reveals(page, attempt)


def test_after_the_due_date_without_an_assignment_waits_for_the_last_attempt(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    found = quiz(session)
    found.reveal = RevealPolicy.AFTER_DUE
    found.max_attempts = 2
    session.commit()
    pupil = _pupil(app, session, classroom)
    first, page = _take(pupil, session)
    assert not _reveals(page, first)
    second, page = _take(pupil, session)
    assert _reveals(page, second)


def _shown_options(page: str, question_id: int) -> list[str]:
    return re.findall(rf'name="q{question_id}" value="(\d+)"', page)


def test_shuffled_options_are_stable_for_an_attempt_and_graded_by_meaning(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    found = quiz(session)
    found.shuffle_options = True
    found.shuffle_questions = True
    found.max_attempts = None
    session.commit()
    pupil = _pupil(app, session, classroom)
    orders = set()
    for _ in range(4):
        started = pupil.post(START)
        attempt = session.get(QuizAttempt, int(started.location.rsplit("/", 1)[1]))
        assert attempt is not None
        session.refresh(attempt)
        assert attempt.option_order
        choice = next(q for q in attempt.questions if q["kind"] in ("single", "multiple"))
        stored = attempt.option_order[str(choice["id"])]
        first = pupil.get(started.location).get_data(as_text=True)
        again = pupil.get(started.location).get_data(as_text=True)
        assert _shown_options(first, choice["id"]) == [str(i) for i in stored]
        assert _shown_options(again, choice["id"]) == [str(i) for i in stored]
        orders.add((tuple(q["id"] for q in attempt.questions), tuple(stored)))
        pupil.post(f"/attempts/{attempt.id}/submit", right_answers(attempt))
        session.refresh(attempt)
        assert attempt.score == 100.0
    assert len(orders) > 1  # four attempts, not all in the same order


def test_a_pool_draws_n_questions_and_grades_only_those(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    found = quiz(session)
    total = len(found.questions)
    found.pool_size = 3
    found.max_attempts = None
    session.commit()
    pupil = _pupil(app, session, classroom)
    overview = pupil.get(f"/courses/{MATH}/quizzes/{MATH_QUIZ}").get_data(as_text=True)
    assert "Each attempt draws 3 of these questions at random." in overview
    started = pupil.post(START)
    attempt = session.get(QuizAttempt, int(started.location.rsplit("/", 1)[1]))
    assert attempt is not None
    session.refresh(attempt)
    assert len(attempt.questions) == 3 < total
    page = pupil.get(started.location).get_data(as_text=True)
    assert page.count('<fieldset class="question">') == 3
    answers = right_answers(attempt)
    first = next(iter(answers))
    del answers[first]  # one of three unanswered: two thirds of the points
    pupil.post(f"/attempts/{attempt.id}/submit", answers)
    session.refresh(attempt)
    points = {q["id"]: q["points"] for q in attempt.questions}
    missed = points[int(first[1:])]
    assert attempt.score == round(100 * (sum(points.values()) - missed) / sum(points.values()), 2)


def test_the_quiz_builder_saves_the_settings_and_checks_the_pool(
    app: Flask, session: Session
) -> None:
    author = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    session.add(CourseTeacher(course_id=course(session).id, user_id=author.id))
    session.commit()
    browser = browser_of(app, author)
    url = f"/author/courses/{MATH}/quizzes/{MATH_QUIZ}/edit"
    response = browser.get(url)
    page = response.get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="after_last"', page)
    found = quiz(session)
    base = {
        "title": found.title,
        "pass_mark": "60",
        "weight": "1",
        "required": "y",
        "max_attempts": "3",
        "policy": "best",
        "reveal": "after_due",
        "shuffle_options": "y",
        "pool_size": "99",
    }
    response = browser.post(url, base)
    assert response.status_code == 422
    assert "Draw 1 to 10 questions" in response.get_data(as_text=True)
    session.refresh(found)
    assert found.pool_size is None
    assert browser.post(url, {**base, "pool_size": "5"}).status_code == 303
    session.refresh(found)
    assert (found.reveal, found.shuffle_options, found.shuffle_questions, found.pool_size) == (
        RevealPolicy.AFTER_DUE,
        True,
        False,
        5,
    )
    assert session.scalars(select(QuizAttempt)).first() is None
