"""Every kind of record the platform issues passes the official 1EdTech OB 3.0 JSON Schema
(tests/data/schemas, unmodified): one status entry each, and records signed the old way (inline
context, a lone proof object, two status entries) still verify. The records as issued through
the platform are checked in tests/integration/credentials/test_credentials_schema.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from mooc.credentials.core.contexts import (
    CREDENTIALS_V2,
    OB_EXTENSIONS,
    OB_V3,
    bundled_loader,
    is_mooc_context_url,
    mooc_context_document,
    mooc_context_url,
)
from mooc.credentials.core.identity import LearnerDid, person_identities
from mooc.credentials.core.multikey import resolve_did_key
from mooc.credentials.core.proof import create_proof, verify_proof
from mooc.credentials.core.records import (
    LEGACY_RECORD_TERMS,
    Transcript,
    achievement_credential,
    clr_credential,
)
from mooc.credentials.core.status_list import StatusListEntry
from mooc.transfer.core.recognition import Recognition, SourceRecord, recognition_credential
from tests.ob_schema import schema_problems

from .samples import (
    BASE,
    CONTEXT_URL,
    CREATED,
    DID_KEY,
    DID_KEY_METHOD,
    KEY,
    SALT,
    STATUS_LIST,
    completion,
    issuer,
    k12_course,
    signed_transcript,
)

Json = dict[str, Any]


def problems(document: Json) -> list[str]:
    return schema_problems(document)


def signed(document: Json) -> Json:
    """Signed by a did:key as the platform signs records: the proof in an array."""
    return create_proof(document, KEY, DID_KEY_METHOD, CREATED, as_set=True)


def did_key_issuer() -> Any:
    return issuer(DID_KEY)


def university_record() -> Json:
    holder = person_identities("Nguyễn Văn An", "SV2025001", in_clear=True, salt=SALT)
    return achievement_credential(
        completion(issuer=did_key_issuer(), holder=holder), context_url=CONTEXT_URL
    )


def k12_record() -> Json:
    holder = person_identities("Lê Thị Bình", None, in_clear=False, salt=SALT)
    record = completion(
        issuer=did_key_issuer(), achievement=k12_course(), credits_earned=None, holder=holder
    )
    return achievement_credential(record, context_url=CONTEXT_URL)


def wallet_record() -> Json:
    record = completion(issuer=did_key_issuer(), recipient=LearnerDid("did:example:learner"))
    return achievement_credential(record, context_url=CONTEXT_URL)


SUSPENSION_LIST = f"{BASE}/institutions/hcmus/suspension/1"


def recognition_record(*, two_entries: bool = False) -> Json:
    """A recognition record as the platform issues it: one status entry, its suspension bit; or
    (`two_entries`) as it was issued before, with a revocation entry beside it."""
    suspension = StatusListEntry(SUSPENSION_LIST, 9321, "suspension")
    recognition = Recognition(
        credential_id="urn:uuid:0b7c5e1a-8a41-4d5e-9a0e-5c1f3b2d7e90",
        achievement_id=f"{BASE}/institutions/hcmus/courses/IT1010",
        issuer=did_key_issuer(),
        recipient=completion().recipient,
        course_code="IT1010",
        course_title="Nhập môn lập trình",
        credits=Decimal(3),
        sources=(SourceRecord("urn:uuid:2f0c7b9e-8d4a-4f1e-9c3b-5a6d7e8f9a01", "CS101", DID_KEY),),
        decided_at=datetime(2026, 2, 2, tzinfo=UTC),
        status=StatusListEntry(STATUS_LIST, 48213) if two_entries else suspension,
        suspension=suspension if two_entries else None,
    )
    return recognition_credential(recognition, context_url=CONTEXT_URL)


RECORDS = {
    "university course record": university_record,
    "school (K-12) course record": k12_record,
    "record bound to the learner's DID": wallet_record,
    "credit recognition record": recognition_record,
}


@pytest.mark.parametrize("build", RECORDS.values(), ids=list(RECORDS))
def test_signed_records_pass_the_ob_schema(build: Any) -> None:
    record = signed(build())
    assert problems(record) == []
    assert isinstance(record["proof"], list)
    assert CONTEXT_URL in record["@context"]
    assert all(isinstance(context, str) for context in record["@context"])
    assert verify_proof(record, resolve_did_key).valid


def test_a_recognition_record_names_one_suspension_entry() -> None:
    record = signed(recognition_record())
    assert record["credentialStatus"]["statusPurpose"] == "suspension"
    assert record["credentialStatus"]["statusListCredential"] == SUSPENSION_LIST


def test_why_one_entry_an_older_two_entry_recognition_fails_the_schema() -> None:
    # Records issued before carry a revocation and a suspension entry (VC 2.0 allows a list);
    # the OB 3.0 schema allows one object: that, and only that, is what it finds wrong.
    record = signed(recognition_record(two_entries=True))
    assert [problem.partition(":")[0] for problem in problems(record)] == ["credentialStatus"]
    assert len(record["credentialStatus"]) == 2
    assert verify_proof(record, resolve_did_key).valid  # it still verifies


def test_the_records_a_transcript_gathers_pass_the_ob_schema() -> None:
    # No CLR 2.0 schema is vendored (see tests/data/schemas/README.md): the transcript's own
    # shape is checked by `core.structure`; each OB 3.0 record it embeds must pass the OB schema.
    transcript = signed_transcript()
    assert transcript["@context"][-1] == CONTEXT_URL
    embedded = transcript["credentialSubject"]["verifiableCredential"]
    assert len(embedded) == 2
    for record in embedded:
        assert problems(signed({k: v for k, v in record.items() if k != "proof"})) == []


def test_the_schema_can_fail() -> None:
    record = signed(university_record())
    lone_proof = {**record, "proof": record["proof"][0]}
    assert any(problem.startswith("proof:") for problem in problems(lone_proof))
    no_subject = {k: v for k, v in record.items() if k != "credentialSubject"}
    assert any("credentialSubject" in problem for problem in problems(no_subject))
    wrong_type = {**record, "type": ["VerifiableCredential"]}
    assert problems(wrong_type)


def test_a_transcript_is_signed_with_its_context_url() -> None:
    transcript = clr_credential(
        wallet_transcript(), context_url=mooc_context_url("https://other.example.vn/")
    )
    assert transcript["@context"][-1] == "https://other.example.vn/contexts/mooc/v1.jsonld"
    assert verify_proof(signed(transcript), resolve_did_key).valid


def wallet_transcript() -> Transcript:
    record = signed(wallet_record())
    return Transcript(
        credential_id="urn:uuid:2f0c7b9e-8d4a-4f1e-9c3b-5a6d7e8f9aff",
        issuer=did_key_issuer(),
        name="Transcript of records",
        recipient=LearnerDid("did:example:learner"),
        credentials=(record,),
        valid_from=datetime(2025, 7, 1, tzinfo=UTC),
    )


def test_records_signed_the_old_way_still_verify() -> None:
    """Inline platform terms and a lone proof object: how records were issued before v1."""
    old = university_record()
    old["@context"] = [CREDENTIALS_V2, OB_V3, OB_EXTENSIONS, LEGACY_RECORD_TERMS]
    signed_old = create_proof(old, KEY, DID_KEY_METHOD, CREATED)
    assert isinstance(signed_old["proof"], dict)
    assert verify_proof(signed_old, resolve_did_key).valid
    # Same terms, same meaning: the statements signed are the same under either context.
    new = create_proof(university_record(), KEY, DID_KEY_METHOD, CREATED)
    assert new["proof"]["proofValue"] == signed_old["proof"]["proofValue"]
    tampered = json.loads(json.dumps(signed_old))
    tampered["credentialSubject"]["creditsEarned"] = 30.0
    assert not verify_proof(tampered, resolve_did_key).valid


def test_the_bundled_context_defines_exactly_the_legacy_terms() -> None:
    assert mooc_context_document() == {"@context": LEGACY_RECORD_TERMS}


def test_the_context_url_is_answered_from_the_bundle_on_any_deployment() -> None:
    loader = bundled_loader()
    for base in ("https://mooc.example.edu", "http://127.0.0.1:5000", "https://u.example/mooc"):
        url = mooc_context_url(base)
        assert is_mooc_context_url(url)
        assert loader(url)["document"] == mooc_context_document()
    for url in (
        "https://mooc.example.edu/contexts/mooc/v2.jsonld",
        "https://mooc.example.edu/contexts/mooc/v1.jsonld?x=1",
        "ftp://mooc.example.edu/contexts/mooc/v1.jsonld",
    ):
        assert not is_mooc_context_url(url)


def test_records_refuse_a_context_url_the_verifier_would_not_resolve() -> None:
    with pytest.raises(ValueError, match="published context URL"):
        achievement_credential(completion(), context_url="https://elsewhere.example/terms.json")
