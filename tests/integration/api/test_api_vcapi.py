"""The W3C VC API: verifying credentials (VC 2.0 and 1.1) and presentations, issuing with an
institution's key and token, setting status; malformed, oversized and unauthorised calls."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.api.models import ApiScope
from mooc.credentials.core.canonical import default_canonicalizer
from mooc.credentials.core.multibase import encode_base58btc
from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.proof import create_proof, hash_data, proof_configuration
from mooc.credentials.models import VcApiAuditEntry, VcApiCredential
from mooc.db import utcnow
from tests.factories import make_user
from tests.integration.api.tokens import UNIVERSITY, bearer, make_token
from tests.integration.credentials.records import issue

API = "/api/v1/vc-api"
HOLDER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
HOLDER = did_key(HOLDER_KEY.public_key())
HOLDER_METHOD = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"
ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(50, 82)))
ISSUER = did_key(ISSUER_KEY.public_key())
ISSUER_METHOD = f"{ISSUER}#{ISSUER.removeprefix('did:key:')}"
# A P-256 did:key (the one of the W3C ecdsa suite's examples): another suite's key format.
P256_ISSUER = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"

pytestmark = pytest.mark.usefixtures("pepper")


def post(client: FlaskClient, path: str, body: Any, **headers: str) -> Any:
    return client.post(
        API + path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": "en", **headers},
    )


def credential(version: str = "2.0") -> dict[str, Any]:
    if version == "1.1":
        return {
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/data-integrity/v2",
            ],
            "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
            "type": ["VerifiableCredential"],
            "issuer": ISSUER,
            "issuanceDate": "2020-03-16T22:37:26Z",
            "credentialSubject": {"id": HOLDER},
        }
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:1f6d9c2e-5bf8-4ef1-9d58-1b1c1d3c8f20",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER},
    }


def signed(document: dict[str, Any]) -> dict[str, Any]:
    return create_proof(document, ISSUER_KEY, ISSUER_METHOD, utcnow())


def presentation(challenge: str, domain: str, *credentials: dict[str, Any]) -> dict[str, Any]:
    """A presentation signed by HOLDER for `challenge` and `domain` (authentication)."""
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": list(credentials),
    }
    configuration = {
        **proof_configuration(HOLDER_METHOD, utcnow(), "authentication"),
        "challenge": challenge,
        "domain": domain,
    }
    value = HOLDER_KEY.sign(hash_data(unsigned, configuration, default_canonicalizer()))
    return {**unsigned, "proof": {**configuration, "proofValue": encode_base58btc(value)}}


# --- verifying --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.0", "1.1"])
def test_a_valid_credential_answers_200_with_its_checks(
    client: FlaskClient, session: Session, version: str
) -> None:
    answer = post(
        client, "/credentials/verify", {"verifiableCredential": signed(credential(version))}
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["verified"] is True and body["errors"] == []
    assert {check["id"] for check in body["checks"]} >= {"signature", "validity-period"}
    # trust is the caller's decision in the VC API: a warning, not the verdict
    assert any("not on the trust list" in warning for warning in body["warnings"])


def test_an_altered_or_expired_credential_answers_400_problem_details(
    client: FlaskClient, session: Session
) -> None:
    altered = signed(credential())
    altered["credentialSubject"]["id"] = "did:example:someone-else"
    answer = post(client, "/credentials/verify", {"verifiableCredential": altered})
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["verified"] is False and "altered" in body["detail"]
    assert any("altered" in error for error in body["errors"])

    expired = signed({**credential("1.1"), "expirationDate": "2021-01-01T00:00:00Z"})
    answer = post(client, "/credentials/verify", {"verifiableCredential": expired})
    assert answer.status_code == 400
    assert "expired on 2021-01-01T00:00:00Z" in answer.get_json()["errors"]


def test_an_unsupported_suite_is_named_never_a_key_format(
    client: FlaskClient, session: Session
) -> None:
    document = {**credential(), "issuer": P256_ISSUER}
    document["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-sd-2023",
        "created": "2025-01-01T00:00:00Z",
        "verificationMethod": f"{P256_ISSUER}#{P256_ISSUER.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + "1" * 80,
    }
    answer = post(client, "/credentials/verify", {"verifiableCredential": document}).get_json()
    assert answer["errors"] == ["unsupported proof suite ecdsa-sd-2023"]
    assert not any("Multikey" in text or "publicKey" in text for text in answer["warnings"])
    document["proof"] = {**document["proof"], "type": "BbsBlsSignature2020"}
    del document["proof"]["cryptosuite"]
    answer = post(client, "/credentials/verify", {"verifiableCredential": document}).get_json()
    assert answer["errors"] == ["unsupported proof suite BbsBlsSignature2020"]


def test_bodies_that_are_not_credentials_are_refused_without_a_500(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    for body in ("not json", "[]"):
        refused = client.post(
            API + "/credentials/verify", data=body, content_type="application/json"
        )
        assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    as_string = {"verifiableCredential": json.dumps(signed(credential()))}
    assert post(client, "/credentials/verify", as_string).status_code == 400
    no_proof = {"verifiableCredential": {**credential(), "proof": None}}
    assert post(client, "/credentials/verify", no_proof).status_code == 400
    bad_options = {"verifiableCredential": signed(credential()), "options": []}
    assert post(client, "/credentials/verify", bad_options).status_code == 422
    huge = {"verifiableCredential": {**credential(), "padding": "x" * (600 * 1024)}}
    assert post(client, "/credentials/verify", huge).status_code == 413
    deep: Any = {}
    for _level in range(400):
        deep = {"a": deep}
    assert post(client, "/credentials/verify", {"verifiableCredential": deep}).status_code == 422


def test_a_presentation_answers_for_its_holder_and_each_credential(
    client: FlaskClient, session: Session
) -> None:
    shown = presentation("c-123", "registrar.example", signed(credential()))
    options = {"challenge": "c-123", "domain": "registrar.example"}
    body = {"verifiablePresentation": shown, "options": options}
    answer = post(client, "/presentations/verify", body)
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()
    assert result["verified"] is True
    assert [check["id"] for check in result["checks"]] == [
        "presentation-well-formed",
        "holder-proof",
    ]
    assert result["credentialResults"][0]["verified"] is True

    replayed = post(
        client, "/presentations/verify", {**body, "options": {**options, "challenge": "c-999"}}
    )
    assert replayed.status_code == 400
    assert "challenge" in replayed.get_json()["detail"]
    elsewhere = post(
        client, "/presentations/verify", {**body, "options": {**options, "domain": "x.example"}}
    )
    assert elsewhere.status_code == 400

    tampered = copy.deepcopy(shown)
    tampered["verifiableCredential"][0]["credentialSubject"]["id"] = "did:example:other"
    answer = post(client, "/presentations/verify", {**body, "verifiablePresentation": tampered})
    assert answer.status_code == 400  # the holder's proof covers the credentials too
    assert answer.get_json()["credentialResults"][0]["verified"] is False

    stranger = copy.deepcopy(shown)
    stranger["holder"] = ISSUER
    answer = post(client, "/presentations/verify", {**body, "verifiablePresentation": stranger})
    assert answer.status_code == 400 and "not the holder" in answer.get_json()["detail"]


# --- issuing and status ---------------------------------------------------------------------


def issuer_ids(client: FlaskClient, token: str) -> tuple[str, str]:
    """The university's did:web and did:key, read from a refusal that names both."""
    refused = post(client, "/credentials/issue", {"credential": credential()}, **bearer(token))
    assert refused.status_code == 422
    detail = refused.get_json()["detail"]
    web = detail.split("must be ")[1].split(" or ")[0]
    key = detail.split(" or ")[1].split(" (")[0]
    return web, key


def test_issuing_needs_a_token_with_the_permission(client: FlaskClient, session: Session) -> None:
    body = {"credential": credential()}
    assert post(client, "/credentials/issue", body).status_code == 401
    reader = make_token(session, scopes=(ApiScope.XAPI_READ,)).plaintext
    refused = post(client, "/credentials/issue", body, **bearer(reader))
    assert refused.status_code == 403
    assert refused.get_json()["scope"] == "credentials:issue"
    assert post(client, "/credentials/status", {}, **bearer(reader)).status_code == 403


@pytest.mark.parametrize("as_did_key", [False, True])
def test_an_issued_credential_verifies_and_is_logged(
    client: FlaskClient, session: Session, as_did_key: bool
) -> None:
    token = make_token(session, scopes=(ApiScope.CREDENTIALS_ISSUE,)).plaintext
    web, key = issuer_ids(client, token)
    assert web.startswith("did:web:") and key.startswith("did:key:z6Mk")
    posted = {**credential("1.1"), "issuer": key if as_did_key else web}
    posted["@context"] = posted["@context"][:1]  # the proof's context is added for VC 1.1
    made = post(client, "/credentials/issue", {"credential": posted}, **bearer(token))
    assert made.status_code == 201, made.get_json()
    issued = made.get_json()["verifiableCredential"]
    assert issued["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert issued["proof"]["verificationMethod"].startswith((key if as_did_key else web) + "#")
    assert issued["@context"][-1] == "https://w3id.org/security/data-integrity/v2"
    verified = post(client, "/credentials/verify", {"verifiableCredential": issued})
    assert verified.status_code == 200, verified.get_json()
    row = session.scalars(select(VcApiCredential)).one()
    assert row.credential_id == posted["id"] and json.loads(row.document) == issued
    entry = session.scalars(select(VcApiAuditEntry)).one()
    assert entry.action == "issue" and entry.actor_id is not None


def test_bad_credentials_are_not_signed(client: FlaskClient, session: Session) -> None:
    token = make_token(session, scopes=(ApiScope.CREDENTIALS_ISSUE,)).plaintext
    web, _key = issuer_ids(client, token)
    good = {**credential(), "issuer": web}
    cases: list[tuple[Any, int]] = [
        ({**good, "credentialSubject": {**good["credentialSubject"], "undefinedTerm": 1}}, 422),
        ({**good, "type": ["VerifiableCredential", "UndefinedType"]}, 422),
        ({key: value for key, value in good.items() if key != "credentialSubject"}, 422),
        ({key: value for key, value in good.items() if key != "@context"}, 422),
        ({**good, "issuer": "did:example:someone"}, 422),
        ({**good, "proof": {"type": "DataIntegrityProof"}}, 422),
        ({**good, "@context": ["https://schemas.example/unknown"]}, 422),
        ({**good, "id": "urn:uuid:" + "1" * 500}, 422),
        ("a string", 400),
    ]
    for posted, status in cases:
        answer = post(client, "/credentials/issue", {"credential": posted}, **bearer(token))
        assert answer.status_code == status, (posted, answer.get_json())
        assert answer.mimetype == "application/problem+json"
    asked = {"credential": good, "options": {"credentialStatus": {"type": "StatusList2021"}}}
    assert post(client, "/credentials/issue", asked, **bearer(token)).status_code == 422
    assert not session.scalars(select(VcApiCredential)).all()


def test_status_revokes_suspends_and_lifts_what_the_institution_signed(
    client: FlaskClient, session: Session
) -> None:
    token = make_token(session, scopes=(ApiScope.CREDENTIALS_ISSUE,)).plaintext
    web, _key = issuer_ids(client, token)
    status = {"type": "BitstringStatusListEntry", "statusPurpose": ["revocation", "suspension"]}
    body = {"credential": {**credential(), "issuer": web}, "options": {"credentialStatus": status}}
    issued = post(client, "/credentials/issue", body, **bearer(token)).get_json()
    vc = issued["verifiableCredential"]
    entries = vc["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    listed = client.get(entries[1]["statusListCredential"].removeprefix("http://mooc.test"))
    assert listed.status_code == 200
    assert listed.get_json()["credentialSubject"]["statusPurpose"] == "suspension"

    def verify() -> Any:
        return post(client, "/credentials/verify", {"verifiableCredential": vc})

    def change(item: dict[str, Any], credential_id: str | None = vc["id"]) -> Any:
        request = {"credentialId": credential_id, "credentialStatus": item}
        return post(client, "/credentials/status", request, **bearer(token))

    assert verify().status_code == 200
    suspend = {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": True}
    assert change(suspend).status_code == 200
    answer = verify()
    assert answer.status_code == 400 and "suspended" in answer.get_json()["detail"]
    assert change({**suspend, "status": False}).status_code == 200
    assert verify().status_code == 200
    by_entry = {"type": "BitstringStatusListEntry", "id": entries[0]["id"], "status": "revoked"}
    assert change(by_entry, credential_id=None).status_code == 200
    assert "revoked" in verify().get_json()["detail"]
    undo = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": False}
    assert change(undo).status_code == 409
    assert change(suspend, credential_id="urn:uuid:nobody").status_code == 404
    assert change({"type": "StatusList2021"}).status_code == 422
    publish = entries[0]["statusListCredential"].removeprefix("http://mooc.test") + "/publish"
    published = client.post(publish, json={}, headers=bearer(token))
    assert published.status_code == 204
    assert client.post(publish, json={}).status_code == 401
    actions = session.scalars(select(VcApiAuditEntry.action).order_by(VcApiAuditEntry.id)).all()
    assert actions == ["issue", "set-suspension", "clear-suspension", "set-revocation"]


def test_another_institution_cannot_set_the_status(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    token = make_token(session, scopes=(ApiScope.CREDENTIALS_ISSUE,)).plaintext
    web, _key = issuer_ids(client, token)
    body = {
        "credential": {**credential(), "issuer": web},
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
    }
    vc = post(client, "/credentials/issue", body, **bearer(token)).get_json()[
        "verifiableCredential"
    ]
    other = make_token(session, "dai-hoc-da-nang", scopes=(ApiScope.CREDENTIALS_ISSUE,)).plaintext
    item = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": True}
    refused = post(
        client,
        "/credentials/status",
        {"credentialId": vc["id"], "credentialStatus": item},
        **bearer(other),
    )
    assert refused.status_code == 404
    assert UNIVERSITY in web
    publish = vc["credentialStatus"]["statusListCredential"].removeprefix("http://mooc.test")
    assert client.post(publish + "/publish", json={}, headers=bearer(other)).status_code == 404


def test_a_platform_record_verifies_through_the_vc_api(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    record = issue(app, session, make_user(session))
    answer = post(
        client, "/credentials/verify", {"verifiableCredential": json.loads(record.document)}
    )
    assert answer.status_code == 200, answer.get_json()
    assert not any("trust list" in warning for warning in answer.get_json()["warnings"])


def test_vc_api_verifying_shares_the_public_verify_budget(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = app.config["MOOC_SETTINGS"].with_overrides(verify_limit_per_address="3 per minute")
    monkeypatch.setitem(app.config, "MOOC_SETTINGS", settings)
    visitor = app.test_client()
    body = {"verifiableCredential": signed(credential())}
    assert post(visitor, "/credentials/verify", body).status_code == 200
    shown = {"verifiablePresentation": presentation("c", "d", signed(credential()))}
    assert post(visitor, "/presentations/verify", shown).status_code == 200
    assert visitor.post("/api/v1/credentials/verify", json=body).status_code == 200
    refused = post(visitor, "/credentials/verify", body)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert post(visitor, "/presentations/verify", shown).status_code == 429
