"""The queue's reads: a page of one view of a university's items as plain rows, and how many
items each view holds, counted together; only that university's items, in each view's order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.issuers import institution_by_slug
from mooc.credentials.services.revoking import revoke_record
from mooc.pagination import Page
from mooc.transfer import queries
from mooc.transfer.models import ItemState, Outcome
from mooc.transfer.services.revocations import flag_revoked_platform_records
from tests.helpers import context, login
from tests.integration.transfer.partner import (
    INTRO,
    ISSUING,
    STATS,
    decide_item,
    issue,
    partner,
    send,
    set_up_partner,
    staff,
    student,
)

pytestmark = pytest.mark.usefixtures("signing")


def _page(session: Session, university_id: int, show: str) -> Page[queries.QueueRow]:
    counts = queries.queue_counts(session, university_id)
    return queries.queue(session, university_id, show, total=counts[show])


def test_each_view_lists_and_counts_this_universitys_items_alone(
    app: Flask, session: Session
) -> None:
    officer = staff(session, email="binh.queue@example.test")
    set_up_partner(session, officer)
    mai = student(session, email="mai.queue@example.test")
    lan = student(session, email="lan.queue@example.test")
    first = send(app, session, mai, issue(app, session, mai, STATS)).request.items[0]
    second = send(app, session, lan, issue(app, session, lan, INTRO)).request.items[0]
    decided = send(app, session, lan, issue(app, session, lan, STATS)).request.items[0]
    decide_item(app, session, officer, decided, Outcome.ACCEPTED)
    session.flush()
    university = partner(session).id
    other = institution_by_slug(session, ISSUING).id

    assert queries.queue_counts(session, university) == {"pending": 2, "decided": 1, "flagged": 0}
    assert queries.queue_counts(session, other) == {"pending": 0, "decided": 0, "flagged": 0}
    pending = _page(session, university, "pending")
    assert [row.id for row in pending.items] == [first.id, second.id]  # oldest first
    assert pending.total == 2
    row = pending.items[0]
    assert (row.name, row.issuer_name, row.issuer_did) == (
        first.name,
        first.issuer_name,
        first.issuer_did,
    )
    assert (row.student_name, row.student_login) == (mai.name, "mai.queue@example.test")
    assert (row.verified, row.state, row.source_revoked_at) == (True, ItemState.PENDING, None)
    assert row.proposal_recognised and row.proposal_course_code == "MA2020"
    assert row.proposal_credits == Decimal(first.proposal_credits) > 0
    assert [row.id for row in _page(session, university, "decided").items] == [decided.id]
    assert _page(session, university, "flagged").items == []
    assert _page(session, other, "pending").items == []


def test_a_recognised_record_revoked_since_is_counted_and_listed_as_flagged(
    app: Flask, session: Session
) -> None:
    officer = staff(session, email="binh.flagged@example.test")
    set_up_partner(session, officer)
    learner = student(session, email="mai.flagged@example.test")
    record = issue(app, session, learner, STATS)
    item = send(app, session, learner, record).request.items[0]
    decide_item(app, session, officer, item, Outcome.ACCEPTED)
    revoke_record(
        session, record, reason="Exam fraud established.", actor=None, context=context(app)
    )
    university = partner(session).id
    flag_revoked_platform_records(session, university)

    assert queries.queue_counts(session, university) == {"pending": 0, "decided": 1, "flagged": 1}
    flagged = _page(session, university, "flagged")
    assert [row.id for row in flagged.items] == [item.id]
    assert flagged.items[0].source_revoked_at is not None


def test_the_queue_page_shows_each_row_to_its_universitys_staff_only(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = staff(session, email="binh.rows@example.test")
    set_up_partner(session, officer)
    learner = student(session, email="mai.rows@example.test")
    item = send(app, session, learner, issue(app, session, learner, STATS)).request.items[0]
    staff(session, slug=ISSUING, email="other.rows@example.test")
    session.commit()

    login(client, "other.rows@example.test", "correct horse battery")
    refused = client.get("/university/dai-hoc-da-nang")
    assert refused.status_code == 403
    assert "mai.rows@example.test" not in refused.get_data(as_text=True)

    login(client, "binh.rows@example.test", "correct horse battery")
    page = client.get("/university/dai-hoc-da-nang").get_data(as_text=True)
    assert f'href="/university/dai-hoc-da-nang/items/{item.id}"' in page
    assert "Lò Thị Mai" in page and "mai.rows@example.test" in page
    assert "MA2020, 2 credits" in page
    assert "Waiting (1)" in page and "Decided (0)" in page
