"""The demo's credit transfer, loaded by `flask demo load` (twice: nothing is added again)."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.transfer.models import Agreement, ItemState, RequestItem, TransferRequest
from mooc.transfer.services import trust
from tests.helpers import BASE_URL, login, signing_settings
from tests.integration.transfer.partner import partner


def test_demo_load_sets_up_the_partner_university_and_a_pending_request(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    with signing_settings(app, demo=True):
        first = app.test_cli_runner().invoke(args=["demo", "load"])
        assert first.exit_code == 0, first.output
        assert "request" in first.output
        second = app.test_cli_runner().invoke(args=["demo", "load"])
        assert second.exit_code == 0, second.output
        assert "request" not in second.output
        assert "agreement" not in second.output
        university = partner(session)
        assert "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi" in trust.trusted_dids(
            session, university, BASE_URL
        )
        (agreement,) = session.scalars(
            select(Agreement).where(Agreement.institution_id == university.id)
        ).all()
        versions = {rule.current.code_pattern: rule.current for rule in agreement.rules}
        assert set(versions) == {"INT1001", "MAT2002"}
        assert versions["INT1001"].local_course_code == "IT1010"
        assert versions["INT1001"].hours_per_credit == Decimal(50)  # 150 h → 3 credits
        assert versions["MAT2002"].local_course_code == "MA2020"
        demo_student = session.scalars(select(User).where(User.email == "student@demo.test")).one()
        (item,) = session.scalars(
            select(RequestItem).where(RequestItem.student_id == demo_student.id)
        ).all()
        assert item.state == ItemState.PENDING
        assert item.verified
        assert item.proposal_recognised
        assert (item.proposal_course_code, item.proposal_credits) == ("MA2020", Decimal(2))
        assert session.scalar(select(func.count()).select_from(TransferRequest)) == 1

        login(client, "verifier@demo.test", "demo-password")
        queue = client.get("/university/dai-hoc-da-nang").get_data(as_text=True)
        assert "Xác suất và Thống kê" in queue
        assert "student@demo.test" in queue
