"""The quiz pages cost a few statements whatever the quiz's size: the overview counts the
questions in SQL and checks the session, course, quiz and enrolment in one statement; a learner's
attempts are read once; an attempt is read with its quiz and course. Permissions stay as they
were: not enrolled, no such or a retired quiz, a draft course, someone else's attempt."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts import services as account_services
from mooc.assessment.models import Question, QuestionKind, Quiz
from mooc.catalog.models import Course, CourseStatus
from mooc.db import utcnow
from mooc.extensions import db
from tests.integration.learning.learners import Browser, Form, attempt, browse, right_answers
from tests.querycount import Statements, counting

COURSE, QUIZ = "toan-lop-6", "kiem-tra-toan-6"
OVERVIEW = f"/courses/{COURSE}/quizzes/{QUIZ}"
SMALL, LARGE = 3, 60
# A pupil in no class, warm: the overview's one statement, their attempts, the quiz's due date
# (the schools' provider: their classes); start: the person, the course and quiz, their
# attempts, the questions, the insert; an attempt: the person, the attempt with its quiz and
# course, the header's unread count; the result: the same, their attempts and the due date;
# the submit: the grading, the learners' standing, xAPI statements and the completion rule.
BUDGETS = {"overview": 3, "start": 5, "attempt": 3, "submit": 17, "result": 5}


def _quiz(session: Session) -> Quiz:
    return session.scalars(
        select(Quiz).join(Course).where(Course.slug == COURSE, Quiz.slug == QUIZ)
    ).one()


def _more_questions(session: Session, quiz: Quiz, count: int) -> int:
    """`count` more one-answer questions on the quiz; how many it has now."""
    last = session.scalar(select(func.max(Question.position)).where(Question.quiz_id == quiz.id))
    options = [{"text": "đúng", "correct": True}, {"text": "sai", "correct": False}]
    session.execute(
        insert(Question),
        [
            {
                "quiz_id": quiz.id,
                "position": (last or 0) + n + 1,
                "kind": QuestionKind.SINGLE,
                "prompt": f"Câu hỏi thêm {n}",
                "points": 1,
                "data": {"options": options},
            }
            for n in range(count)
        ],
    )
    session.commit()
    total = session.scalar(select(func.count(Question.id)).where(Question.quiz_id == quiz.id))
    return int(total or 0)


def _counted(
    learner: Browser, session: Session, url: str, form: Form | None = None
) -> tuple[TestResponse, str, Statements]:
    """The page at `url` (posted when given a form) and the statements it sent."""
    session.expire_all()
    with counting(db.engine) as sent:
        response = learner.get(url) if form is None else learner.post(url, form)
        body = response.get_data(as_text=True)
    assert response.status_code in (200, 303), (url, response.status_code)
    return response, body, sent


def test_the_quiz_pages_cost_the_same_for_few_or_many_questions(
    app: Flask, session: Session
) -> None:
    quiz = _quiz(session)
    costs: dict[int, dict[str, Statements]] = {}
    for size in (SMALL, LARGE):
        total = _more_questions(session, quiz, size)
        learner = browse(app.test_client(), session)
        learner.enrol(COURSE)
        learner.get(OVERVIEW)  # the pages' statements built, the header kept
        _, page, overview = _counted(learner, session, OVERVIEW)
        assert f"{total} questions" in page and "3 attempts left" in page
        assert not any(sql.startswith("SELECT question.") for sql in overview.sql), overview.text()
        started, _, start = _counted(learner, session, f"{OVERVIEW}/start", {})
        found = attempt(session, started)
        _, page, taking = _counted(learner, session, f"/attempts/{found.id}")
        assert "Câu hỏi thêm" in page
        _, _, submit = _counted(
            learner, session, f"/attempts/{found.id}/submit", right_answers(found)
        )
        _, page, result = _counted(learner, session, f"/attempts/{found.id}/result")
        assert "Passed" in page and "Attempt 1: 100%" in page
        costs[size] = {
            "overview": overview,
            "start": start,
            "attempt": taking,
            "submit": submit,
            "result": result,
        }
        for name, budget in BUDGETS.items():
            assert len(costs[size][name]) <= budget, (name, costs[size][name].text())
    for name in BUDGETS:
        assert len(costs[SMALL][name]) == len(costs[LARGE][name]), costs[LARGE][name].text()


def test_only_an_enrolled_learner_reaches_a_live_quiz(app: Flask, session: Session) -> None:
    learner = browse(app.test_client(), session)
    assert learner.get(OVERVIEW).status_code == 403  # not enrolled
    assert learner.start(COURSE, QUIZ).status_code == 403
    learner.enrol(COURSE)
    assert learner.get(OVERVIEW).status_code == 200
    assert learner.get(f"/courses/{COURSE}/quizzes/no-such-quiz").status_code == 404
    assert learner.get(f"/courses/no-such-course/quizzes/{QUIZ}").status_code == 404
    quiz = _quiz(session)
    session.execute(
        update(Quiz).where(Quiz.id == quiz.id).values(retired_at=utcnow(), section_id=None)
    )
    session.commit()
    assert learner.get(OVERVIEW).status_code == 404  # retired: out of the course
    assert learner.start(COURSE, QUIZ).status_code == 404


def test_a_draft_course_hides_its_quiz(app: Flask, session: Session) -> None:
    learner = browse(app.test_client(), session)
    learner.enrol(COURSE)
    session.execute(update(Course).where(Course.slug == COURSE).values(status=CourseStatus.DRAFT))
    session.commit()
    assert learner.get(OVERVIEW).status_code == 404


def test_an_ended_session_is_sent_to_log_in_from_the_quiz_page(
    app: Flask, session: Session
) -> None:
    learner = browse(app.test_client(), session)
    learner.enrol(COURSE)
    assert learner.get(OVERVIEW).status_code == 200
    account_services.end_sessions(learner.user)
    session.commit()
    response = learner.get(OVERVIEW)
    assert response.status_code == 302 and "/login" in response.location


def test_someone_elses_attempt_is_not_found(app: Flask, session: Session) -> None:
    learner = browse(app.test_client(), session)
    other = browse(app.test_client(), session)
    for person in (learner, other):
        person.enrol(COURSE)
    found = attempt(session, learner.start(COURSE, QUIZ))
    for url in (f"/attempts/{found.id}", f"/attempts/{found.id}/result"):
        assert other.get(url).status_code == 404
    assert other.post(f"/attempts/{found.id}/submit", right_answers(found)).status_code == 404
    assert learner.get(f"/attempts/{found.id}").status_code == 200
