"""Revocation reaches what rests on a record, in the same transaction: a transcript including it
is revoked; a recognition record built on it is suspended (its suspension status-list bit) until
the university's staff confirm or revoke it; the student and the staff are told; verifiers see
"suspended"."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.credentials.core.verdict import verdict_of
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.revoking import revoke_record
from mooc.credentials.services.transcripts import issue_transcript
from mooc.errors import Invalid
from mooc.notifications.kinds import RECORD_REVIEW, RECORD_SUSPENDED
from mooc.notifications.models import Notification
from mooc.transfer.models import Outcome, RequestItem
from mooc.transfer.queries import flagged_items
from mooc.transfer.services.decisions import decide
from mooc.transfer.services.revocations import flag_revoked_platform_records
from tests.factories import PASSWORD
from tests.helpers import context, csrf_from, in_language, login
from tests.integration.transfer.partner import (
    INTRO,
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

OFFICER = "binh.suspension@example.test"


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


def _verdict(app: Flask, session: Session, record: IssuedCredential) -> tuple[str, ...]:
    verification = verifier(app, session).verify(json.loads(record.document)).verification
    return verdict_of(verification).reasons


def _kinds(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(select(Notification.kind).where(Notification.user_id == user_id)))


def test_a_transcript_never_includes_a_revoked_record(app: Flask, session: Session) -> None:
    learner = student(session)
    first, second = issue(app, session, learner, STATS), issue(app, session, learner, INTRO)
    transcript = issue_transcript(session, learner, [first.uuid, second.uuid], context(app))
    assert _verdict(app, session, transcript) == ()

    revoke_record(session, first, reason="Copied answers", actor=None, context=context(app))
    # The transcript that included it is revoked in the same transaction …
    assert transcript.is_revoked
    assert "a record it includes was revoked" in (transcript.revocation_reason or "")
    assert "revoked" in _verdict(app, session, transcript)
    assert not second.is_revoked
    # … and no new transcript can include it.
    with pytest.raises(Invalid):
        issue_transcript(session, learner, [first.uuid, second.uuid], context(app), name="Again")
    again = issue_transcript(session, learner, [second.uuid], context(app), name="Again")
    assert _verdict(app, session, again) == ()


def test_a_recognition_record_is_suspended_when_its_source_is_revoked_and_people_are_told(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session, email=OFFICER)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    recognition = item.decisions[0].credential
    assert recognition is not None
    statuses = json.loads(recognition.document)["credentialStatus"]
    assert [entry["statusPurpose"] for entry in statuses] == ["revocation", "suspension"]
    assert statuses[1]["statusListCredential"].endswith(
        "/institutions/dai-hoc-da-nang/suspension/1"
    )
    assert _verdict(app, session, recognition) == ()
    assert recognition.includes == [record.id]

    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    assert recognition.is_suspended and not recognition.is_revoked
    assert _verdict(app, session, recognition) == ("suspended",)
    with pytest.raises(Invalid, match="suspended"):  # nor can it go into a transcript now
        in_language(app, "en", issue_transcript, session, learner, [recognition.uuid], context(app))
    assert RECORD_SUSPENDED in _kinds(session, learner.id)
    assert RECORD_REVIEW in _kinds(session, officer.id)
    assert RECORD_REVIEW not in _kinds(session, learner.id)


def test_staff_confirm_a_suspended_recognition_and_it_is_valid_again(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner, officer = student(session), staff(session, email=OFFICER)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    recognition = item.decisions[0].credential
    assert recognition is not None
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    session.commit()

    login(client, OFFICER, PASSWORD)
    client.get("/university/dai-hoc-da-nang")  # the queue flags the item
    url = f"/university/dai-hoc-da-nang/items/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert "The recognition record is suspended" in page
    published = client.get("/institutions/dai-hoc-da-nang/suspension/1")
    assert published.status_code == 200
    assert published.get_json()["credentialSubject"]["statusPurpose"] == "suspension"

    confirmed = client.post(f"{url}/confirm", data={"keep-csrf_token": csrf_from(client, url)})
    assert confirmed.status_code == 303
    session.refresh(recognition)
    session.refresh(item)
    assert not recognition.is_suspended and recognition.suspension_lifted_at is not None
    assert _verdict(app, session, recognition) == ()
    assert not item.needs_review
    assert flagged_items(session, partner(session).id) == []
    again = client.post(f"{url}/confirm", data={"keep-csrf_token": csrf_from(client, url)})
    assert again.status_code == 409  # nothing is suspended any more


def test_staff_revoke_a_suspended_recognition_by_deciding_again(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session, email=OFFICER)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    recognition = item.decisions[0].credential
    assert recognition is not None
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    flag_revoked_platform_records(session, partner(session).id)
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
    assert recognition.is_revoked and recognition.suspended_at is None
    assert _verdict(app, session, recognition) == ("revoked",)


def test_verify_shows_a_suspended_recognition_as_suspended(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session, email=OFFICER)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _recognised(app, session, officer, learner, record)
    recognition = item.decisions[0].credential
    assert recognition is not None
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(visitor, "/verify")
    page = visitor.post(
        "/verify", data={"csrf_token": token, "credential_json": recognition.document}
    )
    html = page.get_data(as_text=True)
    assert "NOT valid: the issuer has suspended it." in html
    assert "The issuer has suspended this record until it confirms or revokes it." in html
    assert html.index("NOT valid") < html.index("Unverified claims")


def test_recheck_suspends_a_recognition_whose_other_platform_source_is_revoked(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session, email=OFFICER)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = send(app, session, learner, record).request.items[0]
    item.credential_id = None  # as a record of another platform: no row here to rest on
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
    recognition = item.decisions[0].credential
    assert recognition is not None and recognition.includes == []
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    assert not recognition.is_suspended  # nothing here links it to the revoked record …
    session.commit()

    result = app.test_cli_runner().invoke(args=["transfer", "recheck", "--offline"])
    assert result.exit_code == 0, result.output
    assert f"FLAGGED  item {item.id}" in result.output
    session.refresh(recognition)
    assert recognition.is_suspended  # … until its status list is read again
    assert _verdict(app, session, recognition) == ("suspended",)
    assert RECORD_REVIEW in _kinds(session, officer.id)
