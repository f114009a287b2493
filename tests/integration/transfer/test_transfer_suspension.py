"""Revocation reaches what rests on a record, in the same transaction: a transcript including it
is revoked; a recognition record built on it is suspended (its suspension status-list bit) until
the university's staff confirm or revoke it; the student and the staff are told; verifiers see
"suspended"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.credentials.core.status_list import Bitstring
from mooc.credentials.core.verdict import verdict_of
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.services.issuing import Holding, Slot
from mooc.credentials.services.issuing import issue as issue_record
from mooc.credentials.services.revoking import lift_suspension, revoke_record
from mooc.credentials.services.transcripts import issue_transcript
from mooc.errors import Conflict, Invalid
from mooc.notifications.kinds import RECORD_REVIEW, RECORD_SUSPENDED
from mooc.notifications.models import Notification
from mooc.transfer.models import Outcome
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
    recognise,
    send,
    set_up_partner,
    staff,
    student,
    verifier,
)

pytestmark = pytest.mark.usefixtures("signing")

OFFICER = "binh.suspension@example.test"


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
    done = recognise(app, session, OFFICER)
    learner, record, recognition = done.learner, done.source, done.record
    status = json.loads(recognition.document)["credentialStatus"]  # one entry (OB 3.0)
    assert status["statusPurpose"] == "suspension"
    assert status["statusListCredential"].endswith("/institutions/dai-hoc-da-nang/suspension/1")
    assert _verdict(app, session, recognition) == ()
    assert recognition.includes == [record.id]

    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    assert recognition.is_suspended and not recognition.is_revoked
    assert _verdict(app, session, recognition) == ("suspended",)
    with pytest.raises(Invalid, match="suspended"):  # nor can it go into a transcript now
        in_language(app, "en", issue_transcript, session, learner, [recognition.uuid], context(app))
    assert RECORD_SUSPENDED in _kinds(session, learner.id)
    assert RECORD_REVIEW in _kinds(session, done.officer.id)
    assert RECORD_REVIEW not in _kinds(session, learner.id)


def test_staff_confirm_a_suspended_recognition_and_it_is_valid_again(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    done = recognise(app, session, OFFICER)
    record, item, recognition = done.source, done.item, done.record
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
    done = recognise(app, session, OFFICER)
    record, item, recognition = done.source, done.item, done.record
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    flag_revoked_platform_records(session, partner(session).id)
    decide(
        session,
        done.officer,
        partner(session),
        item,
        outcome=Outcome.REJECTED,
        comment="The source record was revoked.",
        verifier=verifier(app, session),
        context=context(app),
        today=TODAY,
    )
    assert recognition.is_revoked and recognition.suspended_at is None
    # Its one entry, the suspension bit, is set for good: offline verifiers see "suspended",
    # the platform, which knows it revoked it, says "revoked".
    assert _suspension_bit(session, recognition)
    assert _verdict(app, session, recognition) == ("revoked",)


def _suspension_bit(session: Session, record: IssuedCredential) -> bool:
    assert record.suspension_list is not None and record.suspension_index is not None
    session.refresh(record.suspension_list)
    bits = Bitstring.decode(record.suspension_list.encoded_list)
    return bits.get(record.suspension_index)


def test_a_revoked_recognition_is_never_lifted(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    done = recognise(app, session, OFFICER)
    record, item, recognition = done.source, done.item, done.record
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    revoke_record(session, recognition, reason="Withdrawn", actor=None, context=context(app))
    session.commit()
    assert _suspension_bit(session, recognition)
    with pytest.raises(Conflict, match="never be lifted"):
        in_language(app, "en", lift_suspension, session, recognition, context(app))

    login(client, OFFICER, PASSWORD)
    url = f"/university/dai-hoc-da-nang/items/{item.id}"
    refused = client.post(f"{url}/confirm", data={"keep-csrf_token": csrf_from(client, url)})
    assert refused.status_code == 409
    assert "its suspension can never be lifted" in refused.get_data(as_text=True)
    session.refresh(recognition)
    assert _suspension_bit(session, recognition)
    assert _verdict(app, session, recognition) == ("revoked",)


def _old_shape(app: Flask, session: Session, recognition: IssuedCredential) -> IssuedCredential:
    """The recognition record as the platform issued it before one status entry per record: a
    revocation and a suspension entry (a list), signed anew."""
    document = json.loads(recognition.document)
    document.pop("proof")
    holding = Holding(
        CredentialKind.ACHIEVEMENT,
        recognition.user_id,
        includes=tuple(recognition.includes),
        suspendable=True,
    )

    def build(slot: Slot) -> dict[str, Any]:
        assert slot.suspension is not None
        entries = [slot.status.to_json(), slot.suspension.to_json()]
        return {**document, "id": slot.credential_id, "credentialStatus": entries}

    return issue_record(session, context(app), recognition.institution, holding, build)


def test_an_older_two_entry_recognition_keeps_verifying_and_working(
    app: Flask, session: Session
) -> None:
    done = recognise(app, session, OFFICER)
    record, recognition = done.source, done.record
    old = _old_shape(app, session, recognition)
    purposes = [entry["statusPurpose"] for entry in json.loads(old.document)["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    assert _verdict(app, session, old) == ()

    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    assert old.is_suspended and _verdict(app, session, old) == ("suspended",)
    lift_suspension(session, old, context(app))
    assert not _suspension_bit(session, old) and _verdict(app, session, old) == ()
    revoke_record(session, old, reason="Withdrawn", actor=None, context=context(app))
    assert _verdict(app, session, old) == ("revoked",)  # its revocation entry says so
    session.refresh(old.status_list)
    assert Bitstring.decode(old.status_list.encoded_list).get(old.status_index)


def test_verify_shows_a_suspended_recognition_as_suspended(app: Flask, session: Session) -> None:
    done = recognise(app, session, OFFICER)
    record, recognition = done.source, done.record
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
