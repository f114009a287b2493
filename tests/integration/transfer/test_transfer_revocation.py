"""After recognition: a source record revoked through the credentials revocation service flags
the decisions that relied on it, on the queue page and with `flask transfer recheck`."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.services.revoking import revoke_record
from mooc.transfer.models import Outcome, RequestItem
from mooc.transfer.queries import flagged_items
from mooc.transfer.services.decisions import decide
from mooc.transfer.services.revocations import flag_revoked_platform_records
from tests.helpers import context, login
from tests.integration.transfer.partner import (
    STATS,
    TODAY,
    issue,
    partner,
    send,
    set_up_partner,
    staff,
    student,
    verifier,
)

pytestmark = pytest.mark.usefixtures("signing")


def _recognised(app: Flask, session: Session, officer, learner, record) -> RequestItem:  # type: ignore[no-untyped-def]
    item = send(app, session, learner, record).request.items[0]
    decide(
        session,
        officer,
        partner(session),
        item,
        outcome=Outcome.ACCEPTED,
        verifier=verifier(app, session),
        context=context(app),
        today=TODAY,
    )
    return item


def test_revoking_a_recognised_record_flags_its_decision_on_the_queue(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session)
    officer = staff(session, email="binh.revoked@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    assert flagged_items(session, partner(session).id) == []
    revoke_record(
        session, record, reason="Exam fraud established.", actor=None, context=context(app)
    )
    session.commit()
    login(client, "binh.revoked@example.test", "correct horse battery")
    queue = client.get("/university/dai-hoc-da-nang").get_data(as_text=True)
    assert "1 recognised record has been revoked by its issuer since: review it." in queue
    flagged = client.get("/university/dai-hoc-da-nang?show=flagged").get_data(as_text=True)
    assert record.name in flagged
    session.refresh(item)
    assert item.source_revoked_at is not None
    assert item.needs_review
    page = client.get(f"/university/dai-hoc-da-nang/items/{item.id}").get_data(as_text=True)
    assert "after it was recognised" in page
    # Deciding again (here: rejecting) answers the flag and revokes the recognition record.
    recognition = item.decisions[0].credential
    decide(
        session,
        officer,
        partner(session),
        item,
        outcome=Outcome.REJECTED,
        comment="The source record was revoked.",
        verifier=verifier(app, session),
        context=context(app),
        today=TODAY,
    )
    assert not item.needs_review
    assert flagged_items(session, partner(session).id) == []
    assert recognition is not None
    assert recognition.is_revoked


def test_the_recheck_command_flags_revoked_sources(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    revoke_record(session, record, reason="Issued in error.", actor=None, context=context(app))
    session.commit()
    result = app.test_cli_runner().invoke(args=["transfer", "recheck", "--offline"])
    assert result.exit_code == 0, result.output
    assert f"FLAGGED  item {item.id}" in result.output
    assert "1 newly flagged" in result.output
    session.refresh(item)
    assert item.needs_review
    again = app.test_cli_runner().invoke(args=["transfer", "recheck", "--offline"])
    assert "0 newly flagged" in again.output
    assert flag_revoked_platform_records(session) == []
