"""Add to wallet: the holder starts an exchange on a record's page (QR code, LCW deep links,
exchange URL); a wallet asks what is wanted (DIDAuthentication, challenge, domain), proves its
did:key, and receives a copy of the record issued to it, signed by the record's issuer, revoked
with the record. Every refusal: expired, replayed or answered by another DID, a bad proof, a form
post, an unknown exchange, somebody else's record."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.credentials.core.multibase import encode_base58btc
from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import AUTHENTICATION
from mooc.credentials.core.proof import hash_data, proof_configuration
from mooc.credentials.core.verdict import verdict_of
from mooc.credentials.models import IssuedCredential, WalletExchange
from mooc.credentials.services.revoking import lift_suspension, revoke_record
from mooc.credentials.services.transcripts import issue_transcript
from mooc.db import utcnow
from tests.factories import PASSWORD, make_user
from tests.helpers import BASE_URL, context, csrf_from, login, platform_verifier
from tests.integration.credentials.records import issue
from tests.integration.credentials.wallets import WALLET, WALLET_KEY, copy_to_wallet, did_auth
from tests.integration.transfer.partner import recognise

pytestmark = pytest.mark.usefixtures("signing")

OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(90, 122)))
OTHER = did_key(OTHER_KEY.public_key())
_EXCHANGE_URL = re.compile(r'id="exchange-url"[^>]*value="([^"]+)"')


def browser(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email, PASSWORD)
    return client


@pytest.fixture
def holder(app: Flask, session: Session) -> tuple[FlaskClient, IssuedCredential]:
    user = make_user(session)
    record = issue(app, session, user)
    return browser(app, user.email), record


def start(client: FlaskClient, record: IssuedCredential) -> tuple[TestResponse, str]:
    """Click "Add to wallet" on the record's page; the exchange page and its exchange URL."""
    token = csrf_from(client, f"/records/{record.uuid}")
    made = client.post(f"/records/{record.uuid}/wallet", data={"csrf_token": token})
    assert made.status_code == 303, made.get_data(as_text=True)
    page = client.get(made.headers["Location"])
    found = _EXCHANGE_URL.search(page.get_data(as_text=True))
    assert found is not None
    return page, found.group(1)


def wallet_post(client: FlaskClient, url: str, body: Any) -> TestResponse:
    return client.post(
        url.removeprefix(BASE_URL),
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def asked(client: FlaskClient, url: str) -> dict[str, Any]:
    answer = wallet_post(client, url, {})
    assert answer.status_code == 200, answer.get_json()
    request: dict[str, Any] = answer.get_json()["verifiablePresentationRequest"]
    return request


def copies(session: Session, record: IssuedCredential) -> list[IssuedCredential]:
    return list(
        session.scalars(select(IssuedCredential).where(IssuedCredential.copy_of_id == record.id))
    )


def test_a_wallet_proves_its_did_and_receives_a_copy_of_the_record(
    app: Flask, client: FlaskClient, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    page, url = start(mai, record)
    shown = page.get_data(as_text=True)
    assert 'role="img" class="qr"' in shown and "QR code to add this record to a wallet" in shown
    assert re.fullmatch(rf"{BASE_URL}/wallet/exchanges/[\w-]{{32}}", url)
    exchange = session.scalar(
        select(WalletExchange).where(WalletExchange.user_id == record.user_id)
    )
    assert exchange is not None and exchange.expires_at > utcnow() + dt.timedelta(minutes=10)
    link = re.search(r'href="(https://lcw\.app/request\.html\?[^"]+)"', shown)
    assert link is not None
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["vc_request_url"] == [url] and query["auth_type"] == ["bearer"]
    assert query["challenge"] == [exchange.challenge] and query["issuer"][0].startswith("did:web:")
    assert "dccrequest://request?" in shown

    request = asked(client, url)  # the wallet starts: no cookie, no CSRF token
    assert request["query"] == [
        {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}, {"method": "web"}]}
    ]
    assert request["challenge"] == exchange.challenge and request["domain"] == BASE_URL
    assert request["interact"]["service"][0]["serviceEndpoint"] == url

    presentation = did_auth(request["challenge"], request["domain"])
    answer = wallet_post(client, url, {"verifiablePresentation": presentation})
    assert answer.status_code == 200, answer.get_json()
    received = answer.get_json()["verifiablePresentation"]
    assert received["type"] == ["VerifiablePresentation"]
    (copy,) = received["verifiableCredential"]
    original = json.loads(record.document)
    assert copy["credentialSubject"]["id"] == WALLET
    assert copy["id"] != original["id"] and copy["issuer"] == original["issuer"]
    for claim in ("achievement", "result", "identifier", "activityEndDate"):
        assert copy["credentialSubject"][claim] == original["credentialSubject"][claim]
    assert copy["credentialStatus"]["statusPurpose"] == "revocation"
    assert (
        copy["credentialStatus"]["statusListCredential"]
        == (original["credentialStatus"]["statusListCredential"])
    )
    assert copy["credentialStatus"]["id"] != original["credentialStatus"]["id"]
    assert platform_verifier(app, session).verify(copy).verified

    session.expire_all()
    (row,) = copies(session, record)
    assert row.uuid == copy["id"].removeprefix("urn:uuid:") and row.includes == [record.id]
    assert json.loads(row.document) == copy and row.user_id == record.user_id
    record_page = mai.get(f"/records/{record.uuid}").get_data(as_text=True)
    assert "Copies in wallets" in record_page and WALLET in record_page
    listed = mai.get("/records").get_data(as_text=True)
    assert record.uuid in listed and row.uuid not in listed  # a copy is not another record
    assert mai.get(f"/records/{row.uuid}").status_code == 404
    assert "Done: on" in mai.get(page.request.path).get_data(as_text=True)

    # Replaying the answer gives the same copy; the exchange is done for any other DID.
    again = wallet_post(client, url, {"verifiablePresentation": presentation})
    assert again.status_code == 200
    assert again.get_json()["verifiablePresentation"]["verifiableCredential"] == [copy]
    stranger = did_auth(request["challenge"], request["domain"], OTHER_KEY)
    taken = wallet_post(client, url, {"verifiablePresentation": stranger})
    assert taken.status_code == 409 and taken.mimetype == "application/problem+json"
    assert "already completed" in taken.get_json()["detail"]
    assert len(copies(session, record)) == 1


def test_revoking_the_record_revokes_the_wallets_copy(
    app: Flask, client: FlaskClient, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    _page, url = start(mai, record)
    request = asked(client, url)
    answer = wallet_post(
        client, url, {"verifiablePresentation": did_auth(request["challenge"], request["domain"])}
    )
    (copy,) = answer.get_json()["verifiablePresentation"]["verifiableCredential"]
    session.expire_all()
    found = session.get(IssuedCredential, record.id)
    assert found is not None
    revoke_record(session, found, reason="graded in error", actor=None, context=context(app))
    session.commit()
    (row,) = copies(session, record)
    assert row.is_revoked and "the record it copies was revoked" in (row.revocation_reason or "")
    report = platform_verifier(app, session).verify(copy)
    assert not report.verified
    assert any("revoked" in check.message for check in report.verification.checks)
    assert "Revoked" in mai.get(f"/records/{record.uuid}").get_data(as_text=True)
    # A revoked record goes to no wallet.
    token = csrf_from(mai, f"/records/{record.uuid}")
    refused = mai.post(f"/records/{record.uuid}/wallet", data={"csrf_token": token})
    assert refused.status_code == 409


def test_an_expired_exchange_is_gone(
    client: FlaskClient, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    page, url = start(mai, record)
    request = asked(client, url)
    exchange = session.scalar(
        select(WalletExchange).where(WalletExchange.user_id == record.user_id)
    )
    assert exchange is not None
    exchange.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert wallet_post(client, url, {}).status_code == 410
    late = wallet_post(
        client, url, {"verifiablePresentation": did_auth(request["challenge"], request["domain"])}
    )
    assert late.status_code == 410 and "expired" in late.get_json()["detail"]
    assert late.get_json()["title"] == "No longer available"
    assert not copies(session, record)
    assert "This exchange expired on" in mai.get(page.request.path).get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("challenge", "challenge"),
        ("domain", "domain"),
        ("signature", "signature"),
        ("unsigned", "not signed"),
        ("holder", "not the holder"),
        ("shape", "malformed"),
    ],
)
def test_a_presentation_that_does_not_prove_a_did_for_the_exchange_is_a_bad_request(
    client: FlaskClient,
    session: Session,
    holder: tuple[FlaskClient, IssuedCredential],
    change: str,
    says: str,
) -> None:
    mai, record = holder
    _page, url = start(mai, record)
    request = asked(client, url)
    challenge, domain = request["challenge"], request["domain"]
    presentation = did_auth(
        "another" if change == "challenge" else challenge,
        "https://elsewhere.example" if change == "domain" else domain,
        holder=OTHER if change == "holder" else None,
    )
    if change == "signature":
        presentation["holder"] = presentation["holder"]  # same holder, altered content:
        presentation["id"] = "urn:uuid:4b1c7d2e-0000-4000-8000-000000000001"
    elif change == "unsigned":
        del presentation["proof"]
    elif change == "shape":
        presentation["type"] = ["VerifiableCredential"]
    answer = wallet_post(client, url, {"verifiablePresentation": presentation})
    assert answer.status_code == 400, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    assert says in answer.get_json()["detail"]
    assert not copies(session, record)
    # The exchange is still open: the right answer completes it.
    good = wallet_post(client, url, {"verifiablePresentation": did_auth(challenge, domain)})
    assert good.status_code == 200


def test_the_exchange_takes_json_only_and_unknown_exchanges_are_not_found(
    client: FlaskClient, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    _page, url = start(mai, record)
    path = url.removeprefix(BASE_URL)
    form = client.post(path, data={"verifiablePresentation": "{}"})
    assert form.status_code == 415 and form.mimetype == "application/problem+json"
    assert form.get_json()["title"] == "Kiểu nội dung không được hỗ trợ"
    token = csrf_from(mai, f"/records/{record.uuid}")
    signed_in_form = mai.post(path, data={"csrf_token": token})
    assert signed_in_form.status_code == 415
    assert client.post(path, data="{", content_type="application/json").status_code == 400
    assert wallet_post(client, url, []).status_code == 400
    not_object = wallet_post(client, url, {"verifiablePresentation": "yes"})
    assert not_object.status_code == 400
    unknown = wallet_post(client, f"{BASE_URL}/wallet/exchanges/no-such-exchange", {})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert client.get(path).status_code == 405
    assert not copies(session, record)


def test_nobody_reaches_another_students_record_or_exchange(
    app: Flask, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    page, _url = start(mai, record)
    other = make_user(session, email="an.wallet@example.test")
    own = issue(app, session, other)
    an = browser(app, other.email)
    token = csrf_from(an, f"/records/{own.uuid}")
    assert an.post(f"/records/{record.uuid}/wallet", data={"csrf_token": token}).status_code == 404
    assert an.get(page.request.path).status_code == 404  # Mai's exchange page
    exchange_id = page.request.path.rsplit("/", 1)[1]
    assert an.get(f"/records/{own.uuid}/wallet/{exchange_id}").status_code == 404
    assert mai.get(f"/records/{record.uuid}/wallet/999999").status_code == 404
    # Without the CSRF token, no exchange is made.
    assert mai.post(f"/records/{record.uuid}/wallet").status_code == 400
    count = session.scalar(select(func.count()).select_from(WalletExchange))
    assert count == 1


def test_a_wallets_copy_of_a_recognition_record_is_suspended_and_confirmed_with_it(
    app: Flask, session: Session
) -> None:
    recognised = recognise(app, session, "binh.wallet@example.test")
    record, recognition = recognised.source, recognised.record
    copied = copy_to_wallet(app, session, recognition)
    copy = json.loads(copied.document)
    assert copy["credentialStatus"]["statusPurpose"] == "suspension"  # its one entry (OB 3.0)
    assert (
        copy["credentialStatus"]["id"] != json.loads(recognition.document)["credentialStatus"]["id"]
    )
    assert copy["credentialSubject"]["id"] == WALLET
    assert platform_verifier(app, session).verify(copy).verified

    # The source record is revoked: the recognition record and its copy are suspended …
    revoke_record(session, record, reason="Exam fraud", actor=None, context=context(app))
    assert recognition.is_suspended and copied.is_suspended and not copied.is_revoked
    verdict = verdict_of(platform_verifier(app, session).verify(copy).verification)
    assert verdict.reasons == ("suspended",)
    # … and confirmed with it.
    lift_suspension(session, recognition, context(app))
    assert not copied.is_suspended
    assert platform_verifier(app, session).verify(copy).verified
    # Revoked with it: the copy's suspension bit is set for good, the platform says "revoked".
    revoke_record(session, recognition, reason="Withdrawn", actor=None, context=context(app))
    assert copied.is_revoked
    verdict = verdict_of(platform_verifier(app, session).verify(copy).verification)
    assert verdict.reasons == ("revoked",)


def test_a_wallets_copy_of_a_transcript_verifies_and_is_revoked_with_it(
    app: Flask, session: Session
) -> None:
    learner = make_user(session)
    record = issue(app, session, learner)
    transcript = issue_transcript(session, learner, [record.uuid], context(app))
    copied = copy_to_wallet(app, session, transcript)
    copy = json.loads(copied.document)
    assert "ClrCredential" in copy["type"] and copy["credentialSubject"]["id"] == WALLET
    assert copy["credentialStatus"]["statusPurpose"] == "revocation"
    embedded = json.loads(transcript.document)["credentialSubject"]["verifiableCredential"]
    assert copy["credentialSubject"]["verifiableCredential"] == embedded
    assert platform_verifier(app, session).verify(copy).verified

    revoke_record(session, transcript, reason="Issued in error", actor=None, context=context(app))
    assert copied.is_revoked
    verdict = verdict_of(platform_verifier(app, session).verify(copy).verification)
    assert verdict.reasons == ("revoked",)


def _signed_for_challenge_only(challenge: str) -> dict[str, Any]:
    """A DIDAuth presentation as the LCW signs it from a deep link: the challenge, no domain."""
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": WALLET,
    }
    method = f"{WALLET}#{WALLET.removeprefix('did:key:')}"
    configuration = {
        **proof_configuration(method, utcnow(), AUTHENTICATION),
        "challenge": challenge,
    }
    signature = WALLET_KEY.sign(hash_data(unsigned, configuration))
    return {**unsigned, "proof": {**configuration, "proofValue": encode_base58btc(signature)}}


def test_the_lcw_direct_request_posts_the_presentation_itself(
    client: FlaskClient, session: Session, holder: tuple[FlaskClient, IssuedCredential]
) -> None:
    mai, record = holder
    _page, url = start(mai, record)
    exchange = session.scalar(
        select(WalletExchange).where(WalletExchange.user_id == record.user_id)
    )
    assert exchange is not None
    without_domain = _signed_for_challenge_only(exchange.challenge)
    # Asked through the VC API, the domain must be signed …
    wrapped = wallet_post(client, url, {"verifiablePresentation": without_domain})
    assert wrapped.status_code == 400 and "domain" in wrapped.get_json()["detail"]
    # … a domain signed for the direct request must be the platform's …
    elsewhere = did_auth(exchange.challenge, "https://elsewhere.example")
    assert wallet_post(client, url, elsewhere).status_code == 400
    # … and the deep link's challenge alone completes it.
    answer = wallet_post(client, url, without_domain)
    assert answer.status_code == 200, answer.get_json()
    (copy,) = answer.get_json()["verifiablePresentation"]["verifiableCredential"]
    assert copy["credentialSubject"]["id"] == WALLET
    assert len(copies(session, record)) == 1
