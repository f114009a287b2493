"""Đà Nẵng's agreement with Mở Hà Nội, which the transfer, holder and presentation journeys share:
the issuer trusted and one rule turning INT1001 into IT1010 at 50 hours a credit."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.transfer.core.conversion import Method
from mooc.transfer.services import rules, trust

MO_HA_NOI = "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi"


def agree_with_mo_ha_noi(
    session: Session, university: Institution, officer: User, *, min_grade: Decimal | None = None
) -> None:
    trust.add_trusted_issuer(
        session, university, officer, did=MO_HA_NOI, name="Trường Đại học Mở Hà Nội"
    )
    agreement = rules.create_agreement(
        session, university, officer, name="Mở Hà Nội", credit_cap=Decimal(30)
    )
    rules.create_rule(
        session,
        agreement,
        officer,
        rules.RuleSpec(
            issuer_did=MO_HA_NOI,
            code_pattern="INT1001",
            local_course_code="IT1010",
            local_course_title="Nhập môn lập trình",
            method=Method.BY_HOURS,
            hours_per_credit=Decimal(50),
            min_grade=min_grade,
        ),
    )
