"""Presentations (holder proof with challenge and domain, then each credential), VC 1.1
credentials, and the name of an unsupported proof suite — all without an app."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.canonical import default_canonicalizer
from mooc.credentials.core.multibase import encode_base58btc
from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import (
    is_presentation,
    sign_presentation,
    verify_presentation,
)
from mooc.credentials.core.proof import create_proof, hash_data, proof_configuration
from mooc.credentials.core.structure import check_structure
from mooc.credentials.core.verify import Verification, Verifier

from .samples import CREATED, DID_KEY, DID_KEY_METHOD, KEY

NOW = datetime(2025, 9, 1, tzinfo=UTC)
HOLDER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
HOLDER = did_key(HOLDER_KEY.public_key())
HOLDER_METHOD = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"


def vc_1_1(**changes: Any) -> dict[str, Any]:
    unsigned = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential"],
        "issuer": DID_KEY,
        "issuanceDate": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER},
        **changes,
    }
    return create_proof(unsigned, KEY, DID_KEY_METHOD, CREATED)


def verifier() -> Verifier:
    return Verifier(is_trusted_issuer=lambda did: True, now=lambda: NOW)


def presented(
    *credentials: dict[str, Any], challenge: str = "abc", domain: str = "x.example"
) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": list(credentials),
    }
    configuration = {
        **proof_configuration(HOLDER_METHOD, CREATED, "authentication"),
        "challenge": challenge,
        "domain": domain,
    }
    signature = HOLDER_KEY.sign(hash_data(unsigned, configuration, default_canonicalizer()))
    return {**unsigned, "proof": {**configuration, "proofValue": encode_base58btc(signature)}}


def check_credential(credential: Any) -> Verification:
    return verifier().verify(credential)


def test_a_vc_1_1_credential_verifies_with_its_own_dates() -> None:
    assert check_structure(vc_1_1()).well_formed
    outcome = verifier().verify(vc_1_1())
    assert outcome.verified, outcome.to_json()
    assert "from 2023-01-01T00:00:00Z" in outcome.check("validity-period").message
    expired = verifier().verify(vc_1_1(expirationDate="2024-01-01T00:00:00Z"))
    assert expired.check("validity-period").status == "failed"
    assert "expired on 2024-01-01T00:00:00Z" in expired.errors
    undated = copy.deepcopy(vc_1_1())
    del undated["issuanceDate"]
    assert "a VC 1.1 credential needs issuanceDate" in check_structure(undated).errors


def test_another_suite_is_named_and_its_key_is_not_read() -> None:
    p256 = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
    record = {**vc_1_1(), "issuer": p256}
    record["proof"] = {**record["proof"], "cryptosuite": "ecdsa-sd-2023"}
    outcome = verifier().verify(record)
    assert outcome.errors == ("unsupported proof suite ecdsa-sd-2023",)
    assert all("Multikey" not in text for text in outcome.warnings)


def test_a_presentation_verifies_its_holder_and_each_credential() -> None:
    shown = presented(vc_1_1())
    outcome = verify_presentation(shown, check_credential, challenge="abc", domain="x.example")
    assert outcome.verified
    assert [check.status for check in outcome.checks] == ["passed", "passed"]
    assert outcome.credentials[0].verified


def test_a_replayed_or_altered_presentation_fails() -> None:
    shown = presented(vc_1_1())
    other = verify_presentation(shown, check_credential, challenge="new", domain="x.example")
    assert not other.verified and "challenge" in other.checks[1].message
    elsewhere = verify_presentation(shown, check_credential, challenge="abc", domain="y.example")
    assert not elsewhere.verified
    forged = copy.deepcopy(shown)
    forged["proof"]["challenge"] = "new"  # the challenge is signed: changing it breaks the proof
    assert not verify_presentation(forged, check_credential, challenge="new").verified
    stolen = {**shown, "holder": DID_KEY}
    outcome = verify_presentation(stolen, check_credential)
    assert not outcome.verified and "not the holder" in outcome.checks[1].message


def test_a_presentation_of_a_bad_credential_or_shape_fails() -> None:
    altered = vc_1_1()
    altered["credentialSubject"]["id"] = "did:example:other"
    outcome = verify_presentation(presented(altered), check_credential, challenge="abc")
    assert not outcome.verified and outcome.checks[1].status == "passed"
    assert not outcome.credentials[0].verified
    for broken in ({"type": ["VerifiablePresentation"]}, "text", {**presented(), "holder": "x y"}):
        result = verify_presentation(broken, check_credential)
        assert not result.verified and result.checks[0].status == "failed"
    unsigned = {key: value for key, value in presented().items() if key != "proof"}
    assert "not signed" in verify_presentation(unsigned, check_credential).checks[1].message


def test_a_presentation_signed_for_a_challenge_verifies_only_for_it() -> None:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": [vc_1_1()],
    }
    signed = sign_presentation(
        unsigned, HOLDER_KEY, HOLDER_METHOD, CREATED, challenge="c-7", domain="https://u.example"
    )
    assert is_presentation(signed) and not is_presentation(vc_1_1())
    assert signed["proof"]["proofPurpose"] == "authentication"
    answer = verify_presentation(
        signed, check_credential, challenge="c-7", domain="https://u.example"
    )
    assert answer.verified
    assert not verify_presentation(signed, check_credential, challenge="c-8").verified
    resigned = sign_presentation(
        signed, HOLDER_KEY, HOLDER_METHOD, CREATED, challenge="c-8", domain="https://u.example"
    )
    assert isinstance(resigned["proof"], dict)  # the old proof is replaced, not chained
    assert verify_presentation(resigned, check_credential, challenge="c-8").verified
