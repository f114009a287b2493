"""OB 3.0 course records and CLR 2.0 transcripts built from plain values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mooc.credentials.core.contexts import CLR_V2, CREDENTIALS_V2, OB_EXTENSIONS, OB_V3
from mooc.credentials.core.identity import HashedEmail, LearnerDid, identifies
from mooc.credentials.core.records import Transcript, achievement_credential, clr_credential

from .samples import (
    CONTEXT_URL,
    SALT,
    STATUS_LIST,
    STUDENT_EMAIL,
    completion,
    course,
    issuer,
    k12_course,
    signed_record,
)


def test_course_record_states_what_credit_transfer_needs() -> None:
    record = achievement_credential(completion(), context_url=CONTEXT_URL)
    assert record["@context"][:3] == [CREDENTIALS_V2, OB_V3, OB_EXTENSIONS]
    assert record["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert record["validFrom"] == "2025-06-30T00:00:00Z"
    assert record["awardedDate"] == "2025-06-27T10:30:00Z"
    subject = record["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Course"
    assert achievement["creditsAvailable"] == 3.0
    assert achievement["fieldOfStudy"] == "Computer Science"
    assert achievement["timeRequired"] == "PT150H"
    assert achievement["criteria"]["narrative"].startswith("Pass every graded quiz")
    alignments = {a["targetFramework"]: a for a in achievement["alignment"]}
    assert alignments["European Qualifications Framework"]["targetCode"] == "6"
    assert alignments["CS101 learning outcomes"]["targetCode"] == "LO1"
    credit = next(a for a in achievement["alignment"] if "Circular 08/2021" in a["targetFramework"])
    assert credit["targetName"] == "3 tín chỉ"
    assert credit["targetDescription"] == "1 tín chỉ = 50 hours"
    [scale] = achievement["resultDescription"]
    assert scale["resultType"] == "ScaledScore" and scale["requiredValue"] == "5"
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": scale["id"],
            "value": "8.5",
            "status": "Completed",
        }
    ]
    assert subject["creditsEarned"] == 3.0
    assert subject["activityEndDate"] == "2025-06-27T10:30:00Z"
    assert record["credentialStatus"]["statusListCredential"] == STATUS_LIST
    assert record["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"


def test_achievement_id_is_stable_for_every_record_of_a_course() -> None:
    first = achievement_credential(completion(), context_url=CONTEXT_URL)
    second = achievement_credential(
        completion(credential_id="urn:uuid:other", grade="6.0"), context_url=CONTEXT_URL
    )
    assert first["id"] != second["id"]
    assert (
        first["credentialSubject"]["achievement"]["id"]
        == second["credentialSubject"]["achievement"]["id"]
    )


def test_learner_is_a_salted_email_hash_that_can_be_matched() -> None:
    subject = achievement_credential(completion(), context_url=CONTEXT_URL)["credentialSubject"]
    [identity] = subject["identifier"]
    expected = hashlib.sha256((STUDENT_EMAIL.lower() + SALT).encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": SALT,
    }
    assert "id" not in subject
    assert identifies(subject, email=" nguyen.van.an@DEMO.test ")
    assert not identifies(subject, email="someone.else@demo.test")


def test_k12_records_carry_no_name_or_email_in_clear() -> None:
    record = achievement_credential(
        completion(achievement=k12_course(), credits_earned=None, term=None),
        context_url=CONTEXT_URL,
    )
    text = json.dumps(record, ensure_ascii=False).lower()
    assert STUDENT_EMAIL.lower() not in text
    assert "nguyen" not in text
    assert "creditsEarned" not in record["credentialSubject"]
    alignment = record["credentialSubject"]["achievement"]["alignment"][0]
    assert alignment["targetName"] == "Grade 6"


def test_a_learner_did_replaces_the_hashed_email() -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    subject = achievement_credential(
        completion(recipient=LearnerDid(did)), context_url=CONTEXT_URL
    )["credentialSubject"]
    assert subject["id"] == did
    assert "identifier" not in subject
    assert identifies(subject, did=did)


def test_inconsistent_completions_are_refused() -> None:
    with pytest.raises(ValueError, match="exceed"):
        completion(credits_earned=4.0)
    with pytest.raises(ValueError, match="time zone"):
        achievement_credential(
            completion(completed_at=datetime(2025, 6, 27)), context_url=CONTEXT_URL
        )
    with pytest.raises(ValueError, match="salt"):
        HashedEmail(STUDENT_EMAIL, "short")
    with pytest.raises(ValueError, match="absolute URI"):
        completion(credential_id="record-1")


def test_fractional_workload_is_a_valid_xml_schema_duration() -> None:
    achievement = replace(course(), workload_hours=37.5).to_json()
    assert achievement["timeRequired"] == "PT37H30M"


def test_transcript_embeds_signed_records_and_totals_credits() -> None:
    records = (
        signed_record(),
        signed_record(
            credential_id="urn:uuid:ma201",
            achievement=course("ma201", 4.5),
            credits_earned=4.5,
        ),
    )
    transcript = clr_credential(
        Transcript(
            credential_id="urn:uuid:transcript-1",
            issuer=issuer(),
            name="Transcript of records",
            recipient=HashedEmail(STUDENT_EMAIL, "a-different-salt-for-this"),
            credentials=records,
            valid_from=datetime(2025, 7, 1, tzinfo=UTC),
        ),
        context_url=CONTEXT_URL,
    )
    assert transcript["@context"][:4] == [CREDENTIALS_V2, CLR_V2, OB_V3, OB_EXTENSIONS]
    assert transcript["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = transcript["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert [c["proof"] for c in subject["verifiableCredential"]] == [r["proof"] for r in records]
    assert [a["id"] for a in subject["achievement"]] == [
        records[0]["credentialSubject"]["achievement"]["id"],
        records[1]["credentialSubject"]["achievement"]["id"],
    ]
    assert subject["numberOfCredits"] == 7.5
    assert "7.5 credits" in transcript["description"]


def test_transcript_refuses_unsigned_or_someone_elses_records() -> None:
    unsigned = achievement_credential(completion(), context_url=CONTEXT_URL)
    with pytest.raises(ValueError, match="not signed"):
        Transcript(
            "urn:uuid:t",
            issuer(),
            "T",
            HashedEmail(STUDENT_EMAIL, SALT),
            (unsigned,),
            datetime(2025, 7, 1, tzinfo=UTC),
        )
    other = HashedEmail("other.student@demo.test", SALT)
    with pytest.raises(ValueError, match="someone else"):
        Transcript(
            "urn:uuid:t", issuer(), "T", other, (signed_record(),), datetime(2025, 7, 1, tzinfo=UTC)
        )
