"""Reading what a course record states (issuer, achievement, code, credits, hours, grade, date)
and turning a verifier's checks into the facts the rules are applied to. Pure.

Records are JSON anyone may have written, so every field is read defensively; what cannot be
read is None and the rules say what that means (no grade → "grade missing").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mooc.credentials.core.timestamps import parse_timestamp
from mooc.credentials.summary import stated_scales
from mooc.transfer.core.evaluation import RecordFacts

ACHIEVEMENT_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})
_DURATION = re.compile(
    r"^P(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
# The checks (ids of `mooc.credentials.core.verify`) that decide whether a record is authentic.
AUTHENTICITY_CHECKS = ("well-formed", "issuer-resolved", "signature", "embedded-credentials")


class NotACourseRecord(ValueError):
    """JSON that is neither an Open Badges course record nor a CLR transcript of them."""


@dataclass(frozen=True)
class CourseRecord:
    """What one record states about a course, for evaluation and for people."""

    id: str
    name: str
    issuer: str
    issuer_name: str
    achievement_id: str
    course_code: str | None
    title: str
    credits: Decimal | None
    workload_hours: Decimal | None
    grade: Decimal | None  # on 0–100
    grade_text: str
    awarded: dt.date | None
    document: Mapping[str, Any]
    # The same grade on the record's 10-point, letter and 4-point scales, as stated ("": none).
    grade_ten: str = ""
    letter: str = ""
    grade_four: str = ""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _types(node: Mapping[str, Any]) -> set[str]:
    value = node.get("type")
    values = value if isinstance(value, list) else [value]
    return {item for item in values if isinstance(item, str)}


def _text(value: Any, limit: int = 300) -> str:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return _text(value[0].get("@value"), limit)
    return ""


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def duration_hours(text: Any) -> Decimal | None:
    """An XML Schema duration as hours: PT150H → 150, PT37H30M → 37.5, P2D → 48."""
    if not isinstance(text, str):
        return None
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (
        Decimal(part) if part else Decimal(0) for part in match.groups()
    )
    total = days * 24 + hours + minutes / 60 + seconds / 3600
    return total.quantize(Decimal("0.01")).normalize() if total > 0 else None


def _grade(
    subject: Mapping[str, Any], achievement: Mapping[str, Any]
) -> tuple[Decimal | None, str]:
    """The first result's value on 0–100 (scaled from its description's range), and as stated."""
    results = subject.get("result")
    first = _map(results[0]) if isinstance(results, list) and results else {}
    stated = first.get("value")
    value = _decimal(stated)
    if value is None:
        return None, _text(stated, 40)
    descriptions = achievement.get("resultDescription")
    link = first.get("resultDescription")
    low, high = Decimal(0), Decimal(100)
    for description in descriptions if isinstance(descriptions, list) else []:
        description = _map(description)
        if link is None or description.get("id") == link:
            low = _decimal(description.get("valueMin")) or Decimal(0)
            high = _decimal(description.get("valueMax")) or Decimal(100)
            break
    if high <= low or not low <= value <= high:
        return None, _text(stated, 40)
    scaled = (value - low) * 100 / (high - low)
    return scaled.quantize(Decimal("0.01")).normalize(), _text(stated, 40)


def _date(*candidates: Any) -> dt.date | None:
    for candidate in candidates:
        try:
            return parse_timestamp(candidate).date()
        except ValueError:
            continue
    return None


def read_course_record(document: Any) -> CourseRecord:
    """What an Open Badges course record states; `NotACourseRecord` for anything else."""
    record = _map(document)
    if not ACHIEVEMENT_TYPES & _types(record):
        raise NotACourseRecord("not an Open Badges achievement credential")
    subject = _map(record.get("credentialSubject"))
    achievement = _map(subject.get("achievement"))
    achievement_id = _text(achievement.get("id"), 500)
    if not achievement_id:
        raise NotACourseRecord("the record names no achievement")
    issuer = record.get("issuer")
    issuer_id = _text(_map(issuer).get("id") if isinstance(issuer, Mapping) else issuer, 500)
    grade, grade_text = _grade(subject, achievement)
    credits = _decimal(subject.get("creditsEarned"))
    if credits is None:
        credits = _decimal(achievement.get("creditsAvailable"))
    code = _text(achievement.get("humanCode"), 40)
    scales = stated_scales(subject.get("result"), achievement)
    return CourseRecord(
        id=_text(record.get("id"), 300),
        name=_text(record.get("name")) or _text(achievement.get("name")),
        issuer=issuer_id,
        issuer_name=_text(_map(issuer).get("name"), 200),
        achievement_id=achievement_id,
        course_code=code or None,
        title=_text(achievement.get("name")),
        credits=credits if credits is not None and credits >= 0 else None,
        workload_hours=duration_hours(achievement.get("timeRequired")),
        grade=grade,
        grade_text=grade_text,
        awarded=_date(
            record.get("awardedDate"), subject.get("activityEndDate"), record.get("validFrom")
        ),
        document=record,
        grade_ten=scales.get("grade_ten", ""),
        letter=scales.get("letter", ""),
        grade_four=scales.get("grade_four", ""),
    )


def course_records(document: Any) -> tuple[list[CourseRecord], str | None]:
    """The course records in `document` and the transcript's id when it is a CLR transcript.

    Raises `NotACourseRecord` when it holds none.
    """
    record = _map(document)
    if "ClrCredential" in _types(record):
        embedded = _map(record.get("credentialSubject")).get("verifiableCredential")
        found = []
        for credential in embedded if isinstance(embedded, list) else []:
            try:
                found.append(read_course_record(credential))
            except NotACourseRecord:
                continue
        if not found:
            raise NotACourseRecord("the transcript holds no course record")
        return found, _text(record.get("id"), 300) or None
    return [read_course_record(record)], None


@dataclass(frozen=True)
class CheckOutcome:
    """One verification check as stored with an item: id, passed/failed/unknown, message."""

    id: str
    status: str
    message: str


def facts_from(record: CourseRecord, checks: Sequence[CheckOutcome], today: dt.date) -> RecordFacts:
    """The facts the rules see: authenticity, revocation and validity from the checks, the rest
    from the record. Trust is the university's own list, so the platform's trust check is left
    out here."""
    by_id = {check.id: check.status for check in checks}
    authentic = all(by_id.get(name, "passed") == "passed" for name in AUTHENTICITY_CHECKS) and bool(
        checks
    )
    status = by_id.get("status")
    revoked = True if status == "failed" else False if status == "passed" else None
    return RecordFacts(
        verified=authentic and bool(record.issuer),
        revoked=revoked,
        expired=by_id.get("validity-period") == "failed",
        issuer=record.issuer,
        achievement_id=record.achievement_id,
        course_code=record.course_code,
        title=record.title,
        credits=record.credits,
        workload_hours=record.workload_hours,
        grade=record.grade,
        awarded=record.awarded or today,
    )
