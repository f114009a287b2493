"""The verifier's named checks, with the caller's DID, trust-list and status-list lookups."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.status_list import Bitstring, status_list_credential
from mooc.credentials.core.verify import Verification, Verifier, verify_credential

from .samples import (
    CREATED,
    DID_KEY,
    DID_KEY_METHOD,
    KEY,
    NOW,
    STATUS_LIST,
    UNIVERSITY_DID,
    WEB_METHOD,
    signed_record,
    signed_transcript,
    university_did_document,
)

CHECK_IDS = [
    "well-formed",
    "issuer-resolved",
    "signature",
    "issuer-trusted",
    "status",
    "validity-period",
]


def signed_list(revoked: tuple[int, ...] = (), did: str = UNIVERSITY_DID) -> dict[str, Any]:
    method = WEB_METHOD if did == UNIVERSITY_DID else DID_KEY_METHOD
    unsigned = status_list_credential(
        STATUS_LIST,
        did,
        Bitstring.zeros().set_many(revoked),
        datetime(2025, 6, 1, tzinfo=UTC),
    )
    return create_proof(unsigned, KEY, method, CREATED)


def resolve_own_issuers(did: str) -> Mapping[str, Any]:
    """Like the platform: its own institutions locally, nobody else."""
    if did != UNIVERSITY_DID:
        raise LookupError(f"{did} is not on the allowlist")
    return university_did_document()


def verifier(lists: Mapping[str, Any] | None = None, **changes: Any) -> Verifier:
    served = {STATUS_LIST: signed_list()} if lists is None else lists

    def fetch(url: str) -> Mapping[str, Any]:
        if url not in served:
            raise TimeoutError("connection timed out")
        return served[url]

    options: dict[str, Any] = {
        "resolve_did_web": resolve_own_issuers,
        "is_trusted_issuer": {UNIVERSITY_DID, DID_KEY}.__contains__,
        "fetch_status_list": fetch,
        "now": lambda: NOW,
    }
    options.update(changes)
    return Verifier(**options)


def statuses(result: Verification) -> dict[str, str]:
    return {check.id: check.status for check in result.checks}


def test_a_good_record_passes_every_named_check() -> None:
    result = verifier().verify(signed_record())
    assert [check.id for check in result.checks] == CHECK_IDS
    assert result.verified, result.to_json()
    answer = result.to_json()
    assert answer["verified"] is True
    assert answer["errors"] == [] and answer["warnings"] == []
    assert answer["checks"][4] == {
        "id": "status",
        "status": "passed",
        "message": f"not revoked (checked {STATUS_LIST})",
    }


def test_did_web_without_a_resolver_cannot_be_resolved() -> None:
    result = verifier(resolve_did_web=None).verify(signed_record())
    assert not result.verified
    assert statuses(result)["issuer-resolved"] == "failed"
    assert (
        "cannot resolve issuer did:web:mooc.example.edu" in result.check("issuer-resolved").message
    )
    assert statuses(result)["signature"] == "unknown"
    assert "cannot resolve issuer" in result.errors[0]


def test_issuers_outside_the_allowlist_are_not_resolved() -> None:
    record = signed_record()
    record["issuer"]["id"] = "did:web:other.example"
    result = verifier().verify(record)
    assert "not on the allowlist" in result.check("issuer-resolved").message
    assert not result.verified


def test_did_key_issuers_resolve_locally() -> None:
    record = signed_record(DID_KEY_METHOD)
    result = verifier({STATUS_LIST: signed_list(did=DID_KEY)}, resolve_did_web=None).verify(record)
    assert result.verified, result.to_json()
    assert "(did:key)" in result.check("issuer-resolved").message


def test_trust_list_decides_and_its_absence_is_unknown() -> None:
    untrusted = verifier(is_trusted_issuer=lambda did: False).verify(signed_record())
    assert statuses(untrusted)["issuer-trusted"] == "failed"
    assert not untrusted.verified
    unconsulted = verifier(is_trusted_issuer=None).verify(signed_record())
    assert statuses(unconsulted)["issuer-trusted"] == "unknown"
    assert "no trust list was consulted" in unconsulted.warnings
    assert not unconsulted.verified


def test_a_revoked_bit_fails_the_status_check() -> None:
    result = verifier({STATUS_LIST: signed_list(revoked=(94567,))}).verify(signed_record())
    assert statuses(result)["status"] == "failed"
    assert result.check("status").message == "the record is revoked (index 94567)"
    assert not result.verified


@pytest.mark.parametrize(
    ("served", "reason"),
    [
        ({}, f"cannot fetch {STATUS_LIST}: connection timed out"),
        ({STATUS_LIST: signed_list(did=DID_KEY)}, "not issued by the record's issuer"),
        ({STATUS_LIST: {**signed_list(), "id": "https://x.example/l"}}, "the fetched list is"),
    ],
    ids=["unreachable", "foreign issuer", "wrong list"],
)
def test_status_unknown_with_the_reason_never_not_revoked(
    served: dict[str, Any], reason: str
) -> None:
    result = verifier(served).verify(signed_record())
    status = result.check("status")
    assert status.status == "unknown"
    assert status.message.startswith("status unknown: ")
    assert reason in status.message
    assert "not revoked" not in status.message
    assert not result.verified


def test_a_status_list_with_a_broken_signature_cannot_answer() -> None:
    forged = copy.deepcopy(signed_list(revoked=(94567,)))
    forged["credentialSubject"]["encodedList"] = Bitstring.zeros().encode()  # "un-revoke"
    result = verifier({STATUS_LIST: forged}).verify(signed_record())
    assert result.check("status").status == "unknown"
    assert "status list's proof" in result.check("status").message


def test_validity_dates_are_enforced() -> None:
    record = signed_record(valid_until=datetime(2025, 8, 1, tzinfo=UTC))
    expired = verifier().verify(record)
    assert expired.check("validity-period").message == "expired on 2025-08-01T00:00:00Z"
    early = verifier(now=lambda: datetime(2025, 6, 29, tzinfo=UTC)).verify(signed_record())
    assert early.check("validity-period").message == "not valid before 2025-06-30T00:00:00Z"
    assert not expired.verified and not early.verified


def test_an_altered_record_fails_the_signature_check() -> None:
    record = signed_record()
    record["credentialSubject"]["creditsEarned"] = 30.0
    result = verifier().verify(record)
    assert statuses(result)["signature"] == "failed"
    assert any("altered" in error for error in result.errors)


def test_a_key_of_someone_else_cannot_sign_for_the_issuer() -> None:
    record = signed_record(DID_KEY_METHOD)
    record["issuer"]["id"] = UNIVERSITY_DID
    unsigned = {key: value for key, value in record.items() if key != "proof"}
    forged = create_proof(unsigned, KEY, DID_KEY_METHOD, CREATED)
    result = verifier().verify(forged)
    assert statuses(result)["signature"] == "failed"
    assert "not the issuer" in result.check("signature").message


def test_undefined_terms_fail_with_a_plain_message() -> None:
    record = signed_record()
    record["credentialSubject"]["favouriteColour"] = "blue"
    result = verifier().verify(record)
    assert "'favouriteColour' is not defined" in result.check("signature").message


def test_transcripts_verify_their_embedded_records_too() -> None:
    transcript = signed_transcript()
    result = verifier().verify(transcript)
    assert [check.id for check in result.checks] == [*CHECK_IDS, "embedded-credentials"]
    assert result.verified, result.to_json()
    revoked = verifier({STATUS_LIST: signed_list(revoked=(1207,))}).verify(transcript)
    embedded = revoked.check("embedded-credentials")
    assert embedded.status == "failed"
    assert "verifiableCredential[1]: the record is revoked (index 1207)" in embedded.message


def test_malformed_input_is_a_failed_check_not_a_crash() -> None:
    result = verify_credential(["not a credential"])
    assert result.to_json() == {
        "verified": False,
        "checks": [
            {
                "id": "well-formed",
                "status": "failed",
                "message": "a credential must be a JSON object",
            }
        ],
        "warnings": [],
        "errors": ["a credential must be a JSON object"],
    }
    broken = verify_credential({"@context": "nonsense", "proof": {"type": "DataIntegrityProof"}})
    assert not broken.verified
    assert broken.check("well-formed").status == "failed"


def test_hostile_shapes_give_answers_not_exceptions() -> None:
    record = signed_record()
    nested = signed_record()
    for _ in range(5):  # transcripts inside transcripts
        nested = {
            **record,
            "credentialSubject": {"type": "ClrSubject", "verifiableCredential": [nested]},
        }
    variants = [
        {**record, "type": [{"@value": 1}, []]},
        {**record, "@context": [*record["@context"][:3], {"timeRequired": {"@id": []}}]},
        {
            **record,
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusListIndex": "9" * 40},
        },
        {**record, "validFrom": ["2025-06-30T00:00:00Z"]},
        nested,
    ]
    for variant in variants:
        answer = verifier().verify(variant).to_json()
        assert answer["verified"] is False
        assert answer["errors"] or answer["warnings"]
