"""Helpers of the transfer tests (this module holds no test): learners completing seed courses
through the services, a partner university (Đại học Đà Nẵng) with its staff, trust list and
rules, and the platform's verifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Role, User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.credentials.issuers import institution_by_slug, issuer_did
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import issue_completion_record
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy
from mooc.learning import services as learning
from mooc.learning.queries import ordered_lectures
from mooc.transfer import rules, trust
from mooc.transfer.conversion import Method
from mooc.transfer.models import Agreement
from mooc.transfer.requests import SendResult, send_records
from mooc.transfer.rules import RuleSpec
from tests.factories import make_user, right_answer
from tests.helpers import context

T = TypeVar("T")
BASE_URL = "http://mooc.test"
ISSUING = "dai-hoc-mo-ha-noi"  # issues the seed university courses
PARTNER = "dai-hoc-da-nang"  # recognises them
INTRO = "intro-programming"  # INT1001, 3 credits, 150 hours
STATS = "xac-suat-thong-ke"  # MAT2002, 2 credits, 100 hours
TODAY = dt.datetime.now(dt.UTC).date()


def in_language(app: Flask, language: str, func: Callable[..., T], *args: Any) -> T:
    """`func(*args)` in a request whose browser asks for `language` (no cached locale)."""
    with app.test_request_context(headers={"Accept-Language": language}):
        g.pop("_flask_babel", None)
        try:
            return func(*args)
        finally:
            g.pop("_flask_babel", None)


def verifier(app: Flask, session: Session) -> PlatformVerifier:
    """The platform's verifier, offline (this platform's issuers and status lists, did:key)."""
    settings = app.config["MOOC_SETTINGS"]
    return PlatformVerifier(
        session,
        VerificationPolicy(base_url=settings.base_url, network=False),
        cache=StatusListCache(),
    )


def complete_course(session: Session, user: User, slug: str) -> None:
    """`user` enrols, reads every lecture and passes every quiz of the course `slug`."""
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    learning.enrol(session, user, course)
    for lecture in ordered_lectures(session, course):
        assert lecture.published_version is not None
        learning.mark_done(session, user, lecture, lecture.published_version, base_url=BASE_URL)
    for quiz in session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
        attempt = quizzes.start_attempt(session, user, quiz)
        answers = {int(q["id"]): right_answer(q) for q in attempt.questions}
        quizzes.submit_attempt(session, attempt, answers)
    completion = learning.complete_course_if_earned(session, user, course, base_url=BASE_URL)
    assert completion is not None


def issue(app: Flask, session: Session, user: User, slug: str = STATS) -> IssuedCredential:
    """`user` completes `slug` and gets its signed record."""
    complete_course(session, user, slug)
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    completion = learning.completion(session, user.id, course.id)
    assert completion is not None
    record = issue_completion_record(session, completion, context(app))
    session.flush()
    return record


def student(session: Session, email: str | None = None, locale: str = "en") -> User:
    user = make_user(session, (ISSUING, Role.STUDENT), email=email, name="Lò Thị Mai")
    user.locale = locale
    return user


def staff(
    session: Session, slug: str = PARTNER, email: str | None = None, locale: str = "en"
) -> User:
    user = make_user(session, (slug, Role.STAFF), email=email, name="Trần Thị Bình")
    user.locale = locale
    return user


def partner(session: Session) -> Institution:
    return institution_by_slug(session, PARTNER)


def send(app: Flask, session: Session, learner: User, *records: IssuedCredential) -> SendResult:
    """`learner` sends `records` to the partner university, without a message, verified offline."""
    return send_records(
        session,
        learner,
        partner(session),
        [record.uuid for record in records],
        message="",
        verifier=verifier(app, session),
        base_url=BASE_URL,
        today=TODAY,
    )


def issuing_did() -> str:
    return f"did:web:mooc.test:institutions:{ISSUING}"


def intro_rule(**changes: Any) -> RuleSpec:
    values: dict[str, Any] = {
        "issuer_did": issuing_did(),
        "local_course_code": "IT1010",
        "local_course_title": "Nhập môn lập trình",
        "method": Method.BY_HOURS,
        "code_pattern": "INT1001",
        "hours_per_credit": Decimal(50),
        "min_grade": Decimal(50),
        "max_age_days": 5 * 365,
    }
    values.update(changes)
    return RuleSpec(**values)


def stats_rule(**changes: Any) -> RuleSpec:
    values: dict[str, Any] = {
        "issuer_did": issuing_did(),
        "local_course_code": "MA2020",
        "local_course_title": "Xác suất thống kê",
        "method": Method.SAME,
        "code_pattern": "MAT2002",
        "min_grade": Decimal(50),
    }
    values.update(changes)
    return RuleSpec(**values)


def set_up_partner(
    session: Session, officer: User, *, cap: Decimal | None = Decimal(30)
) -> Agreement:
    """Đại học Đà Nẵng trusts the issuing university and recognises both seed courses."""
    university = partner(session)
    trust.add_trusted_issuer(
        session, university, officer, did=issuing_did(), name="Trường Đại học Mở Hà Nội"
    )
    agreement = rules.create_agreement(
        session,
        university,
        officer,
        name="Đại học Mở Hà Nội",
        partner="Trường Đại học Mở Hà Nội",
        credit_cap=cap,
    )
    rules.create_rule(session, agreement, officer, intro_rule())
    rules.create_rule(session, agreement, officer, stats_rule())
    session.flush()
    return agreement


def did_of(session: Session, slug: str) -> str:
    return issuer_did(BASE_URL, institution_by_slug(session, slug))
