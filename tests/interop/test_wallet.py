"""The test wallet, written with Digital Bazaar's libraries, adds a record to itself through the
platform's VC API exchange on a live server: it proves a fresh did:key, receives a copy of the
record issued to that DID, and the Digital Bazaar verifier accepts the copy (issuer's did:web
document and status list fetched from the platform). Revoking the record later revokes the copy
for that verifier too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from mooc.credentials.core.did import did_web_document_url
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.services.revoking import revoke_record
from mooc.extensions import db
from tests.e2e.serving import off_the_event_loop
from tests.interop.jsref import Installation, js_verify
from tests.interop.records import bundled_contexts
from tests.interop.wallet import WalletPlatform, fetch_json, run_wallet, wallet_platform


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletPlatform]:
    with wallet_platform(tmp_path_factory.mktemp("wallet-interop")) as served:
        yield served


def _revoke(platform: WalletPlatform) -> None:
    def work() -> None:
        with platform.app.app_context():
            session = db.session
            record = session.scalars(
                select(IssuedCredential).where(IssuedCredential.uuid == platform.record_uuid)
            ).one()
            context = IssuingContext.from_settings(platform.app.config["MOOC_SETTINGS"])
            revoke_record(session, record, reason="issued in error", actor=None, context=context)
            session.commit()

    off_the_event_loop(work)


def test_the_digital_bazaar_wallet_receives_and_verifies_its_copy(
    js_reference: Installation, platform: WalletPlatform
) -> None:
    (plain,) = platform.exchanges(1)
    first, second = platform.exchanges(2, deep_links=True)
    # The VC API way from the plain exchange URL and from the LCW deep link a QR code carries;
    # then the LCW's direct way (the deep link's challenge signed, the presentation POSTed).
    results = [
        *run_wallet([plain, first], platform.live),
        *run_wallet([second], platform.live, direct=True),
    ]
    assert len(results) == 3
    for result in results:
        assert result.did.startswith("did:key:z6Mk")
        assert result.verified, result.errors
        assert not result.revoked and result.subject_is_mine
        assert result.credential["credentialSubject"]["id"] == result.did
        assert result.credential["id"].startswith("urn:uuid:")
    assert len({result.did for result in results}) == 3
    assert len({result.credential["id"] for result in results}) == 3

    # The record is revoked: its copies are, for the same verifier, from the published list.
    _revoke(platform)
    copy = results[0].credential
    status = copy["credentialStatus"]
    issuer = copy["issuer"]["id"]
    documents = {
        **bundled_contexts(),
        issuer: fetch_json(did_web_document_url(issuer), platform.live),
        status["statusListCredential"]: fetch_json(status["statusListCredential"], platform.live),
    }
    context_url = copy["@context"][-1]
    documents[context_url] = fetch_json(context_url, platform.live)
    verdict = js_verify(copy, documents)
    assert verdict.revoked, json.dumps(verdict.errors)
