"""A learner's progress through the services: finishing a lecture or submitting a quiz records
its learning events and, when it is the last step, the course's completion — in the service, so
every caller (page, API, command) gets the same events and the same completion."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.learning import services
from mooc.learning.models import Completion, XapiStatement
from mooc.learning.queries import ordered_lectures
from mooc.learning.xapi import VERBS
from tests.factories import make_user, right_answer, seed_course, study
from tests.helpers import BASE_URL
from tests.integration.learning.learners import MATH


def _statements(session: Session, user: User, verb: str) -> int:
    query = select(func.count()).where(
        XapiStatement.user_id == user.id, XapiStatement.verb == VERBS[verb]
    )
    return session.scalar(query) or 0


def _quiz(session: Session, slug: str) -> Quiz:
    course = seed_course(session, slug)
    return session.scalars(select(Quiz).where(Quiz.course_id == course.id)).one()


def test_a_submitted_quiz_records_each_answer_and_its_result_once(session: Session) -> None:
    learner = make_user(session)
    services.enrol(session, learner, seed_course(session, MATH))
    attempt = quizzes.start_attempt(session, learner, _quiz(session, MATH))
    answers = {int(q["id"]): right_answer(q) for q in attempt.questions}

    first = services.submit_quiz(session, learner, attempt, answers, base_url=BASE_URL)
    replay = services.submit_quiz(session, learner, attempt, answers, base_url=BASE_URL)

    assert first.newly_graded and not replay.newly_graded
    assert _statements(session, learner, "answered") == len(attempt.questions) > 0
    assert _statements(session, learner, "passed") == 1
    assert first.completion is None  # the lectures are not done yet
    assert replay.completion is None


def test_finishing_the_last_lecture_completes_the_course_once(session: Session) -> None:
    learner = make_user(session)
    course = study(session, learner, MATH, leave_last=True)  # every quiz passed
    last = ordered_lectures(session, course)[-1]
    assert last.published_version is not None

    completion = services.finish_lecture(
        session, learner, last, last.published_version, base_url=BASE_URL
    )
    again = services.finish_lecture(
        session, learner, last, last.published_version, base_url=BASE_URL
    )

    assert completion is not None and completion.course_id == course.id
    assert again is None
    assert _statements(session, learner, "completed") == 1


def test_passing_the_quiz_after_the_lectures_completes_the_course(session: Session) -> None:
    learner = make_user(session)
    course = seed_course(session, MATH)
    services.enrol(session, learner, course)
    for lecture in ordered_lectures(session, course):
        assert lecture.published_version is not None
        finished = services.finish_lecture(
            session, learner, lecture, lecture.published_version, base_url=BASE_URL
        )
        assert finished is None  # the quiz is still to pass
    attempt = quizzes.start_attempt(session, learner, _quiz(session, MATH))
    answers = {int(q["id"]): right_answer(q) for q in attempt.questions}

    submitted = services.submit_quiz(session, learner, attempt, answers, base_url=BASE_URL)

    assert submitted.completion is not None
    stored = session.scalars(select(Completion).where(Completion.user_id == learner.id)).all()
    assert [c.id for c in stored] == [submitted.completion.id]
