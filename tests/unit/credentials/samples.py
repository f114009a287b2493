"""Sample issuers, courses and completions for the credential core tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.contexts import mooc_context_url
from mooc.credentials.core.did import PublishedKey, did_document, institution_did
from mooc.credentials.core.identity import HashedEmail
from mooc.credentials.core.multikey import did_key, encode_public_key
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
from mooc.credentials.core.status_list import StatusListEntry

BASE = "https://mooc.example.edu"
CONTEXT_URL = mooc_context_url(BASE)
STUDENT_EMAIL = "Nguyen.Van.An@demo.test"
SALT = "5f1c9a0e7b3d4c2a8e6f"
CREATED = "2025-06-30T08:00:00Z"
NOW = datetime(2025, 9, 1, tzinfo=UTC)
STATUS_LIST = f"{BASE}/status/revocation/1"

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OLD_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
DID_KEY = did_key(KEY.public_key())
DID_KEY_METHOD = f"{DID_KEY}#{DID_KEY.removeprefix('did:key:')}"
UNIVERSITY_DID = institution_did(BASE, "hcmus")
WEB_METHOD = f"{UNIVERSITY_DID}#key-2025"
OLD_WEB_METHOD = f"{UNIVERSITY_DID}#key-2024"

TIN_CHI = CreditUnit(
    name="tín chỉ",
    url="https://mooc.example.edu/credit-units/tin-chi",
    framework="Vietnamese higher-education credit, Circular 08/2021/TT-BGDĐT",
    hours_per_credit=50,
)


def university_did_document() -> dict[str, Any]:
    return did_document(
        UNIVERSITY_DID,
        [
            PublishedKey("key-2024", encode_public_key(OLD_KEY.public_key())),
            PublishedKey("key-2025", encode_public_key(KEY.public_key())),
        ],
    )


def issuer(did: str = UNIVERSITY_DID) -> IssuerProfile:
    return IssuerProfile(id=did, name="Trường Đại học Khoa học Tự nhiên", url=BASE)


def course(code: str = "cs101", credits: float = 3.0) -> CourseAchievement:
    return CourseAchievement(
        id=f"{BASE}/courses/{code}/achievement",
        name=f"{code.upper()} Nhập môn lập trình",
        description="Python programming fundamentals over 12 weeks.",
        criteria="Pass every graded quiz and the final exam with at least 5/10.",
        level=EducationLevel(
            stage="university",
            name="EQF level 6",
            url="http://data.europa.eu/snb/eqf/6",
            framework="European Qualifications Framework",
            code="6",
        ),
        grade_scale=GradeScale(
            id=f"{BASE}/courses/{code}/achievement#final-grade",
            name="Final grade (0–10)",
            value_min="0",
            value_max="10",
            required_value="5",
        ),
        credits_available=credits,
        credit_unit=TIN_CHI,
        workload_hours=credits * 50,
        field_of_study="Computer Science",
        human_code=code.upper(),
        language="vi",
        learning_outcomes=(
            Alignment(
                target_name="LO1: write, test and debug small programs",
                target_url=f"{BASE}/courses/{code}#lo1",
                target_framework=f"{code.upper()} learning outcomes",
                target_code="LO1",
            ),
        ),
    )


def k12_course() -> CourseAchievement:
    return CourseAchievement(
        id=f"{BASE}/courses/toan-6/achievement",
        name="Toán lớp 6",
        description="Mathematics for grade 6.",
        criteria="Complete every lesson and pass the final quiz.",
        level=EducationLevel(
            stage="k12",
            name="Grade 6",
            url=f"{BASE}/levels/grade-6",
            framework="Chương trình giáo dục phổ thông 2018",
            code="6",
        ),
        grade_scale=GradeScale(id=f"{BASE}/courses/toan-6/achievement#score", name="Score (0–10)"),
    )


def completion(**changes: Any) -> CourseCompletion:
    base = CourseCompletion(
        credential_id="urn:uuid:2f0c7b9e-8d4a-4f1e-9c3b-5a6d7e8f9a01",
        issuer=issuer(),
        achievement=course(),
        recipient=HashedEmail(STUDENT_EMAIL, SALT),
        grade="8.5",
        completed_at=datetime(2025, 6, 27, 10, 30, tzinfo=UTC),
        valid_from=datetime(2025, 6, 30, tzinfo=UTC),
        credits_earned=3.0,
        started_at=datetime(2025, 4, 1, tzinfo=UTC),
        term="2025 Spring",
        status=StatusListEntry(STATUS_LIST, 94567),
    )
    return replace(base, **changes)


def signed_record(method: str = WEB_METHOD, **changes: Any) -> dict[str, Any]:
    """A course record signed by KEY as `method`, issued by the DID that method belongs to."""
    changes.setdefault("issuer", issuer(method.partition("#")[0]))
    return create_proof(
        achievement_credential(completion(**changes), context_url=CONTEXT_URL), KEY, method, CREATED
    )


def signed_transcript(method: str = WEB_METHOD) -> dict[str, Any]:
    records = (
        signed_record(method),
        signed_record(
            method,
            credential_id="urn:uuid:2f0c7b9e-8d4a-4f1e-9c3b-5a6d7e8f9a02",
            achievement=course("ma201", 4.0),
            credits_earned=4.0,
            status=StatusListEntry(STATUS_LIST, 1207),
        ),
    )
    transcript = Transcript(
        credential_id="urn:uuid:2f0c7b9e-8d4a-4f1e-9c3b-5a6d7e8f9aff",
        issuer=issuer(method.partition("#")[0]),
        name="Transcript of records",
        recipient=HashedEmail(STUDENT_EMAIL, SALT),
        credentials=records,
        valid_from=datetime(2025, 7, 1, tzinfo=UTC),
    )
    return create_proof(clr_credential(transcript, context_url=CONTEXT_URL), KEY, method, CREATED)
