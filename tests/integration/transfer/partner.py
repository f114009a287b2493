"""Credit transfer for tests: a partner university (Đại học Đà Nẵng) with its staff, trust list
and rules, students with signed records of the seed courses, sending them, deciding on them, and
the platform's verifier offline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Role, User
from mooc.credentials.issuers import institution_by_slug, issuer_did
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import issue_completion_record
from mooc.credentials.verification import PlatformVerifier
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import Agreement, Outcome, RequestItem
from mooc.transfer.services import rules, trust
from mooc.transfer.services.decisions import decide
from mooc.transfer.services.requests import SendResult, send_records
from mooc.transfer.services.rules import RuleSpec
from tests.factories import complete, make_user
from tests.helpers import BASE_URL, context, platform_verifier

ISSUING = "dai-hoc-mo-ha-noi"  # issues the seed university courses
PARTNER = "dai-hoc-da-nang"  # recognises them
INTRO = "intro-programming"  # INT1001, 3 credits, 150 hours
STATS = "xac-suat-thong-ke"  # MAT2002, 2 credits, 100 hours
TODAY = dt.datetime.now(dt.UTC).date()


def verifier(app: Flask, session: Session) -> PlatformVerifier:
    """The platform's verifier, offline (this platform's issuers and status lists, did:key)."""
    return platform_verifier(app, session, network=False)


def issue(app: Flask, session: Session, user: User, slug: str = STATS) -> IssuedCredential:
    """`user` completes `slug` and gets its signed record."""
    record = issue_completion_record(session, complete(session, user, slug), context(app))
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


def sent_item(app: Flask, session: Session, learner, record) -> RequestItem:  # type: ignore[no-untyped-def]
    result = send(app, session, learner, record)
    return result.request.items[0]


def decide_item(app: Flask, session: Session, officer, item, outcome, **options):  # type: ignore[no-untyped-def]
    return decide(
        session,
        officer,
        partner(session),
        item,
        outcome=outcome,
        verifier=verifier(app, session),
        context=context(app),
        today=TODAY,
        **options,
    )


def recognised(
    app: Flask, session: Session, officer: User, learner: User, record: IssuedCredential
) -> RequestItem:
    """`learner` sends `record` to the partner university and `officer` accepts it: the item, its
    recognition record issued."""
    item = sent_item(app, session, learner, record)
    decide_item(app, session, officer, item, Outcome.ACCEPTED)
    return item


@dataclass(frozen=True)
class Recognised:
    """A student's record (`source`) recognised by the partner university: the item decided and
    its signed recognition `record`."""

    learner: User
    officer: User
    source: IssuedCredential
    item: RequestItem
    record: IssuedCredential


def recognise(app: Flask, session: Session, officer_email: str) -> Recognised:
    """A student completes the statistics course; the partner's staff member (`officer_email`)
    recognises the record."""
    learner, officer = student(session), staff(session, email=officer_email)
    source = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = recognised(app, session, officer, learner, source)
    record = item.decisions[0].credential
    assert record is not None
    return Recognised(learner, officer, source, item, record)
