"""The demo's credit transfer: Đại học Đà Nẵng (staff: verifier@demo.test) trusts Trường Đại
học Mở Hà Nội and recognises its two seed university courses, and the demo student's completed
course record waits in its queue. Idempotent: only what is missing is added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog.models import Course
from mooc.credentials.issuers import institution_by_slug, issuer_did
from mooc.credentials.models import IssuedCredential
from mooc.learning.models import Completion
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import Agreement
from mooc.transfer.services import rules, trust
from mooc.transfer.services.evaluation import RecordVerifier
from mooc.transfer.services.requests import send_records

PARTNER = "dai-hoc-da-nang"
ISSUER = "dai-hoc-mo-ha-noi"
AGREEMENT = "Trường Đại học Mở Hà Nội — học phần trực tuyến"
SENT_COURSE = "xac-suat-thong-ke"


def _rules(did: str) -> tuple[rules.RuleSpec, ...]:
    return (
        rules.RuleSpec(
            issuer_did=did,
            code_pattern="INT1001",
            local_course_code="IT1010",
            local_course_title="Nhập môn lập trình",
            method=Method.BY_HOURS,
            hours_per_credit=Decimal(50),
            min_grade=Decimal(50),
            max_age_days=5 * 365,
        ),
        rules.RuleSpec(
            issuer_did=did,
            code_pattern="MAT2002",
            local_course_code="MA2020",
            local_course_title="Xác suất thống kê",
            method=Method.SAME,
            min_grade=Decimal(50),
            max_age_days=5 * 365,
        ),
    )


def _user(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def _completed_record(session: Session, student: User) -> IssuedCredential | None:
    return session.scalar(
        select(IssuedCredential)
        .join(Completion, Completion.id == IssuedCredential.completion_id)
        .join(Course, Course.id == Completion.course_id)
        .where(IssuedCredential.user_id == student.id, Course.slug == SENT_COURSE)
    )


def load_demo_transfer(
    session: Session, *, base_url: str, verifier: RecordVerifier, today: dt.date
) -> list[str]:
    """Trust, agreement, rules and the student's pending request; returns what was added."""
    notes = []
    university = institution_by_slug(session, PARTNER)
    officer = _user(session, "verifier@demo.test")
    did = issuer_did(base_url, institution_by_slug(session, ISSUER))
    if did not in trust.trusted_dids(session, university, base_url):
        trust.add_trusted_issuer(
            session, university, officer, did=did, name="Trường Đại học Mở Hà Nội"
        )
        notes.append(f"{PARTNER} trusts {ISSUER}")
    agreement = session.scalar(
        select(Agreement).where(
            Agreement.institution_id == university.id, Agreement.name == AGREEMENT
        )
    )
    if agreement is None:
        agreement = rules.create_agreement(
            session,
            university,
            officer,
            name=AGREEMENT,
            partner="Trường Đại học Mở Hà Nội",
            credit_cap=Decimal(30),
        )
        notes.append(f"agreement {AGREEMENT!r}")
    present = {rule.current.local_course_code for rule in agreement.rules if not rule.retired_at}
    for spec in _rules(did):
        if spec.local_course_code not in present:
            rules.create_rule(session, agreement, officer, spec)
            notes.append(f"rule {spec.code_pattern} → {spec.local_course_code}")
    student = _user(session, "student@demo.test")
    record = _completed_record(session, student)
    if record is not None:
        result = send_records(
            session,
            student,
            university,
            [record.uuid],
            message="Em xin công nhận tín chỉ học phần Xác suất và Thống kê.",
            verifier=verifier,
            base_url=base_url,
            today=today,
        )
        if result.created:
            notes.append(f"request {result.request.id} from student@demo.test to {PARTNER}")
    return notes
