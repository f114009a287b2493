"""eddsa-rdfc-2022 proofs on our records: round trips, and any altered field rejected."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mooc.credentials.core.did import find_verification_method
from mooc.credentials.core.multikey import VerificationMethod, resolve_did_key
from mooc.credentials.core.proof import ProofError, create_proof, verify_proof

from .samples import (
    CREATED,
    DID_KEY_METHOD,
    KEY,
    OLD_KEY,
    OLD_WEB_METHOD,
    signed_record,
    signed_transcript,
    university_did_document,
)


def web_key(method_id: str) -> VerificationMethod:
    return find_verification_method(university_did_document(), method_id)


def test_course_record_round_trip_with_did_web_issuer() -> None:
    record = signed_record()
    proof = record["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == CREATED
    assert proof["proofValue"].startswith("z")
    assert "@context" not in proof
    outcome = verify_proof(record, web_key)
    assert outcome.valid, outcome.message
    assert outcome.verification_methods[0].controller == record["issuer"]["id"]


def test_course_record_round_trip_with_did_key_issuer() -> None:
    record = signed_record(DID_KEY_METHOD)
    assert verify_proof(record, resolve_did_key).valid


def test_transcript_round_trip_and_its_embedded_records_verify() -> None:
    transcript = signed_transcript()
    assert verify_proof(transcript, web_key).valid
    for embedded in transcript["credentialSubject"]["verifiableCredential"]:
        assert verify_proof(embedded, web_key).valid


def test_json_key_order_and_whitespace_do_not_matter() -> None:
    record = signed_record()
    shuffled = json.loads(json.dumps(record, sort_keys=True, separators=(",", ":")))
    assert verify_proof(shuffled, web_key).valid


def test_records_signed_with_a_rotated_key_still_verify() -> None:
    record = create_proof(
        {k: v for k, v in signed_record().items() if k != "proof"}, OLD_KEY, OLD_WEB_METHOD, CREATED
    )
    assert verify_proof(record, web_key).valid


TAMPERINGS: list[tuple[str, tuple[Any, ...], Any]] = [
    ("credits earned", ("credentialSubject", "creditsEarned"), 4.0),
    ("grade", ("credentialSubject", "result", 0, "value"), "9.5"),
    ("course name", ("credentialSubject", "achievement", "name"), "CS999 Advanced"),
    ("credits available", ("credentialSubject", "achievement", "creditsAvailable"), 30.0),
    ("workload", ("credentialSubject", "achievement", "timeRequired"), "PT300H"),
    ("issuer name", ("issuer", "name"), "Fake University"),
    ("valid from", ("validFrom",), "2020-01-01T00:00:00Z"),
    ("learner", ("credentialSubject", "identifier", 0, "identityHash"), "sha256$" + "0" * 64),
    ("status index", ("credentialStatus", "statusListIndex"), "1"),
    ("outcome code", ("credentialSubject", "achievement", "alignment", 1, "targetCode"), "LO9"),
    ("completion date", ("credentialSubject", "activityEndDate"), "2024-01-01T00:00:00Z"),
    ("proof created", ("proof", "created"), "2025-07-01T08:00:00Z"),
]


@pytest.mark.parametrize(("field", "path", "value"), TAMPERINGS, ids=[t[0] for t in TAMPERINGS])
def test_a_single_altered_field_is_rejected(field: str, path: tuple[Any, ...], value: Any) -> None:
    record = signed_record()
    tampered = copy.deepcopy(record)
    node = tampered
    for step in path[:-1]:
        node = node[step]
    assert node[path[-1]] != value
    node[path[-1]] = value
    outcome = verify_proof(tampered, web_key)
    assert not outcome.valid
    assert "altered" in outcome.message


def test_a_proof_claiming_another_key_is_rejected() -> None:
    tampered = signed_record()
    tampered["proof"]["verificationMethod"] = OLD_WEB_METHOD
    assert not verify_proof(tampered, web_key).valid


def test_wrong_purpose_suite_or_value_is_rejected_with_a_reason() -> None:
    record = signed_record()
    cases = {
        "proofPurpose": ("authentication", "proof purpose"),
        "cryptosuite": ("ecdsa-sd-2023", "unsupported proof"),
        "proofValue": ("zNotASignature", "64 or 96 bytes"),
        "created": ("yesterday", "dateTimeStamp"),
    }
    for key, (value, reason) in cases.items():
        tampered = copy.deepcopy(record)
        tampered["proof"][key] = value
        outcome = verify_proof(tampered, web_key)
        assert not outcome.valid
        assert reason in outcome.message
    unsigned = {k: v for k, v in record.items() if k != "proof"}
    assert verify_proof(unsigned, web_key).message == "the document has no proof"


def test_unresolvable_key_is_a_failed_check_not_a_crash() -> None:
    def refuse(method_id: str) -> VerificationMethod:
        raise LookupError("unknown issuer")

    outcome = verify_proof(signed_record(), refuse)
    assert not outcome.valid
    assert "unknown issuer" in outcome.message


def test_a_second_proof_makes_a_proof_set_that_verifies() -> None:
    record = signed_record()
    both = create_proof(record, OLD_KEY, OLD_WEB_METHOD, CREATED)
    assert isinstance(both["proof"], list) and len(both["proof"]) == 2
    assert verify_proof(both, web_key).valid
    both["proof"][0]["proofValue"] = record["proof"]["proofValue"][:-2] + "11"
    assert not verify_proof(both, web_key).valid


def test_signing_refuses_a_document_without_context_or_a_bad_timestamp() -> None:
    with pytest.raises(ProofError, match="@context"):
        create_proof({"type": "VerifiableCredential"}, KEY, DID_KEY_METHOD, CREATED)
    with pytest.raises(ProofError, match="dateTimeStamp"):
        create_proof(signed_record(), KEY, DID_KEY_METHOD, "2025-06-30")
