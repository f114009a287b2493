"""Other issuers' proof suites through the VC API verify endpoint: ecdsa-rdfc-2019 (P-256,
P-384), eddsa-jcs-2022, Ed25519Signature2020 (VC 1.1) and eddsa-2022, each from a did:key."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, SECP384R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.proof import Signer, create_proof
from mooc.credentials.core.status_list import Bitstring
from mooc.credentials.core.suites import EcdsaSigner
from tests.helpers import csrf_from, platform_verifier, signing_settings

API = "/api/v1/vc-api/credentials/verify"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

pytestmark = pytest.mark.usefixtures("pepper")


def signed_by(suite: str, key: str) -> dict[str, Any]:
    """A record signed with `suite` by a fresh `key` ("ed25519", "p256", "p384")."""
    private: Any = (
        Ed25519PrivateKey.generate()
        if key == "ed25519"
        else generate_private_key(SECP256R1() if key == "p256" else SECP384R1())
    )
    signer: Signer = private if key == "ed25519" else EcdsaSigner(private)
    issuer = did_key(private.public_key())
    if suite == "Ed25519Signature2020":  # VC 1.1, as the DCC issuers sign
        document: dict[str, Any] = {
            "@context": ["https://www.w3.org/2018/credentials/v1", ED25519_2020],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "issuanceDate": "2024-03-16T22:37:26Z",
            "credentialSubject": {"id": "did:example:learner"},
        }
    else:
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
        }
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    return create_proof(
        document,
        signer,
        method,
        "2025-02-01T00:00:00Z",
        cryptosuite=suite,
        public_key=private.public_key(),
    )


def post(client: FlaskClient, body: Any) -> Any:
    return client.post(
        API,
        data=json.dumps({"verifiableCredential": body}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


@pytest.mark.parametrize(
    ("suite", "key"),
    [
        ("ecdsa-rdfc-2019", "p256"),
        ("ecdsa-rdfc-2019", "p384"),
        ("eddsa-jcs-2022", "ed25519"),
        ("Ed25519Signature2020", "ed25519"),
        ("eddsa-2022", "ed25519"),
    ],
)
def test_each_suite_verifies_and_an_altered_record_is_refused(
    client: FlaskClient, session: Session, suite: str, key: str
) -> None:
    record = signed_by(suite, key)
    answer = post(client, record)
    assert answer.status_code == 200, answer.get_json()
    checks = {check["id"]: check for check in answer.get_json()["checks"]}
    assert checks["signature"]["status"] == "passed"
    assert checks["issuer-resolved"]["status"] == "passed"
    record["credentialSubject"]["id"] = "did:example:someone-else"
    refused = post(client, record)
    assert refused.status_code == 400
    assert any("altered" in error for error in refused.get_json()["errors"])


def endorsed_record() -> dict[str, Any]:
    """A P-256 issuer's record that an Ed25519 key endorses (a proof set)."""
    record = signed_by("ecdsa-rdfc-2019", "p256")
    endorser = Ed25519PrivateKey.generate()
    endorser_did = did_key(endorser.public_key())
    method = f"{endorser_did}#{endorser_did.removeprefix('did:key:')}"
    return create_proof(record, endorser, method, "2025-02-02T00:00:00Z")


def test_a_proof_set_answers_with_each_endorsement(client: FlaskClient, session: Session) -> None:
    record = endorsed_record()
    answer = post(client, record)
    assert answer.status_code == 200, answer.get_json()
    (endorsement,) = answer.get_json()["endorsements"]
    assert endorsement["id"] == "endorsement" and endorsement["status"] == "passed"
    record["proof"][1]["created"] = "2025-02-03T00:00:00Z"  # the endorsement no longer verifies
    answer = post(client, record)
    assert answer.status_code == 200  # the issuer's proof decides; the endorsement is reported
    assert answer.get_json()["endorsements"][0]["status"] == "failed"


@pytest.mark.parametrize(("language", "label"), [("en", "Endorsement"), ("vi", "Chứng thực")])
def test_the_verify_page_shows_the_suite_result_and_the_endorsement(
    app: Flask, session: Session, language: str, label: str
) -> None:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    token = csrf_from(visitor, "/verify")
    page = visitor.post(
        "/verify", data={"csrf_token": token, "credential_json": json.dumps(endorsed_record())}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert label in text
    assert "zDn" in text  # the issuer's P-256 key, named in the signature check's detail


class _KeyDocumentServer:
    """An issuer's key document at its own URL, over loopback HTTP; counts the fetches."""

    def __init__(self) -> None:
        self.body = b"{}"
        self.fetches = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.issuer = f"http://{self.host}/issuers/5678"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def url_issued(issuer: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A P-256 record by an issuer named by its URL, and the key document it publishes there."""
    private = generate_private_key(SECP256R1())
    multikey = did_key(private.public_key()).removeprefix("did:key:")
    method = f"{issuer}#{multikey}"
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": issuer, "publicKeyMultibase": multikey}
        ],
        "assertionMethod": [method],
    }
    record = create_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
        },
        EcdsaSigner(private),
        method,
        "2025-02-01T00:00:00Z",
        cryptosuite="ecdsa-rdfc-2019",
        public_key=private.public_key(),
    )
    return record, document


def test_an_issuer_named_by_its_url_is_resolved_from_an_allowlisted_host_and_cached(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    server = _KeyDocumentServer()
    try:
        record, document = url_issued(server.issuer)
        server.body = json.dumps(document).encode()
        refused = post(client, record).get_json()  # not on the allowlist: never fetched
        with signing_settings(app, did_web_allowlist=(server.host,), status_list_max_age=600):
            first = post(client, record)
            again = post(client, record)
            tampered = {**record, "validFrom": "2024-01-01T00:00:00Z"}
            altered = post(client, tampered)
    finally:
        server.stop()
    issuer_check = next(c for c in refused["checks"] if c["id"] == "issuer-resolved")
    assert "not on this platform's allowlist" in issuer_check["message"]
    assert first.status_code == 200, first.get_json()
    checks = {check["id"]: check for check in first.get_json()["checks"]}
    assert "(key document)" in checks["issuer-resolved"]["message"]
    assert checks["signature"]["status"] == "passed"
    assert again.status_code == 200
    assert server.fetches == 1  # the second answer came from the cached key document
    assert altered.status_code == 400


def test_an_issuer_url_must_be_https_off_loopback(app: Flask, session: Session) -> None:
    record, _ = url_issued("http://issuer.example/keys")
    verifier = platform_verifier(app, session, allowlist=("issuer.example",))
    answer = verifier.verify(record).to_json()
    message = next(c for c in answer["checks"] if c["id"] == "issuer-resolved")["message"]
    assert "must be https" in message


def _with_status(key: Ed25519PrivateKey, document: dict[str, Any]) -> dict[str, Any]:
    did = did_key(key.public_key())
    return create_proof(
        {**document, "issuer": did}, key, f"{did}#{did[8:]}", "2025-02-01T00:00:00Z"
    )


STATUS_2021 = [
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://w3id.org/security/data-integrity/v2",
]


def status_2021_pair(list_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A VC 1.1 record with a StatusList2021Entry, and its signed list revoking it."""
    key = Ed25519PrivateKey.generate()
    record = _with_status(
        key,
        {
            "@context": STATUS_2021,
            "type": ["VerifiableCredential"],
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {
                "id": f"{list_url}#7",
                "type": "StatusList2021Entry",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusListCredential": list_url,
            },
        },
    )
    listing = _with_status(
        key,
        {
            "@context": STATUS_2021,
            "id": list_url,
            "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{list_url}#list",
                "type": "StatusList2021",
                "statusPurpose": "revocation",
                "encodedList": Bitstring.zeros().set(7).encode().removeprefix("u"),
            },
        },
    )
    return record, listing


def edtech_pair(list_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An OB 3.0 style record with a 1EdTechRevocationList status, and the list naming it."""
    record = _with_status(
        Ed25519PrivateKey.generate(),
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
            ],
            "id": "urn:uuid:0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5",
            "type": ["VerifiableCredential"],
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {"id": list_url, "type": "1EdTechRevocationList"},
        },
    )
    revoked = [{"id": record["id"], "revocationReason": "issued in error"}]
    return record, {"id": list_url, "issuer": record["issuer"], "revokedCredentials": revoked}


@pytest.mark.parametrize("pair", [status_2021_pair, edtech_pair])
def test_other_status_methods_are_read_from_an_allowlisted_host(
    app: Flask, client: FlaskClient, session: Session, pair: Any
) -> None:
    server = _KeyDocumentServer()
    list_url = f"http://{server.host}/status/1"
    try:
        record, listing = pair(list_url)
        server.body = json.dumps(listing).encode()
        with signing_settings(app, did_web_allowlist=(server.host,)):
            answer = post(client, record)
    finally:
        server.stop()
    assert answer.status_code == 400
    status = next(c for c in answer.get_json()["checks"] if c["id"] == "status")
    assert status["status"] == "failed" and "revoked" in status["message"], status
    signature = next(c for c in answer.get_json()["checks"] if c["id"] == "signature")
    assert signature["status"] == "passed"
