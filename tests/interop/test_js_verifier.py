"""The independent check: records issued by the Python core, judged by the JavaScript reference.

Digital Bazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite and the Bitstring Status
List checker verify, fully offline, what the Python core signs: OB 3.0 course records (did:web
and did:key issuers), a CLR 2.0 transcript with its embedded records, revocation; and reject
every single-field tampering. A record only counts as interoperable if both sides agree.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from mooc.credentials.core.contexts import CREDENTIALS_V2
from mooc.credentials.core.did import did_web_document_url, find_verification_method
from mooc.credentials.core.multikey import VerificationMethod, resolve_did_key
from mooc.credentials.core.proof import verify_proof
from mooc.credentials.core.records import LEGACY_RECORD_TERMS, achievement_credential
from mooc.credentials.core.status_list import (
    Bitstring,
    StatusListEntry,
    is_status_set,
    status_list_credential,
)
from tests.ob_schema import schema_problems

from .jsref import NODE_MODULES, Installation, JsVerdict, js_verify
from .records import (
    BASE,
    CONTEXT_URL,
    DID_KEY,
    LIFTED_AT,
    NOW,
    RECORD_INDEX,
    REVOKED_AT,
    REVOKED_INDEX,
    ROTATED_KEY,
    ROTATED_WEB_METHOD,
    SECOND_RECORD_INDEX,
    STATUS_LIST_URL,
    STRANGER_KEY,
    SUSPENDED_AT,
    UNIVERSITY_DID,
    WEB_METHOD,
    Issued,
    Json,
    bundled_contexts,
    completion,
    course_record,
    did_key_course_record,
    hashed_holder_record,
    recognition_record,
    revoked_course_record,
    sign,
    status_list,
    transcript,
    transcript_records,
    university_did_document,
)
from .suites import CASES as SUITE_CASES
from .suites import SuiteCase
from .suites import resolve_key as resolve_suite_key
from .suites import sign as sign_with_suite
from .suites import unsigned_record as suite_record

pytestmark = pytest.mark.interop

CONTEXTS = bundled_contexts()
REFUSED = "offline document loader refused"


def check(
    issued: Issued,
    credential: Mapping[str, Any] | None = None,
    documents: Mapping[str, Json] | None = None,
) -> JsVerdict:
    """The reference's verdict on `credential` (default: the issued one) with only the bundled
    contexts and `documents` (default: those the issued record needs) loadable."""
    served = issued.documents if documents is None else documents
    return js_verify(
        issued.credential if credential is None else credential, {**CONTEXTS, **served}, NOW
    )


def python_accepts_proof(credential: Mapping[str, Any]) -> bool:
    """Whether the Python core's own verifier accepts the proof (for the two sides to agree)."""

    def resolve(method_id: str) -> VerificationMethod:
        if method_id.startswith("did:key:"):
            return resolve_did_key(method_id)
        return find_verification_method(university_did_document(), method_id)

    return verify_proof(credential, resolve).valid


def assert_valid(verdict: JsVerdict) -> None:
    assert verdict.errors == ()
    assert verdict.verified
    assert not verdict.revoked


# --- records that must verify ------------------------------------------------------------------


def test_course_record_from_a_did_web_issuer_verifies(js_reference: Installation) -> None:
    issued = course_record()
    subject = issued.credential["credentialSubject"]
    assert subject["creditsEarned"] == 4.0
    assert subject["achievement"]["creditsAvailable"] == 4.0
    assert [proof["verificationMethod"] for proof in issued.credential["proof"]] == [WEB_METHOD]
    # It carries the TT08 scales: 10-point, letter (rubric levels) and 4-point results.
    assert [r["value"] for r in subject["result"]] == ["8.5", "8.5", "A", "4.0"]
    assert subject["result"][2]["achievedLevel"].endswith("#letter-grade-A")
    # Its holder by name and student number, in clear, as OB 3.0 IdentityObjects.
    assert [(i["identityType"], i["hashed"]) for i in subject["identifier"]] == [
        ("emailAddress", True),
        ("name", False),
        ("ext:studentId", False),
    ]

    verdict = check(issued)

    assert_valid(verdict)
    assert verdict.status_checked
    assert python_accepts_proof(issued.credential)


def test_the_platform_context_is_named_by_url_and_resolved_like_any_context(
    js_reference: Installation,
) -> None:
    issued = course_record()
    assert issued.credential["@context"][-1] == CONTEXT_URL
    without_it = {url: doc for url, doc in CONTEXTS.items() if url != CONTEXT_URL}

    verdict = js_verify(issued.credential, {**without_it, **issued.documents}, NOW)

    assert not verdict.verified
    assert verdict.says(f"{REFUSED} {CONTEXT_URL}")


def test_record_signed_the_old_way_still_verifies(js_reference: Installation) -> None:
    """Before the versioned context: the platform terms inline and a lone proof object."""
    unsigned = achievement_credential(completion(), context_url=CONTEXT_URL)
    unsigned["@context"] = [*unsigned["@context"][:-1], LEGACY_RECORD_TERMS]
    old = sign(unsigned, as_set=False)
    assert isinstance(old["proof"], dict)

    assert_valid(check(replace(course_record(), credential=old)))
    assert python_accepts_proof(old)


def test_did_web_document_can_be_served_at_its_published_address(
    js_reference: Installation,
) -> None:
    issued = course_record()
    documents = {
        STATUS_LIST_URL: issued.documents[STATUS_LIST_URL],
        did_web_document_url(UNIVERSITY_DID): university_did_document(),
    }
    assert_valid(check(issued, documents=documents))


def test_course_record_from_a_did_key_issuer_verifies(js_reference: Installation) -> None:
    issued = did_key_course_record()
    assert issued.credential["issuer"]["id"] == DID_KEY
    assert not any(url.startswith("did:") for url in issued.documents)

    verdict = check(issued)

    assert_valid(verdict)
    assert verdict.status_checked
    assert python_accepts_proof(issued.credential)


def test_record_naming_its_holder_only_by_hashes_verifies(js_reference: Installation) -> None:
    issued = hashed_holder_record()
    identifiers = issued.credential["credentialSubject"]["identifier"]
    assert all(identifier["hashed"] for identifier in identifiers)
    assert "Mai" not in json.dumps(issued.credential, ensure_ascii=False)
    assert_valid(check(issued))
    assert python_accepts_proof(issued.credential)


def test_recognition_record_names_one_suspension_entry_and_verifies(
    js_reference: Installation,
) -> None:
    standing = recognition_record(suspended=False)
    assert standing.credential["credentialStatus"]["statusPurpose"] == "suspension"
    assert schema_problems(standing.credential) == []  # one entry: the OB 3.0 schema passes
    verdict = check(standing)
    assert_valid(verdict)
    assert verdict.status_checked and not verdict.suspended
    assert python_accepts_proof(standing.credential)


def test_recognition_record_read_suspended_lifted_and_revoked(js_reference: Installation) -> None:
    """Its one suspension bit in each later version of the list: suspended, refused; lifted (the
    university confirmed it), valid again; revoked (the bit set for good), refused, reported as
    suspended: offline, "suspended" is as good as "not valid"."""
    suspended = check(recognition_record(suspended=True, listed_at=SUSPENDED_AT))
    assert suspended.status_checked and suspended.suspended and not suspended.revoked
    lifted = check(recognition_record(suspended=False, listed_at=LIFTED_AT))
    assert_valid(lifted)
    assert lifted.status_checked and not lifted.suspended
    revoked = check(recognition_record(suspended=True, listed_at=REVOKED_AT))
    assert revoked.suspended and not revoked.revoked


def test_tampered_recognition_record_is_rejected(js_reference: Installation) -> None:
    issued = recognition_record(suspended=False)
    tampered = copy.deepcopy(issued.credential)
    tampered["credentialSubject"]["creditsEarned"] = 30
    verdict = check(issued, credential=tampered)
    assert not verdict.verified and not verdict.suspended
    assert not python_accepts_proof(tampered)


def test_older_two_entry_recognition_record_still_verifies(js_reference: Installation) -> None:
    old = recognition_record(suspended=False, two_entries=True)
    statuses = old.credential["credentialStatus"]
    assert [entry["statusPurpose"] for entry in statuses] == ["revocation", "suspension"]
    assert_valid(check(old))
    suspended = check(recognition_record(suspended=True, two_entries=True))
    assert suspended.suspended and not suspended.revoked


def test_record_signed_with_a_rotated_but_published_key_verifies(
    js_reference: Installation,
) -> None:
    unsigned = achievement_credential(completion(), context_url=CONTEXT_URL)
    issued = replace(course_record(), credential=sign(unsigned, ROTATED_WEB_METHOD, ROTATED_KEY))
    assert_valid(check(issued))


def test_transcript_verifies_with_each_embedded_record(js_reference: Installation) -> None:
    issued = transcript()
    embedded = issued.credential["credentialSubject"]["verifiableCredential"]
    assert [record["credentialSubject"]["creditsEarned"] for record in embedded] == [4.0, 3.0]
    assert issued.credential["credentialSubject"]["numberOfCredits"] == 7.0

    verdict = check(issued)

    assert_valid(verdict)
    assert [inner.id for inner in verdict.embedded] == [record["id"] for record in embedded]
    for inner in verdict.embedded:
        assert inner.verified
        assert inner.status_checked
        assert not inner.revoked
        assert inner.errors == ()


# --- revocation --------------------------------------------------------------------------------


def test_revoked_record_is_reported_revoked(js_reference: Installation) -> None:
    issued = revoked_course_record()
    entry = StatusListEntry.from_json(issued.credential["credentialStatus"])
    assert entry.index == REVOKED_INDEX
    assert is_status_set(issued.documents[STATUS_LIST_URL], entry)

    verdict = check(issued)

    # the proofs and the (signed) list check out; the set bit is what says "revoked"
    assert verdict.verified
    assert verdict.status_checked
    assert verdict.revoked
    assert not verdict.suspended


def test_the_same_record_is_not_revoked_on_a_list_without_its_bit(
    js_reference: Installation,
) -> None:
    issued = revoked_course_record()
    other_bits = {STATUS_LIST_URL: status_list(revoked=[REVOKED_INDEX + 1, RECORD_INDEX])}

    verdict = check(issued, documents={**issued.documents, **other_bits})

    assert_valid(verdict)
    assert verdict.status_checked


def test_revoked_record_inside_a_transcript_is_reported(js_reference: Installation) -> None:
    issued = transcript(revoked=[SECOND_RECORD_INDEX])

    verdict = check(issued)

    assert verdict.verified
    assert verdict.revoked
    assert [inner.revoked for inner in verdict.embedded] == [False, True]


def test_status_list_altered_after_signing_is_rejected(js_reference: Installation) -> None:
    issued = revoked_course_record()
    forged = copy.deepcopy(issued.documents[STATUS_LIST_URL])
    forged["credentialSubject"]["encodedList"] = status_list()["credentialSubject"]["encodedList"]

    verdict = check(issued, documents={**issued.documents, STATUS_LIST_URL: forged})

    assert not verdict.verified
    assert not verdict.revoked
    assert verdict.says('"BitstringStatusListCredential" not verified')


def test_status_list_signed_by_another_issuer_is_rejected(js_reference: Installation) -> None:
    issued = course_record()
    foreign = {STATUS_LIST_URL: status_list(did=DID_KEY)}

    verdict = check(issued, documents={**issued.documents, **foreign})

    assert not verdict.verified
    assert verdict.says("Issuers of the status list credential and verifiable credential")


# --- the loader serves only what it is given ---------------------------------------------------


def test_missing_status_list_is_refused_not_fetched(js_reference: Installation) -> None:
    issued = course_record()
    verdict = check(issued, documents={UNIVERSITY_DID: university_did_document()})
    assert not verdict.verified
    assert verdict.says(f"{REFUSED} {STATUS_LIST_URL}")


def test_missing_did_document_is_refused_not_fetched(js_reference: Installation) -> None:
    issued = course_record()
    verdict = check(issued, documents={STATUS_LIST_URL: issued.documents[STATUS_LIST_URL]})
    assert not verdict.verified
    assert verdict.says(f"{REFUSED} {WEB_METHOD}")


def test_context_not_given_is_refused_not_fetched(js_reference: Installation) -> None:
    unknown = "https://contexts.example.org/credit-extension/v1"
    record = achievement_credential(completion(), context_url=CONTEXT_URL)
    record["@context"] = [*record["@context"], unknown]
    issued = course_record()

    verdict = check(issued, credential={**record, "proof": issued.credential["proof"]})

    assert not verdict.verified
    assert verdict.says(f"{REFUSED} {unknown}")


# --- keys --------------------------------------------------------------------------------------


def test_record_signed_with_an_unpublished_key_is_rejected(js_reference: Installation) -> None:
    issued = course_record()
    forged = sign(
        achievement_credential(completion(), context_url=CONTEXT_URL), WEB_METHOD, STRANGER_KEY
    )
    verdict = check(issued, credential=forged)
    assert not verdict.verified
    assert verdict.says("Invalid signature")


def test_key_not_listed_for_assertion_is_rejected(js_reference: Installation) -> None:
    issued = course_record()
    document = university_did_document()
    document["assertionMethod"] = [ROTATED_WEB_METHOD]  # key-2026 listed, not allowed to assert

    verdict = check(issued, documents={**issued.documents, UNIVERSITY_DID: document})

    assert not verdict.verified
    assert verdict.says(f'Verification method "{WEB_METHOD}" not authorized')


# --- validity period ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"valid_until": datetime(2026, 6, 30, tzinfo=UTC)}, "after"),
        ({"valid_from": datetime(2026, 12, 1, tzinfo=UTC)}, "before"),
    ],
    ids=["expired", "not-yet-valid"],
)
def test_records_outside_their_validity_period_are_rejected(
    js_reference: Installation, changes: dict[str, Any], reason: str
) -> None:
    issued = course_record()
    record = sign(achievement_credential(completion(**changes), context_url=CONTEXT_URL))
    verdict = check(issued, credential=record)
    assert not verdict.verified
    assert verdict.says(f'{reason} "valid')


# --- tampering ---------------------------------------------------------------------------------

Tamper = Callable[[Json], None]


def _subject(record: Json) -> Json:
    subject: Json = record["credentialSubject"]
    return subject


def _set(path: tuple[str | int, ...], value: Any) -> Tamper:
    def tamper(record: Json) -> None:
        node: Any = record
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return tamper


def _delete(path: tuple[str | int, ...]) -> Tamper:
    def tamper(record: Json) -> None:
        node: Any = record
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return tamper


def _change_one_proof_character(record: Json) -> None:
    proof = record["proof"][0]
    value: str = proof["proofValue"]
    middle = len(value) // 2
    replacement = "2" if value[middle] != "2" else "3"
    proof["proofValue"] = value[:middle] + replacement + value[middle + 1 :]


def _change_identity_hash(record: Json) -> None:
    identity = _subject(record)["identifier"][0]
    digest: str = identity["identityHash"]
    identity["identityHash"] = digest[:-1] + ("0" if digest[-1] != "0" else "1")


def _drop_record_terms_context(record: Json) -> None:
    record["@context"] = [c for c in record["@context"] if c != CONTEXT_URL]


SUBJECT = ("credentialSubject",)
ACHIEVEMENT = (*SUBJECT, "achievement")
INVALID_SIGNATURE = "Invalid signature"
UNDEFINED_TERM = "Safe mode validation error"

TAMPERINGS: dict[str, tuple[Tamper, str]] = {
    "grade": (_set((*SUBJECT, "result", 0, "value"), "9.5"), INVALID_SIGNATURE),
    "result-status": (_set((*SUBJECT, "result", 0, "status"), "Failed"), INVALID_SIGNATURE),
    "credits-earned": (_set((*SUBJECT, "creditsEarned"), 5.0), INVALID_SIGNATURE),
    "credits-available": (_set((*ACHIEVEMENT, "creditsAvailable"), 6.0), INVALID_SIGNATURE),
    "workload-hours": (_set((*ACHIEVEMENT, "timeRequired"), "PT300H"), INVALID_SIGNATURE),
    "record-name": (_set(("name",), "MI1112 Giải tích II (Calculus II)"), INVALID_SIGNATURE),
    "achievement-name": (
        _set((*ACHIEVEMENT, "name"), "MI1111 Calculus (honours)"),
        INVALID_SIGNATURE,
    ),
    "achievement-id": (
        _set((*ACHIEVEMENT, "id"), "https://learn.mooc.example.edu/courses/mi1112/achievement"),
        INVALID_SIGNATURE,
    ),
    "issuer-id": (
        _set(("issuer", "id"), "did:web:learn.mooc.example.edu:institutions:other"),
        INVALID_SIGNATURE,
    ),
    "issuer-name": (_set(("issuer", "name"), "Another University"), INVALID_SIGNATURE),
    "valid-from": (_set(("validFrom",), "2026-01-11T00:00:00Z"), INVALID_SIGNATURE),
    "subject-identity-hash": (_change_identity_hash, INVALID_SIGNATURE),
    "status-index": (_set(("credentialStatus", "statusListIndex"), "48214"), INVALID_SIGNATURE),
    "proof-created": (_set(("proof", 0, "created"), "2026-01-15T09:30:01Z"), INVALID_SIGNATURE),
    "proof-value-one-character": (_change_one_proof_character, INVALID_SIGNATURE),
    "proof-other-published-key": (
        _set(("proof", 0, "verificationMethod"), ROTATED_WEB_METHOD),
        INVALID_SIGNATURE,
    ),
    "proof-purpose": (
        _set(("proof", 0, "proofPurpose"), "authentication"),
        "insufficient proofs matched",
    ),
    "added-defined-property": (_set(("validUntil",), "2030-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "added-undefined-property": (_set((*SUBJECT, "honours"), True), UNDEFINED_TERM),
    "removed-criteria": (_delete((*ACHIEVEMENT, "criteria")), INVALID_SIGNATURE),
    "removed-valid-from": (_delete(("validFrom",)), INVALID_SIGNATURE),
    "removed-record-terms-context": (_drop_record_terms_context, UNDEFINED_TERM),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampered_record_is_rejected(js_reference: Installation, name: str) -> None:
    tamper, reason = TAMPERINGS[name]
    issued = course_record()
    tampered = copy.deepcopy(issued.credential)
    tamper(tampered)
    assert tampered != issued.credential

    verdict = check(issued, credential=tampered)

    assert not verdict.verified
    assert not verdict.revoked
    assert verdict.says(reason), verdict.errors
    assert not verdict.says(REFUSED), verdict.errors
    assert not python_accepts_proof(tampered)  # the core's own verifier agrees


def test_tampered_record_inside_a_resigned_transcript_is_rejected(
    js_reference: Installation,
) -> None:
    calculus, algebra = transcript_records()
    calculus = copy.deepcopy(calculus)
    _subject(calculus)["creditsEarned"] = 5.0  # more credits, then a fresh transcript proof
    issued = transcript((calculus, algebra))

    verdict = check(issued)

    assert not verdict.verified
    assert [inner.verified for inner in verdict.embedded] == [False, True]
    assert verdict.says(f"verifiableCredential[0]: {INVALID_SIGNATURE}")
    assert not verdict.embedded[1].errors


def test_transcript_edited_after_signing_is_rejected(js_reference: Installation) -> None:
    issued = transcript()
    tampered = copy.deepcopy(issued.credential)
    _subject(tampered)["numberOfCredits"] = 9.0

    verdict = check(issued, credential=tampered)

    assert not verdict.verified
    assert verdict.says(INVALID_SIGNATURE)


# --- the reference and the bundle agree on the data model's own context ------------------------


def test_bundled_credentials_v2_context_is_the_reference_packages_copy(
    js_reference: Installation,
) -> None:
    shipped = NODE_MODULES / "@digitalbazaar" / "credentials-context" / "contexts" / "v2.jsonld"
    assert json.loads(shipped.read_text(encoding="utf-8")) == CONTEXTS[CREDENTIALS_V2]


@pytest.mark.parametrize("case", [c for c in SUITE_CASES if c.js_reference], ids=lambda c: c.label)
def test_the_reference_verifies_each_suite_the_benchmark_times(
    js_reference: Installation, case: SuiteCase
) -> None:
    """bench/credentials.py times both sides on these records: both must accept them, and
    the reference must refuse them altered (eddsa-jcs-2022 has no JavaScript suite to ask)."""
    signed = sign_with_suite(case, suite_record(case))
    documents = {**CONTEXTS, **records_documents(case)}
    assert verify_proof(signed, resolve_suite_key).valid
    verdict = js_verify(signed, documents, NOW)
    assert verdict.verified, verdict.errors
    altered = copy.deepcopy(signed)
    altered["credentialSubject"]["result"][0]["value"] = "10"
    assert not verify_proof(altered, resolve_suite_key).valid
    assert not js_verify(altered, documents, NOW).verified


def records_documents(case: SuiteCase) -> dict[str, Json]:
    """What the reference may load besides contexts: the did:web document, the status list."""
    if case.issuer != UNIVERSITY_DID:
        return {}  # a did:key is read from itself; these records carry no status entry
    return {UNIVERSITY_DID: university_did_document(), STATUS_LIST_URL: status_list()}


# --- why a recognition record's one entry is a suspension entry ---------------------------------

MESSAGE_LIST_URL = f"{BASE}/status/message/1"


def message_status_record(value: int) -> Issued:
    """The recognition record with its two entries replaced by the one a schema-conforming design
    could use: a Bitstring `message` entry of 2 bits (0x0 valid, 0x1 suspended, 0x2 revoked),
    its list holding `value` at the record's index (MSB first, as the spec orders bits)."""
    unsigned = dict(recognition_record(suspended=False).credential)
    del unsigned["proof"]
    unsigned["credentialStatus"] = {
        "id": f"{MESSAGE_LIST_URL}#{RECORD_INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(RECORD_INDEX),
        "statusListCredential": MESSAGE_LIST_URL,
        "statusSize": 2,
        "statusMessage": [
            {"status": "0x0", "message": "valid"},
            {"status": "0x1", "message": "suspended"},
            {"status": "0x2", "message": "revoked"},
        ],
    }
    first = 2 * RECORD_INDEX
    bits = [first + offset for offset in (0, 1) if value & (2 >> offset)]
    listing = status_list_credential(
        MESSAGE_LIST_URL,
        UNIVERSITY_DID,
        Bitstring.zeros().set_many(bits),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    listing["credentialSubject"]["statusPurpose"] = "message"
    documents = {
        UNIVERSITY_DID: university_did_document(),
        MESSAGE_LIST_URL: sign(listing, as_set=False),
    }
    return Issued(sign(unsigned), documents)


def test_one_message_entry_would_pass_the_ob_schema_but_the_reference_loses_the_revocation(
    js_reference: Installation,
) -> None:
    """Pins why a recognition record names a `suspension` entry, not a 2-bit `message` entry
    (README "Who a record belongs to"): the one Bitstring design telling both states in a single
    entry passes the schema too, but Digital Bazaar's status checker reads it as one bit of an
    unnamed purpose: a revoked record verifies as neither revoked nor suspended. A suspension
    entry set for good is refused by every verifier. If this starts failing, the reference has
    learnt `statusSize`, and a `message` entry can be reconsidered."""
    revoked = message_status_record(0x2)
    assert schema_problems(revoked.credential) == []
    verdict = check(revoked)
    assert verdict.verified and not verdict.revoked and not verdict.suspended
    # the suspension entry the platform names, its bit set for good: refused
    assert check(recognition_record(suspended=True, listed_at=REVOKED_AT)).suspended
