"""Racing completions: many requests finishing the same course at once record it exactly once.

This needs really committed data and parallel connections, so it builds a database of its own
(migrations + seed content) instead of using the rolled-back test transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from mooc.accounts.models import User
from mooc.accounts.services import register
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.learning import queries, services
from mooc.learning.models import Completion, XapiStatement
from mooc.learning.queries import ordered_lectures
from mooc.learning.xapi import VERBS
from tests.factories import right_answer
from tests.helpers import app_with_committed_content

BASE = "http://mooc.test"
SLUG = "tieng-viet-lop-1"
THREADS = 8


@pytest.fixture
def committed_app(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Flask]:
    """The application on a database of its own, with the seed content really committed."""
    app = app_with_committed_content(fresh_database_url(backend), tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def learner_who_met_the_rule(app: Flask) -> tuple[int, int]:
    """A learner who finished every lecture and passed the quiz, but holds no completion yet."""
    with app.app_context():
        session = db.session
        user = register(session, email="racer@example.test", password="x" * 12, name="Racer")
        course = session.scalars(select(Course).where(Course.slug == SLUG)).one()
        services.enrol(session, user, course)
        for lecture in ordered_lectures(session, course):
            assert lecture.published_version is not None
            services.mark_done(session, user, lecture, lecture.published_version, base_url=BASE)
        for quiz in session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
            attempt = quizzes.start_attempt(session, user, quiz)
            answers = {int(q["id"]): right_answer(q) for q in attempt.questions}
            assert quizzes.submit_attempt(session, attempt, answers).attempt.passed
        session.commit()
        assert queries.course_status(session, user.id, course).complete
        assert queries.completion(session, user.id, course.id) is None
        return user.id, course.id


def test_parallel_completions_record_exactly_one(committed_app: Flask) -> None:
    user_id, course_id = learner_who_met_the_rule(committed_app)
    barrier = threading.Barrier(THREADS)
    returned: list[int | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def finish() -> None:
        try:
            with committed_app.app_context():
                user = db.session.get(User, user_id)
                course = db.session.get(Course, course_id)
                assert user is not None and course is not None
                # End the read first: on SQLite every transaction holds the write lock.
                db.session.rollback()
                barrier.wait(timeout=30)
                record = services.complete_course_if_earned(db.session, user, course, base_url=BASE)
                db.session.commit()
                with lock:
                    returned.append(None if record is None else record.id)
        except BaseException as exc:  # every failure is reported by the assertions below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=finish) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(returned) == THREADS
    with committed_app.app_context():
        rows = db.session.scalars(
            select(Completion).where(
                Completion.user_id == user_id, Completion.course_id == course_id
            )
        ).all()
        assert len(rows) == 1
        assert rows[0].final_grade == 100.0
        assert sorted(returned, key=lambda r: r or 0) == [None] * (THREADS - 1) + [rows[0].id]
        completed = db.session.scalar(
            select(func.count())
            .select_from(XapiStatement)
            .where(XapiStatement.user_id == user_id, XapiStatement.verb == VERBS["completed"])
        )
        assert completed == 1
