"""Credit records for the cross-implementation check, issued with the pure credentials core.

This module is the one seam between "who issues" and "who verifies": every function returns an
`Issued` (a signed credential plus the DID documents and status lists a verifier needs to check
it). Today the records come straight from the core builders; once the platform issues records
itself, these functions can return platform-issued ones and the tests stay as they are.

Nothing here touches the platform database, the network or the clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.achievements import equivalent_results, equivalent_scales
from mooc.credentials.core.contexts import load_bundle, mooc_context_document, mooc_context_url
from mooc.credentials.core.did import PublishedKey, did_document, institution_did
from mooc.credentials.core.identity import HashedEmail, person_identities
from mooc.credentials.core.multikey import did_key, encode_public_key, encode_secret_key
from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.records import (
    Alignment,
    CourseAchievement,
    CourseCompletion,
    CreditUnit,
    EducationLevel,
    GradeScale,
    IssuerProfile,
    Transcript,
    achievement_credential,
    clr_credential,
)
from mooc.credentials.core.status_list import Bitstring, StatusListEntry, status_list_credential
from mooc.transfer.core.recognition import Recognition, SourceRecord, recognition_credential

Json = dict[str, Any]

BASE = "https://learn.mooc.example.edu"
CONTEXT_URL = mooc_context_url(BASE)
CREATED = "2026-01-15T09:30:00Z"
NOW = "2026-09-01T00:00:00Z"  # the verifier's clock in every check: records are valid then
LEARNER_EMAIL = "tran.thi.mai@learners.example.org"
LEARNER_SALT = "a41d7e02c9b85f36"
LEARNER_NAME = "Lò Thị Mai"
LEARNER_NUMBER = "SV20260517"


def _key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


ISSUER_KEY = _key("mooc interop: issuer key 2026")
ROTATED_KEY = _key("mooc interop: issuer key 2025 (rotated, still published)")
STRANGER_KEY = _key("mooc interop: a key nobody published")

UNIVERSITY_DID = institution_did(BASE, "bach-khoa")
WEB_METHOD = f"{UNIVERSITY_DID}#key-2026"
ROTATED_WEB_METHOD = f"{UNIVERSITY_DID}#key-2025"
DID_KEY = did_key(ISSUER_KEY.public_key())
DID_KEY_METHOD = f"{DID_KEY}#{DID_KEY.removeprefix('did:key:')}"

STATUS_LIST_URL = f"{BASE}/status/revocation/3"
RECORD_INDEX = 48_213
SECOND_RECORD_INDEX = 7_077
REVOKED_INDEX = 102_554

TIN_CHI = CreditUnit(
    name="tín chỉ",
    url=f"{BASE}/credit-units/tin-chi",
    framework="Vietnamese higher-education credit, Circular 17/2021/TT-BGDĐT",
    hours_per_credit=50,
)
EQF_6 = EducationLevel(
    stage="university",
    name="EQF level 6 (bachelor)",
    url="http://data.europa.eu/snb/eqf/6",
    framework="European Qualifications Framework",
    code="6",
)


@dataclass(frozen=True)
class Issued:
    """A signed credential and the documents (DID documents, status lists) it refers to."""

    credential: Json
    documents: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class SigningKey:
    """What a second implementation needs to sign exactly as the core did."""

    verification_method: str
    controller: str
    public_key_multibase: str
    secret_key_multibase: str


def university_did_document() -> Json:
    """The did:web document of the university: the current key and the rotated one."""
    return did_document(
        UNIVERSITY_DID,
        [
            PublishedKey("key-2025", encode_public_key(ROTATED_KEY.public_key())),
            PublishedKey("key-2026", encode_public_key(ISSUER_KEY.public_key())),
        ],
    )


def signing_key(method: str = WEB_METHOD) -> SigningKey:
    return SigningKey(
        verification_method=method,
        controller=method.partition("#")[0],
        public_key_multibase=encode_public_key(ISSUER_KEY.public_key()),
        secret_key_multibase=encode_secret_key(ISSUER_KEY),
    )


def bundled_contexts() -> dict[str, Json]:
    """Every JSON-LD context the Python package bundles, by URL (what the verifier may load)."""
    contexts = {
        url: json.loads(path.read_text(encoding="utf-8")) for url, path in load_bundle().items()
    }
    # The platform's own context, as a verifier would fetch it from the issuing deployment.
    return {**contexts, CONTEXT_URL: mooc_context_document()}


def calculus(code: str = "MI1111", credits: float = 4.0) -> CourseAchievement:
    """A university course worth `credits` tín chỉ, graded 0–10."""
    page = f"{BASE}/courses/{code.lower()}"
    return CourseAchievement(
        id=f"{page}/achievement",
        name=f"{code} Giải tích I (Calculus I)",
        description="Limits, derivatives and integrals of functions of one variable; series.",
        criteria="Pass the weekly problem sets and the proctored final exam with at least 4/10.",
        criteria_url=f"{page}/assessment",
        level=EQF_6,
        grade_scale=GradeScale(
            id=f"{page}/achievement#final-grade",
            name="Final grade (0–10)",
            value_min="0",
            value_max="10",
            required_value="4",
        ),
        # The platform's 10-point, TT08 letter (rubric levels) and 4-point scales.
        equivalent_scales=equivalent_scales(f"{page}/achievement", university=True, pass_mark=40),
        credits_available=credits,
        credit_unit=TIN_CHI,
        workload_hours=credits * 50,
        field_of_study="Mathematics",
        human_code=code,
        language="vi",
        learning_outcomes=(
            Alignment(
                target_name="LO1: compute limits and derivatives",
                target_url=f"{page}#lo1",
                target_framework=f"{code} learning outcomes",
                target_code="LO1",
            ),
            Alignment(
                target_name="LO2: evaluate definite integrals",
                target_url=f"{page}#lo2",
                target_framework=f"{code} learning outcomes",
                target_code="LO2",
            ),
        ),
    )


def completion(did: str = UNIVERSITY_DID, **changes: Any) -> CourseCompletion:
    """One learner's completion of Calculus I, 4 credits, grade 8.5 (A, 4.0 under TT08)."""
    achievement = changes.pop("achievement", calculus())
    grade = changes.pop("grade", "8.5")  # on 0–10; the platform's scales take 0–100
    base = CourseCompletion(
        credential_id="urn:uuid:6d0e4a58-2b71-4c2e-9f0d-3e5b7a1c9d41",
        issuer=IssuerProfile(id=did, name="Đại học Bách khoa (demo)", url=BASE),
        achievement=achievement,
        recipient=HashedEmail(LEARNER_EMAIL, LEARNER_SALT),
        # A university record names its holder in clear: name and student number.
        holder=person_identities(LEARNER_NAME, LEARNER_NUMBER, in_clear=True, salt=LEARNER_SALT),
        grade=grade,
        completed_at=datetime(2026, 1, 9, 16, 0, tzinfo=UTC),
        valid_from=datetime(2026, 1, 12, tzinfo=UTC),
        credits_earned=changes.pop("credits_earned", 4.0),
        started_at=datetime(2025, 9, 8, tzinfo=UTC),
        term="2025–2026 semester 1",
        status=StatusListEntry(STATUS_LIST_URL, RECORD_INDEX),
        equivalent_results=equivalent_results(
            achievement.id, university=True, grade=float(grade) * 10
        ),
    )
    return replace(base, **changes)


def unsigned_record(number: int | None = None) -> Json:
    """The unsigned course record; `number` makes a distinct record of the same shape."""
    if number is None:
        return achievement_credential(completion(), context_url=CONTEXT_URL)
    return achievement_credential(
        completion(
            credential_id=f"urn:uuid:6d0e4a58-2b71-4c2e-9f0d-{number:012d}",
            grade=f"{5 + number % 5}.{number % 10}",
            recipient=HashedEmail(f"learner{number}@learners.example.org", f"{number:016x}"),
            status=StatusListEntry(STATUS_LIST_URL, 1_000 + number),
        ),
        context_url=CONTEXT_URL,
    )


def sign(
    document: Mapping[str, Any],
    method: str = WEB_METHOD,
    key: Ed25519PrivateKey | None = None,
    *,
    as_set: bool = True,
) -> Json:
    """`document` secured with eddsa-rdfc-2022 by the issuer key (or `key`) as `method`; the
    proof in an array, as the platform signs records (`as_set=False`: a lone object)."""
    return create_proof(document, key or ISSUER_KEY, method, CREATED, as_set=as_set)


def status_list(revoked: Iterable[int] = (), did: str = UNIVERSITY_DID) -> Json:
    """The signed revocation list at STATUS_LIST_URL with the `revoked` bits set."""
    method = WEB_METHOD if did == UNIVERSITY_DID else DID_KEY_METHOD
    unsigned = status_list_credential(
        STATUS_LIST_URL,
        did,
        Bitstring.zeros().set_many(list(revoked)),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    return sign(unsigned, method, as_set=False)  # as the platform publishes its lists


def _documents(did: str, revoked: Iterable[int] = ()) -> dict[str, Json]:
    documents = {STATUS_LIST_URL: status_list(revoked, did)}
    if did == UNIVERSITY_DID:
        documents[UNIVERSITY_DID] = university_did_document()
    return documents


def course_record() -> Issued:
    """An OB 3.0 course record issued by the university's did:web."""
    return Issued(
        sign(achievement_credential(completion(), context_url=CONTEXT_URL)),
        _documents(UNIVERSITY_DID),
    )


def did_key_course_record() -> Issued:
    """The same kind of record issued by a did:key (no DID document is published for it)."""
    record = achievement_credential(completion(DID_KEY), context_url=CONTEXT_URL)
    return Issued(sign(record, DID_KEY_METHOD), _documents(DID_KEY))


def hashed_holder_record() -> Issued:
    """A record naming its holder only by salted hashes of name and number (a school's way)."""
    holder = person_identities(LEARNER_NAME, LEARNER_NUMBER, in_clear=False, salt=LEARNER_SALT)
    record = achievement_credential(completion(DID_KEY, holder=holder), context_url=CONTEXT_URL)
    return Issued(sign(record, DID_KEY_METHOD), _documents(DID_KEY))


def revoked_course_record() -> Issued:
    """A record whose bit is set in the revocation list the same issuer signed."""
    record = achievement_credential(
        completion(
            credential_id="urn:uuid:6d0e4a58-2b71-4c2e-9f0d-0000000000aa",
            grade="6.0",
            status=StatusListEntry(STATUS_LIST_URL, REVOKED_INDEX),
        ),
        context_url=CONTEXT_URL,
    )
    return Issued(sign(record), _documents(UNIVERSITY_DID, revoked=[REVOKED_INDEX]))


def transcript_records() -> tuple[Json, Json]:
    """The two signed course records a transcript gathers: Calculus I and Linear Algebra."""
    algebra = completion(
        credential_id="urn:uuid:6d0e4a58-2b71-4c2e-9f0d-3e5b7a1c9d42",
        achievement=calculus("MI1141", 3.0),
        grade="7.0",
        credits_earned=3.0,
        status=StatusListEntry(STATUS_LIST_URL, SECOND_RECORD_INDEX),
    )
    return sign(achievement_credential(completion(), context_url=CONTEXT_URL)), sign(
        achievement_credential(algebra, context_url=CONTEXT_URL)
    )


def transcript(records: tuple[Json, ...] | None = None, revoked: Iterable[int] = ()) -> Issued:
    """A CLR 2.0 transcript embedding signed course records (the two above by default)."""
    unsigned = clr_credential(
        Transcript(
            credential_id="urn:uuid:6d0e4a58-2b71-4c2e-9f0d-3e5b7a1c9dff",
            issuer=IssuerProfile(id=UNIVERSITY_DID, name="Đại học Bách khoa (demo)", url=BASE),
            name="Transcript of records, 2025–2026",
            recipient=HashedEmail(LEARNER_EMAIL, LEARNER_SALT),
            credentials=records or transcript_records(),
            valid_from=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        context_url=CONTEXT_URL,
    )
    return Issued(sign(unsigned), _documents(UNIVERSITY_DID, revoked))


SUSPENSION_LIST_URL = f"{BASE}/status/suspension/1"
SUSPENSION_INDEX = 9_321


# When the suspension list was re-signed in each state of a recognition record's life (the list
# at a later state is a later version): issued, suspended, lifted, revoked.
LIST_ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
SUSPENDED_AT = datetime(2026, 2, 10, tzinfo=UTC)
LIFTED_AT = datetime(2026, 2, 20, tzinfo=UTC)
REVOKED_AT = datetime(2026, 3, 1, tzinfo=UTC)


def recognition_record(
    *, suspended: bool, two_entries: bool = False, listed_at: datetime = LIST_ISSUED
) -> Issued:
    """A university's recognition record as the platform issues it: one status entry, a bit of
    its suspension list (set while its source record is revoked, cleared when the university
    confirms it, set for good when the university revokes it), the list signed at `listed_at`.
    With `two_entries`, as such records were issued before: a revocation entry beside it."""
    suspension = StatusListEntry(SUSPENSION_LIST_URL, SUSPENSION_INDEX, "suspension")
    unsigned = recognition_credential(
        Recognition(
            credential_id="urn:uuid:0b7c5e1a-8a41-4d5e-9a0e-5c1f3b2d7e90",
            achievement_id=f"{BASE}/institutions/bach-khoa/courses/IT1010",
            issuer=IssuerProfile(id=UNIVERSITY_DID, name="Đại học Bách khoa (demo)", url=BASE),
            recipient=HashedEmail(LEARNER_EMAIL, LEARNER_SALT),
            course_code="IT1010",
            course_title="Nhập môn lập trình",
            credits=Decimal(3),
            sources=(
                SourceRecord(
                    "urn:uuid:6d0e4a58-2b71-4c2e-9f0d-3e5b7a1c9d41", "Calculus I", DID_KEY
                ),
            ),
            decided_at=datetime(2026, 2, 2, tzinfo=UTC),
            status=StatusListEntry(STATUS_LIST_URL, RECORD_INDEX) if two_entries else suspension,
            suspension=suspension if two_entries else None,
            holder=person_identities(LEARNER_NAME, None, in_clear=True, salt=LEARNER_SALT),
        ),
        context_url=CONTEXT_URL,
    )
    bits = Bitstring.zeros().set_many([SUSPENSION_INDEX] if suspended else [])
    suspension_list = status_list_credential(
        SUSPENSION_LIST_URL, UNIVERSITY_DID, bits, listed_at, purpose="suspension"
    )
    documents = {**_documents(UNIVERSITY_DID), SUSPENSION_LIST_URL: sign(suspension_list)}
    return Issued(sign(unsigned), documents)
