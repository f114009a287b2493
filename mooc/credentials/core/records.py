"""Unsigned credit records: an Open Badges 3.0 credential per completed course and a CLR 2.0
transcript gathering signed ones.

Records carry what a university needs to grant credit (credits, workload hours, level, learning
outcomes, grade against its scale, dates) and identify the learner by a salted hash of the email
or by the learner's own DID; university records also name the holder in clear (name, student
number) for a registrar, school records only as salted hashes (`mooc.credentials.core.identity`).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mooc.credentials.core.contexts import (
    CLR_V2,
    CREDENTIALS_V2,
    OB_EXTENSIONS,
    OB_V3,
    is_mooc_context_url,
)
from mooc.credentials.core.identity import (
    HashedEmail,
    LearnerDid,
    PersonIdentity,
    Recipient,
    identifies,
)
from mooc.credentials.core.status_list import StatusListEntry
from mooc.credentials.core.timestamps import format_timestamp

XSD = "http://www.w3.org/2001/XMLSchema#"
# Terms OB 3.0 / CLR 2.0 lack, mapped to schema.org. Records issued before the versioned context
# (contexts/mooc_v1.jsonld, same terms) carry them inline; those stay valid and verifiable, but
# the OB 3.0 JSON Schema wants URLs only in `@context`, so new records name the context by URL.
LEGACY_RECORD_TERMS: dict[str, Any] = {
    "timeRequired": {"@id": "https://schema.org/timeRequired", "@type": f"{XSD}duration"},
    "numberOfCredits": {"@id": "https://schema.org/numberOfCredits", "@type": f"{XSD}float"},
}


def achievement_contexts(context_url: str) -> list[str]:
    """`@context` of an OB 3.0 record whose platform terms are at `context_url`."""
    return [CREDENTIALS_V2, OB_V3, OB_EXTENSIONS, context_url]


def clr_contexts(context_url: str) -> list[str]:
    """`@context` of a CLR 2.0 transcript whose platform terms are at `context_url`."""
    return [CREDENTIALS_V2, CLR_V2, OB_V3, OB_EXTENSIONS, context_url]


OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
# The framework a school record's grade level aligns to (the 2018 general-education programme).
K12_FRAMEWORK = "Chương trình giáo dục phổ thông 2018 (Vietnam)"
RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _require_uri(value: str, what: str) -> None:
    if not _ABSOLUTE_URI.match(value):
        raise ValueError(f"{what} must be an absolute URI, not {value!r}")


@dataclass(frozen=True)
class IssuerProfile:
    """The issuing institution as OB 3.0 `Profile`: its DID, name and home page."""

    id: str
    name: str
    url: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "issuer id")

    def to_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


@dataclass(frozen=True)
class Alignment:
    """A link from an achievement to a framework item: learning outcome, level, credit unit."""

    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_description: str | None = None
    target_type: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.target_url, "alignment targetUrl")

    def to_json(self) -> dict[str, Any]:
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": self.target_name,
            "targetUrl": self.target_url,
        }
        for key, value in (
            ("targetFramework", self.target_framework),
            ("targetCode", self.target_code),
            ("targetDescription", self.target_description),
            ("targetType", self.target_type),
        ):
            if value:
                alignment[key] = value
        return alignment


@dataclass(frozen=True)
class EducationLevel:
    """Where a course sits: a school grade (k12) or a qualifications-framework level."""

    stage: Literal["k12", "university"]
    name: str
    url: str
    framework: str
    code: str | None = None

    def alignment(self) -> Alignment:
        return Alignment(
            target_name=self.name,
            target_url=self.url,
            target_framework=self.framework,
            target_code=self.code,
        )


@dataclass(frozen=True)
class CreditUnit:
    """What one credit means, so a partner can convert: e.g. tín chỉ = 50 h, ECTS = 25–30 h."""

    name: str
    url: str
    framework: str
    hours_per_credit: float

    def alignment(self, credits: float) -> Alignment:
        amount = _number_text(credits)
        return Alignment(
            target_name=f"{amount} {self.name}",
            target_url=self.url,
            target_framework=self.framework,
            target_code=amount,
            target_description=f"1 {self.name} = {_number_text(self.hours_per_credit)} hours",
        )


@dataclass(frozen=True)
class ScaleLevel:
    """One level of a grade scale as OB 3.0 `RubricCriterionLevel`: a letter grade with the
    scores it stands for (`description`) and its value on another scale (`points`)."""

    id: str
    name: str
    description: str | None = None
    points: str | None = None

    def __post_init__(self) -> None:
        _require_uri(self.id, "rubric criterion level id")

    def to_json(self) -> dict[str, Any]:
        level: dict[str, Any] = {"id": self.id, "type": ["RubricCriterionLevel"], "name": self.name}
        if self.description:
            level["description"] = self.description
        if self.points is not None:
            level["points"] = self.points
        return level


@dataclass(frozen=True)
class GradeScale:
    """The OB 3.0 `ResultDescription` a grade is given against."""

    id: str
    name: str
    result_type: str = "ScaledScore"
    value_min: str | None = None
    value_max: str | None = None
    required_value: str | None = None
    allowed_values: tuple[str, ...] = ()
    levels: tuple[ScaleLevel, ...] = ()
    required_level: str | None = None  # the id of the lowest passing level

    def __post_init__(self) -> None:
        _require_uri(self.id, "result description id")
        if self.result_type not in RESULT_TYPES and not self.result_type.startswith("ext:"):
            raise ValueError(f"{self.result_type!r} is not an OB 3.0 resultType")
        if self.required_level is not None and self.required_level not in {
            level.id for level in self.levels
        }:
            raise ValueError("the required level must be one of the scale's levels")

    def level_named(self, name: str) -> ScaleLevel | None:
        return next((level for level in self.levels if level.name == name), None)

    def to_json(self) -> dict[str, Any]:
        description: dict[str, Any] = {
            "id": self.id,
            "type": ["ResultDescription"],
            "name": self.name,
            "resultType": self.result_type,
        }
        if self.allowed_values:
            description["allowedValue"] = list(self.allowed_values)
        if self.levels:
            description["rubricCriterionLevel"] = [level.to_json() for level in self.levels]
        for key, value in (
            ("valueMin", self.value_min),
            ("valueMax", self.value_max),
            ("requiredValue", self.required_value),
            ("requiredLevel", self.required_level),
        ):
            if value is not None:
                description[key] = value
        return description


@dataclass(frozen=True)
class CourseAchievement:
    """A course as an OB 3.0 `Achievement`; `id` stays the same for every record of the course."""

    id: str
    name: str
    description: str
    criteria: str
    level: EducationLevel
    grade_scale: GradeScale
    credits_available: float | None = None
    credit_unit: CreditUnit | None = None
    workload_hours: float | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    language: str | None = None
    criteria_url: str | None = None
    learning_outcomes: tuple[Alignment, ...] = ()
    # The same grade on further scales (10-point, letter, 4-point), after `grade_scale`.
    equivalent_scales: tuple[GradeScale, ...] = ()

    def __post_init__(self) -> None:
        _require_uri(self.id, "achievement id")
        ids = [scale.id for scale in (self.grade_scale, *self.equivalent_scales)]
        if len(set(ids)) != len(ids):
            raise ValueError("each grade scale needs its own id")
        for number, what in ((self.credits_available, "credits"), (self.workload_hours, "hours")):
            if number is not None and (not math.isfinite(number) or number < 0):
                raise ValueError(f"{what} must be a finite, non-negative number")

    def to_json(self) -> dict[str, Any]:
        criteria: dict[str, Any] = {"narrative": self.criteria}
        if self.criteria_url:
            criteria["id"] = self.criteria_url
        achievement: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": self.name,
            "description": self.description,
            "criteria": criteria,
        }
        optional: tuple[tuple[str, Any], ...] = (
            ("humanCode", self.human_code),
            ("fieldOfStudy", self.field_of_study),
            ("inLanguage", self.language),
            ("creditsAvailable", self.credits_available),
            ("timeRequired", _duration(self.workload_hours)),
        )
        achievement.update((key, value) for key, value in optional if value is not None)
        alignments = [self.level.alignment(), *self.learning_outcomes]
        if self.credit_unit is not None and self.credits_available is not None:
            alignments.append(self.credit_unit.alignment(self.credits_available))
        achievement["alignment"] = [alignment.to_json() for alignment in alignments]
        achievement["resultDescription"] = [
            scale.to_json() for scale in (self.grade_scale, *self.equivalent_scales)
        ]
        return achievement


def subject_identity(recipient: Recipient, holder: Sequence[PersonIdentity] = ()) -> dict[str, Any]:
    """The credential subject's `id` (a DID) or `identifier`s, with the holder's person
    identities (name, student number) after the recipient's."""
    people = [identity.to_json() for identity in holder]
    if isinstance(recipient, LearnerDid):
        return {"id": recipient.did, **({"identifier": people} if people else {})}
    return {"identifier": [recipient.to_json(), *people]}


@dataclass(frozen=True)
class EquivalentResult:
    """The grade as stated on one of the achievement's `equivalent_scales` (by scale id)."""

    scale_id: str
    value: str


@dataclass(frozen=True)
class CourseCompletion:
    """Everything one course-completion record states."""

    credential_id: str
    issuer: IssuerProfile
    achievement: CourseAchievement
    recipient: Recipient
    grade: str
    completed_at: datetime
    valid_from: datetime
    credits_earned: float | None = None
    started_at: datetime | None = None
    term: str | None = None
    valid_until: datetime | None = None
    status: StatusListEntry | None = None
    equivalent_results: tuple[EquivalentResult, ...] = ()
    holder: tuple[PersonIdentity, ...] = ()  # name, student number: who the learner is

    def __post_init__(self) -> None:
        _require_uri(self.credential_id, "credential id")
        scales = {scale.id: scale for scale in self.achievement.equivalent_scales}
        for result in self.equivalent_results:
            scale = scales.get(result.scale_id)
            if scale is None:
                raise ValueError(f"no equivalent scale {result.scale_id!r} on the achievement")
            if scale.levels and scale.level_named(result.value) is None:
                raise ValueError(f"{result.value!r} is not a level of {scale.name}")
        if self.credits_earned is not None:
            available = self.achievement.credits_available
            if not math.isfinite(self.credits_earned) or self.credits_earned < 0:
                raise ValueError("credits earned must be a finite, non-negative number")
            if available is None or self.credits_earned > available:
                raise ValueError("credits earned cannot exceed the course's credits available")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("validUntil comes before validFrom")


def require_context_url(context_url: str) -> None:
    """Refuses a context URL the platform's verifiers would not resolve from the bundle."""
    if not is_mooc_context_url(context_url):
        raise ValueError(f"{context_url!r} is not the platform's published context URL")


def achievement_credential(completion: CourseCompletion, *, context_url: str) -> dict[str, Any]:
    """The unsigned OB 3.0 `OpenBadgeCredential` (AchievementCredential) of a completed course;
    `context_url` is where the issuing deployment publishes the platform's context
    (`contexts.mooc_context_url`)."""
    require_context_url(context_url)
    achievement = completion.achievement
    subject: dict[str, Any] = {
        **subject_identity(completion.recipient, completion.holder),
        "type": ["AchievementSubject"],
        "achievement": achievement.to_json(),
        "result": [
            {
                "type": ["Result"],
                "resultDescription": achievement.grade_scale.id,
                "value": completion.grade,
                "status": "Completed",
            },
            *(_equivalent_result(achievement, result) for result in completion.equivalent_results),
        ],
        "activityEndDate": format_timestamp(completion.completed_at),
    }
    if completion.started_at is not None:
        subject["activityStartDate"] = format_timestamp(completion.started_at)
    if completion.credits_earned is not None:
        subject["creditsEarned"] = completion.credits_earned
    if completion.term:
        subject["term"] = completion.term
    credential: dict[str, Any] = {
        "@context": achievement_contexts(context_url),
        "id": completion.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"Completion of the course {achievement.name}.",
        "issuer": completion.issuer.to_json(),
        "validFrom": format_timestamp(completion.valid_from),
        "awardedDate": format_timestamp(completion.completed_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if completion.valid_until is not None:
        credential["validUntil"] = format_timestamp(completion.valid_until)
    if completion.status is not None:
        credential["credentialStatus"] = completion.status.to_json()
    return credential


def _equivalent_result(achievement: CourseAchievement, result: EquivalentResult) -> dict[str, Any]:
    scale = next(s for s in achievement.equivalent_scales if s.id == result.scale_id)
    out: dict[str, Any] = {
        "type": ["Result"],
        "resultDescription": scale.id,
        "value": result.value,
    }
    level = scale.level_named(result.value)
    if level is not None:
        out["achievedLevel"] = level.id
    return out


@dataclass(frozen=True)
class Transcript:
    """A CLR 2.0 transcript: chosen, already signed course records of one learner."""

    credential_id: str
    issuer: IssuerProfile
    name: str
    recipient: Recipient
    credentials: tuple[Mapping[str, Any], ...]
    valid_from: datetime
    partial: bool = True
    status: StatusListEntry | None = None
    holder: tuple[PersonIdentity, ...] = ()

    def __post_init__(self) -> None:
        _require_uri(self.credential_id, "credential id")
        if not self.credentials:
            raise ValueError("a transcript gathers at least one record")
        email = self.recipient.email if isinstance(self.recipient, HashedEmail) else None
        did = self.recipient.did if isinstance(self.recipient, LearnerDid) else None
        for credential in self.credentials:
            if "proof" not in credential:
                raise ValueError(f"record {credential.get('id')} is not signed")
            subject = credential.get("credentialSubject")
            if not isinstance(subject, Mapping) or not identifies(subject, email, did):
                raise ValueError(f"record {credential.get('id')} is about someone else")


def total_credits(credentials: Sequence[Mapping[str, Any]]) -> float:
    """Sum of `creditsEarned` over the records (a record without credits counts 0)."""
    total = 0.0
    for credential in credentials:
        earned = credential.get("credentialSubject", {}).get("creditsEarned")
        if isinstance(earned, int | float) and not isinstance(earned, bool):
            total += float(earned)
    return total


def clr_credential(transcript: Transcript, *, context_url: str) -> dict[str, Any]:
    """The unsigned CLR 2.0 `ClrCredential` embedding each signed record, with total credits."""
    require_context_url(context_url)
    embedded = [copy.deepcopy(dict(credential)) for credential in transcript.credentials]
    achievements = [credential["credentialSubject"]["achievement"] for credential in embedded]
    total = total_credits(embedded)
    credential: dict[str, Any] = {
        "@context": clr_contexts(context_url),
        "id": transcript.credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": transcript.name,
        "description": f"{len(embedded)} course records, {_number_text(total)} credits earned.",
        "issuer": transcript.issuer.to_json(),
        "validFrom": format_timestamp(transcript.valid_from),
        "partial": transcript.partial,
        "credentialSubject": {
            **subject_identity(transcript.recipient, transcript.holder),
            "type": ["ClrSubject"],
            "verifiableCredential": embedded,
            "achievement": achievements,
            "numberOfCredits": total,
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if transcript.status is not None:
        credential["credentialStatus"] = transcript.status.to_json()
    return credential


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _duration(hours: float | None) -> str | None:
    """Hours as an XML Schema duration: only seconds may carry a fraction (37.5 h → PT37H30M)."""
    if hours is None:
        return None
    seconds = round(hours * 3600)
    whole_hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"PT{whole_hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds:
        text += f"{seconds}S"
    return text
