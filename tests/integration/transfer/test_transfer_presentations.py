"""A university requests records from a student: the staff page makes a request (challenge,
domain, expiry) with a QR code and a link; the student answers from My records, or a wallet
answers with a presentation; the records arrive in the queue verified and bound to the holder.
Answering again is idempotent, an expired request is refused, another university sees nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import sign_presentation
from mooc.credentials.models import HolderKey, IssuedCredential
from mooc.credentials.services.holder_keys import holder_signer, present_records
from mooc.db import utcnow
from mooc.transfer.models import PresentationRequest, RequestItem
from tests.helpers import context, csrf_from, login
from tests.integration.transfer.partner import (
    ISSUING,
    STATS,
    issue,
    set_up_partner,
    staff,
    student,
)

PASSWORD = "correct horse battery"
DESK = "/university/dai-hoc-da-nang/record-requests"
WALLET_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(180, 212)))
WALLET = did_key(WALLET_KEY.public_key())

pytestmark = pytest.mark.usefixtures("signing")


@pytest.fixture
def record(app: Flask, session: Session) -> IssuedCredential:
    """Mai holds a signed record Đại học Đà Nẵng (staff: Bình) recognises."""
    learner = student(session, email="mai.present@example.test")
    officer = staff(session, email="binh.present@example.test")
    set_up_partner(session, officer)
    found = issue(app, session, learner, STATS)
    session.commit()
    return found


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email, PASSWORD)
    return client


def make_request(app: Flask, session: Session, purpose: str = "Admission 2027") -> Any:
    desk = signed_in(app, "binh.present@example.test")
    token = csrf_from(desk, DESK)
    made = desk.post(DESK, data={"csrf_token": token, "purpose": purpose, "valid_for": "24"})
    assert made.status_code == 303, made.get_data(as_text=True)
    request_id = int(made.headers["Location"].rsplit("/", 1)[1])
    return desk, session.get(PresentationRequest, request_id)


def answer(client: FlaskClient, found: PresentationRequest, *uuids: str) -> Any:
    url = f"/records/requests/{found.token}"
    token = csrf_from(client, url)
    return client.post(url, data={"csrf_token": token, "records": list(uuids)})


def items_of(session: Session, record: IssuedCredential) -> list[RequestItem]:
    return list(
        session.scalars(
            select(RequestItem).where(RequestItem.source_id == f"urn:uuid:{record.uuid}")
        )
    )


def test_a_student_answers_from_my_records_and_the_queue_gets_verified_records(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    desk, found = make_request(app, session)
    shown = desk.get(f"{DESK}/{found.id}").get_data(as_text=True)
    assert 'role="img" class="qr"' in shown and f"/records/requests/{found.token}" in shown
    assert found.domain == "http://mooc.test" and len(found.challenge) >= 32

    mai = signed_in(app, "mai.present@example.test")
    page = mai.get(f"/records/requests/{found.token}").get_data(as_text=True)
    assert "Đại học Đà Nẵng asks for your records" in page or "asks for your records" in page
    assert "Admission 2027" in page and record.uuid in page
    answered = answer(mai, found, record.uuid)
    assert answered.status_code == 303
    session.expire_all()
    found = session.get(PresentationRequest, found.id)
    assert found.answered_at is not None and found.student_id == record.user_id
    holder = session.scalar(select(HolderKey.did).where(HolderKey.user_id == record.user_id))
    assert found.holder == holder and holder.startswith("did:key:z6Mk")
    (item,) = items_of(session, record)
    assert item.verified and item.request_id == found.transfer_request_id
    bound = next(check for check in item.checks if check["id"] == "holder-proof")
    assert bound["status"] == "passed" and holder in bound["message"]
    assert answered.headers["Location"].endswith(f"/transfer/requests/{item.request_id}")

    again = answer(mai, found, record.uuid)  # idempotent: the same request, no second item
    assert again.status_code == 303 and again.headers["Location"] == answered.headers["Location"]
    assert len(items_of(session, record)) == 1

    desk_page = desk.get(f"{DESK}/{found.id}").get_data(as_text=True)
    assert "Answered by Lò Thị Mai" in desk_page and item.name in desk_page
    assert item.name in desk.get("/university/dai-hoc-da-nang").get_data(as_text=True)
    item_page = desk.get(f"/university/dai-hoc-da-nang/items/{item.id}").get_data(as_text=True)
    assert "The holder signed this presentation" in item_page

    other = student(session, email="an.present@example.test")
    session.commit()
    stranger = signed_in(app, "an.present@example.test")
    assert "already answered" in stranger.get(f"/records/requests/{found.token}").get_data(
        as_text=True
    )
    assert other.id != record.user_id


def test_an_expired_request_is_refused_with_a_clear_message(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    _desk, found = make_request(app, session)
    found.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    mai = signed_in(app, "mai.present@example.test")
    page = mai.get(f"/records/requests/{found.token}")
    assert page.status_code == 410
    assert "This request expired on" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    csrf = token.group(1) if token else csrf_from(mai, "/records")
    posted = mai.post(
        f"/records/requests/{found.token}", data={"csrf_token": csrf, "records": [record.uuid]}
    )
    assert posted.status_code == 410 and not items_of(session, record)


def test_only_that_universitys_staff_see_its_requests_and_only_students_answer(
    app: Flask, client: FlaskClient, session: Session, record: IssuedCredential
) -> None:
    _desk, found = make_request(app, session)
    staff(session, slug=ISSUING, email="other.present@example.test")
    session.commit()
    other = signed_in(app, "other.present@example.test")
    assert other.get(f"/university/{ISSUING}/record-requests/{found.id}").status_code == 404
    assert other.get(f"{DESK}/{found.id}").status_code == 403
    assert other.get(DESK).status_code == 403
    visitor = client.get(f"/records/requests/{found.token}")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert client.get("/records/requests/no-such-token").status_code == 404
    mai = signed_in(app, "mai.present@example.test")
    forged = mai.post(f"/records/requests/{found.token}", data={"records": [record.uuid]})
    assert forged.status_code == 400 and not items_of(session, record)


def wallet_post(client: FlaskClient, found: PresentationRequest, body: Any) -> Any:
    return client.post(
        f"/records/requests/{found.token}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def test_a_wallet_answers_with_a_presentation_for_the_challenge(
    app: Flask, client: FlaskClient, session: Session, record: IssuedCredential
) -> None:
    _desk, found = make_request(app, session)
    asked = wallet_post(client, found, {}).get_json()["verifiablePresentationRequest"]
    assert asked["challenge"] == found.challenge and asked["domain"] == found.domain

    # A stranger's wallet presenting Mai's record: signed, but the record does not name it.
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": WALLET,
        "verifiableCredential": [json.loads(record.document)],
    }
    method = f"{WALLET}#{WALLET.removeprefix('did:key:')}"
    stolen = sign_presentation(
        unsigned, WALLET_KEY, method, utcnow(), challenge=found.challenge, domain=found.domain
    )
    refused = wallet_post(client, found, {"verifiablePresentation": stolen})
    assert refused.status_code == 422 and "does not name the holder" in refused.get_json()["detail"]

    mai = session.get(IssuedCredential, record.id).user
    signer = holder_signer(session, mai, context(app).kek)
    session.commit()
    replayed = present_records(signer, [record], challenge="old", domain=found.domain)
    answer_ = wallet_post(client, found, {"verifiablePresentation": replayed})
    assert answer_.status_code == 422 and "challenge" in answer_.get_json()["detail"]

    shown = present_records(signer, [record], challenge=found.challenge, domain=found.domain)
    accepted = wallet_post(client, found, {"verifiablePresentation": shown})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json() == {"verified": True, "received": 1}
    again = wallet_post(client, found, {"verifiablePresentation": shown})
    assert again.status_code == 200 and len(items_of(session, record)) == 1
    assert session.scalar(select(func.count()).select_from(RequestItem)) >= 1
    bad = client.post(f"/records/requests/{found.token}", data="{", content_type="application/json")
    assert bad.status_code == 400
