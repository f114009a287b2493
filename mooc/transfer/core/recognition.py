"""The unsigned record of a credit-recognition decision: an Open Badges 3.0 credential from the
university to the student saying which of its courses is recognised for how many credits, with
the source records as evidence (by their ids). Pure.

It is an ordinary OB 3.0 `OpenBadgeCredential` (achievementType `ext:CreditRecognition`) with
only bundled contexts, so every verifier that checks course records checks this one too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from mooc.credentials.core.identity import PersonIdentity, Recipient
from mooc.credentials.core.records import (
    OB_SCHEMA,
    SCHEMA_VALIDATOR,
    CreditUnit,
    EducationLevel,
    IssuerProfile,
    achievement_contexts,
    require_context_url,
    subject_identity,
)
from mooc.credentials.core.status_list import StatusListEntry
from mooc.credentials.core.timestamps import format_timestamp

ACHIEVEMENT_TYPE = "ext:CreditRecognition"


@dataclass(frozen=True)
class SourceRecord:
    """A record the decision relied on."""

    id: str
    name: str
    issuer: str
    issuer_name: str = ""


@dataclass(frozen=True)
class Recognition:
    credential_id: str
    achievement_id: str  # stable per university course: <base>/institutions/<slug>/courses/<code>
    issuer: IssuerProfile
    recipient: Recipient
    course_code: str
    course_title: str
    credits: Decimal
    sources: tuple[SourceRecord, ...]
    decided_at: datetime
    credit_unit: CreditUnit | None = None
    level: EducationLevel | None = None
    status: StatusListEntry | None = None
    # Set while a source record is revoked and the university has not decided again.
    suspension: StatusListEntry | None = None
    holder: tuple[PersonIdentity, ...] = ()  # the student's name, in clear (a university record)

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("a recognition refers to at least one source record")
        if not self.credits.is_finite() or self.credits < 0:
            raise ValueError("recognised credits must be a finite, non-negative number")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def recognition_credential(recognition: Recognition, *, context_url: str) -> dict[str, Any]:
    """The unsigned OB 3.0 credential recording the recognition (`context_url`: where the
    platform's context is published)."""
    require_context_url(context_url)
    credits = _number(recognition.credits)
    course = f"{recognition.course_code} {recognition.course_title}".strip()
    sources = ", ".join(source.name for source in recognition.sources)
    achievement: dict[str, Any] = {
        "id": recognition.achievement_id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": recognition.course_title,
        "description": (
            f"{recognition.issuer.name} recognises {credits} credits for its course {course} "
            f"on the strength of: {sources}."
        ),
        "criteria": {
            "narrative": (
                "Recognised by a credit-transfer decision of the university under its "
                "recognition rules, from the verified records listed as evidence."
            )
        },
        "humanCode": recognition.course_code,
        "creditsAvailable": credits,
    }
    alignments = [recognition.level.alignment()] if recognition.level is not None else []
    if recognition.credit_unit is not None:
        alignments.append(recognition.credit_unit.alignment(float(credits)))
    if alignments:  # the level first, as in the platform's course records
        achievement["alignment"] = [alignment.to_json() for alignment in alignments]
    credential: dict[str, Any] = {
        "@context": achievement_contexts(context_url),
        "id": recognition.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Credit recognition: {course}",
        "description": achievement["description"],
        "issuer": recognition.issuer.to_json(),
        "validFrom": format_timestamp(recognition.decided_at),
        "awardedDate": format_timestamp(recognition.decided_at),
        "credentialSubject": {
            **subject_identity(recognition.recipient, recognition.holder),
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "creditsEarned": credits,
        },
        "evidence": [
            {
                "id": source.id,
                "type": ["Evidence"],
                "name": source.name,
                "description": f"Issued by {source.issuer_name or source.issuer} ({source.issuer})",
            }
            for source in recognition.sources
        ],
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    entries = [entry.to_json() for entry in (recognition.status, recognition.suspension) if entry]
    if entries:
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    return credential
