"""Helpers of the credentials tests (this module holds no test): a learner completing a course
through the learning services, the platform's verifier."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import issue_completion_record
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy
from mooc.learning import services as learning
from mooc.learning.models import Completion
from mooc.learning.queries import ordered_lectures
from tests.factories import right_answer
from tests.helpers import context

BASE_URL = "http://mooc.test"
UNIVERSITY_COURSE = "xac-suat-thong-ke"  # dai-hoc-mo-ha-noi, 2 credits, 100 hours
SCHOOL_COURSE = "tieng-viet-lop-1"  # a grade 1 course of a primary school


def course(session: Session, slug: str) -> Course:
    return session.scalars(select(Course).where(Course.slug == slug)).one()


def study(session: Session, user: User, slug: str, *, leave_last: bool = False) -> Course:
    """Enrol `user`, finish the lectures (all, or all but the last) and pass every quiz."""
    found = course(session, slug)
    learning.enrol(session, user, found)
    lectures = ordered_lectures(session, found)
    for lecture in lectures[:-1] if leave_last else lectures:
        assert lecture.published_version is not None
        learning.mark_done(session, user, lecture, lecture.published_version, base_url=BASE_URL)
    for quiz in session.scalars(select(Quiz).where(Quiz.course_id == found.id)):
        attempt = quizzes.start_attempt(session, user, quiz)
        answers = {int(q["id"]): right_answer(q) for q in attempt.questions}
        quizzes.submit_attempt(session, attempt, answers)
    session.flush()
    return found


def complete(session: Session, user: User, slug: str = UNIVERSITY_COURSE) -> Completion:
    found = study(session, user, slug)
    completion = learning.complete_course_if_earned(session, user, found, base_url=BASE_URL)
    assert completion is not None
    return completion


def issue(
    app: Flask, session: Session, user: User, slug: str = UNIVERSITY_COURSE
) -> IssuedCredential:
    """`user` completes the course and gets its signed record (committed)."""
    record = issue_completion_record(session, complete(session, user, slug), context(app))
    session.commit()
    return record


def verifier(
    app: Flask, session: Session, cache: StatusListCache | None = None, **policy: Any
) -> PlatformVerifier:
    """The platform's verifier with `policy` (allowlist, max age, network) over `cache`."""
    settings = app.config["MOOC_SETTINGS"]
    return PlatformVerifier(
        session,
        VerificationPolicy(base_url=settings.base_url, **policy),
        cache=cache or StatusListCache(),
    )


def records_of(session: Session, user: User) -> list[IssuedCredential]:
    return list(
        session.scalars(select(IssuedCredential).where(IssuedCredential.user_id == user.id))
    )
