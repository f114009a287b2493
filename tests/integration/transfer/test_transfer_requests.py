"""Students' requests: sending records (idempotently), transcripts, following and withdrawing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.catalog.models import Course
from mooc.credentials.services.transcripts import issue_transcript
from mooc.errors import Conflict, Invalid, NotFound
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import ItemState, Outcome, RequestItem, TransferRequest
from mooc.transfer.queries import my_request
from mooc.transfer.services import rules, trust
from mooc.transfer.services.decisions import decide
from mooc.transfer.services.requests import send_records, withdraw_request
from tests.helpers import BASE_URL, context, csrf_from, login
from tests.integration.transfer.partner import (
    INTRO,
    STATS,
    TODAY,
    did_of,
    issue,
    partner,
    set_up_partner,
    staff,
    stats_rule,
    student,
    verifier,
)

SCHOOL = "tieng-viet-lop-1"  # grade 1


pytestmark = pytest.mark.usefixtures("signing")


def _send(app: Flask, session: Session, user, uuids, message: str = ""):  # type: ignore[no-untyped-def]
    return send_records(
        session,
        user,
        partner(session),
        uuids,
        message=message,
        verifier=verifier(app, session),
        base_url=BASE_URL,
        today=TODAY,
    )


def test_sending_a_record_verifies_and_proposes_at_once(app: Flask, session: Session) -> None:
    learner = student(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    result = _send(app, session, learner, [record.uuid], "Mã sinh viên 102190001")
    assert result.created
    (item,) = result.request.items
    assert item.state == ItemState.PENDING
    assert item.verified
    assert item.credential_id == record.id
    assert item.source_id == f"urn:uuid:{record.uuid}"
    assert item.proposal_recognised
    assert item.proposal_credits == Decimal(2)
    assert item.proposal_course_code == "MA2020"
    assert item.reasons == ["matched"]
    assert result.request.message == "Mã sinh viên 102190001"


def test_the_same_record_sent_twice_makes_one_request(app: Flask, session: Session) -> None:
    learner = student(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    first = _send(app, session, learner, [record.uuid])
    again = _send(app, session, learner, [record.uuid])
    assert first.created
    assert not again.created
    assert again.request.id == first.request.id
    assert again.already_sent == (record.name,)
    assert not again.message_kept
    with_message = _send(app, session, learner, [record.uuid], "Another message")
    assert with_message.message_kept
    assert with_message.request.message == ""
    count = session.scalar(select(func.count()).where(TransferRequest.student_id == learner.id))
    assert count == 1


def test_a_new_record_with_an_old_one_makes_a_request_of_the_new_one_only(
    app: Flask, session: Session
) -> None:
    learner = student(session)
    stats = issue(app, session, learner, STATS)
    intro = issue(app, session, learner, INTRO)
    set_up_partner(session, staff(session))
    first = _send(app, session, learner, [stats.uuid])
    second = _send(app, session, learner, [stats.uuid, intro.uuid])
    assert second.created
    assert second.request.id != first.request.id
    assert [item.credential_id for item in second.request.items] == [intro.id]
    assert second.already_sent == (stats.name,)


def test_the_database_refuses_a_second_live_item_for_one_record(
    app: Flask, session: Session
) -> None:
    learner = student(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    (item,) = _send(app, session, learner, [record.uuid]).request.items
    duplicate = RequestItem(
        request_id=item.request_id,
        institution_id=item.institution_id,
        student_id=item.student_id,
        source_id=item.source_id,
        document=item.document,
        name=item.name,
        issuer_did=item.issuer_did,
        state=ItemState.PENDING,
    )
    savepoint = session.begin_nested()
    session.add(duplicate)
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()


def test_a_transcript_sends_each_of_its_course_records(app: Flask, session: Session) -> None:
    learner = student(session)
    stats = issue(app, session, learner, STATS)
    intro = issue(app, session, learner, INTRO)
    transcript = issue_transcript(session, learner, [stats.uuid, intro.uuid], context(app))
    set_up_partner(session, staff(session))
    result = _send(app, session, learner, [transcript.uuid])
    items = result.request.items
    assert {item.source_id for item in items} == {
        f"urn:uuid:{stats.uuid}",
        f"urn:uuid:{intro.uuid}",
    }
    assert {item.credential_id for item in items} == {stats.id, intro.id}
    assert all(item.container_id == f"urn:uuid:{transcript.uuid}" for item in items)
    assert all(item.verified for item in items)
    assert {item.proposal_course_code: item.proposal_credits for item in items} == {
        "MA2020": Decimal(2),
        "IT1010": Decimal(3),
    }
    # One of its records sent again on its own is no new request.
    assert not _send(app, session, learner, [stats.uuid]).created


def test_only_ones_own_unrevoked_records_can_be_sent(app: Flask, session: Session) -> None:
    learner, other = student(session), student(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    with pytest.raises(NotFound):
        _send(app, session, other, [record.uuid])
    with pytest.raises(Invalid):
        _send(app, session, learner, [])
    with pytest.raises(Invalid):
        _send(app, session, learner, [record.uuid], "x" * 2001)


def test_withdrawing_before_a_decision_frees_the_record_to_be_sent_again(
    app: Flask, session: Session
) -> None:
    learner = student(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    request = _send(app, session, learner, [record.uuid]).request
    withdraw_request(session, learner, request)
    assert request.status == "withdrawn"
    assert request.items[0].state == ItemState.WITHDRAWN
    withdraw_request(session, learner, request)  # again: nothing changes
    again = _send(app, session, learner, [record.uuid])
    assert again.created
    assert again.request.id != request.id


def test_no_withdrawal_after_a_decision_and_none_of_anothers_request(
    app: Flask, session: Session
) -> None:
    learner, other = student(session), student(session)
    record = issue(app, session, learner, STATS)
    officer = staff(session)
    set_up_partner(session, officer)
    request = _send(app, session, learner, [record.uuid]).request
    with pytest.raises(NotFound):
        withdraw_request(session, other, request)
    with pytest.raises(NotFound):
        my_request(session, other.id, request.id)
    decide(
        session,
        officer,
        partner(session),
        request.items[0],
        outcome=Outcome.REJECTED,
        comment="Not part of our programme.",
        verifier=verifier(app, session),
        context=context(app),
        today=TODAY,
    )
    with pytest.raises(Conflict):
        withdraw_request(session, learner, request)


def test_student_sends_from_the_page_and_follows_the_request(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="mai.send@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    session.commit()
    login(client, "mai.send@example.test", "correct horse battery")
    records_page = client.get("/records").get_data(as_text=True)
    assert record.name in records_page
    page = client.get(f"/records/send?record={record.uuid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Đại học Đà Nẵng" in html
    assert re.search(rf'<input checked[^>]*value="{record.uuid}"', html)
    token = csrf_from(client, "/records/send")
    data = {
        "csrf_token": token,
        "university": str(partner(session).id),
        "records": [record.uuid],
        "message": "Xin công nhận tín chỉ",
    }
    sent = client.post("/records/send", data=data)
    assert sent.status_code == 303
    request_page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Xin công nhận tín chỉ" in request_page
    assert record.name in request_page
    # Sending it again leads to the same request, with a note.
    again = client.post(
        "/records/send", data={**data, "csrf_token": csrf_from(client, "/records/send")}
    )
    assert again.headers["Location"] == sent.headers["Location"]
    noted = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "1 record was sent to this university before" in noted
    assert "Your new message was not sent" not in noted  # the same message: nothing lost
    # Sending it again with another message says what became of that message.
    changed = client.post(
        "/records/send",
        data={
            **data,
            "message": "Em gửi thêm bảng điểm",
            "csrf_token": csrf_from(client, "/records/send"),
        },
    )
    assert changed.headers["Location"] == sent.headers["Location"]
    told = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "Your new message was not sent: the request keeps the message you wrote" in told
    assert "Xin công nhận tín chỉ" in told and "Em gửi thêm bảng điểm" not in told
    # Withdraw from the request page.
    token = csrf_from(client, sent.headers["Location"])
    withdrawn = client.post(sent.headers["Location"] + "/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    assert "Withdrawn" in client.get(sent.headers["Location"]).get_data(as_text=True)
    listing = client.get("/transfer/requests").get_data(as_text=True)
    assert "Đại học Đà Nẵng" in listing


def test_the_send_form_refuses_nothing_chosen(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="mai.empty@example.test")
    issue(app, session, learner, STATS)
    set_up_partner(session, staff(session))
    session.commit()
    login(client, "mai.empty@example.test", "correct horse battery")
    token = csrf_from(client, "/records/send")
    answer = client.post(
        "/records/send", data={"csrf_token": token, "university": str(partner(session).id)}
    )
    assert answer.status_code == 422
    assert "Choose at least one record." in answer.get_data(as_text=True)


def test_a_school_record_is_offered_only_to_a_university_with_a_rule_for_it(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="mai.school@example.test")
    school = issue(app, session, learner, SCHOOL)
    stats = issue(app, session, learner, STATS)
    officer = staff(session)
    agreement = set_up_partner(session, officer)  # rules for two university courses only
    session.commit()
    login(client, "mai.school@example.test", "correct horse battery")

    listing = client.get("/records").get_data(as_text=True)
    assert f"/records/send?record={stats.uuid}" in listing
    assert f"/records/send?record={school.uuid}" not in listing  # no send button
    form = client.get("/records/send").get_data(as_text=True)
    assert f'value="{stats.uuid}"' in form and f'value="{school.uuid}"' not in form
    with pytest.raises(Invalid) as refused:
        _send(app, session, learner, [school.uuid])
    assert refused.value.field == "records"
    assert "has no rule that accepts the school record" in refused.value.message

    course = session.scalars(select(Course).where(Course.slug == SCHOOL)).one()
    trust.add_trusted_issuer(
        session, partner(session), officer, did=did_of(session, course.institution.slug), name="x"
    )
    rules.create_rule(
        session,
        agreement,
        officer,
        stats_rule(
            issuer_did=did_of(session, course.institution.slug),
            code_pattern=None,
            achievement_id=f"{BASE_URL}/courses/{SCHOOL}/achievement",
            local_course_code="VN0001",
            local_course_title="Tiếng Việt",
            method=Method.FIXED,
            fixed_credits=Decimal(1),
        ),
    )
    session.commit()
    listing = client.get("/records").get_data(as_text=True)
    assert f"/records/send?record={school.uuid}" in listing
    offered = client.get(f"/records/send?record={school.uuid}").get_data(as_text=True)
    assert "Đại học Đà Nẵng" in offered
    assert re.search(rf'<input checked[^>]*value="{school.uuid}"', offered)
    assert _send(app, session, learner, [school.uuid]).created
