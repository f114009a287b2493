"""What a record states, read defensively from JSON anyone may have written: a summary for
showing it to people (`summarize`), and what it says about a course for weighing it
(`read_course_record`, `course_records`). Neither trusts it: that is `verify`'s job. Pure.

What cannot be read is empty ("" or None), and the caller says what that means (no grade →
"grade missing").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mooc.credentials.core.identity import NAME, STUDENT_ID, hashed_types, shown_identities
from mooc.credentials.core.records import K12_FRAMEWORK
from mooc.credentials.core.timestamps import parse_timestamp

ACHIEVEMENT_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})
EQF_URL = "http://data.europa.eu/snb/eqf/"
_DURATION = re.compile(
    r"^P(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


# The readers of single JSON values: whatever comes, an answer of the asked type.


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def types(node: Mapping[str, Any]) -> set[str]:
    value = node.get("type")
    values = value if isinstance(value, list) else [value]
    return {item for item in values if isinstance(item, str)}


def text(value: Any, limit: int = 300) -> str:
    """A string (or a JSON-LD value object's), cut to `limit`; anything else is ""."""
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return text(value[0].get("@value"), limit)
    return ""


def shown(value: Any, limit: int = 500) -> str:
    """Like `text`, and numbers as people write them (2, not 2.0)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return shown(value[0].get("@value"), limit)
    return text(value, limit)


def decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def duration_hours(value: Any) -> Decimal | None:
    """An XML Schema duration as hours: PT150H → 150, PT37H30M → 37.5, P2D → 48."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip())
    if match is None or value.strip() in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (
        Decimal(part) if part else Decimal(0) for part in match.groups()
    )
    total = days * 24 + hours + minutes / 60 + seconds / 3600
    return total.quantize(Decimal("0.01")).normalize() if total > 0 else None


def stated_scales(results: Any, achievement: Mapping[str, Any]) -> dict[str, str]:
    """The values of the 10-point, letter and 4-point results after the first, found by the
    `resultType` and range of their descriptions: keys `grade_ten`, `letter`, `grade_four`."""
    descriptions = achievement.get("resultDescription")
    by_id = {
        mapping(d).get("id"): mapping(d)
        for d in (descriptions if isinstance(descriptions, list) else [])
    }
    found: dict[str, str] = {}
    for result in results[1:] if isinstance(results, list) else []:
        result = mapping(result)
        description = by_id.get(result.get("resultDescription"), {})
        kind = description.get("resultType")
        value = shown(result.get("value"))[:20]
        if kind == "LetterGrade":
            found.setdefault("letter", value)
        elif kind == "GradePointAverage" and shown(description.get("valueMax")) == "4":
            found.setdefault("grade_four", value)
        elif kind == "ScaledScore" and shown(description.get("valueMax")) == "10":
            found.setdefault("grade_ten", value)
    return found


# A summary, for pages that show a record.


@dataclass(frozen=True)
class RecordSummary:
    kind: str  # "achievement", "transcript" or "other"
    name: str
    issuer_name: str
    issuer_id: str
    valid_from: str
    course_name: str = ""
    course_code: str = ""
    level: str = ""  # as the record words it (in the issuer's language)
    level_stage: str = ""  # "k12" or "eqf" when the platform can word the level itself
    level_code: str = ""  # the grade (k12) or the EQF level
    credits: str = ""
    workload: str = ""
    grade: str = ""
    completed: str = ""
    records: int = 0
    # The same grade on the record's further scales, as stated (empty when it states none).
    grade_ten: str = ""
    letter: str = ""
    grade_four: str = ""
    # Who holds it, as stated in clear, and which identities it states only as hashes.
    holder_name: str = ""
    student_number: str = ""
    hashed_identities: tuple[str, ...] = ()


def _level_stage(alignment: Mapping[str, Any]) -> str:
    """Which kind of level a record states, so the page can name it in the reader's language."""
    if shown(alignment.get("targetFramework")) == K12_FRAMEWORK:
        return "k12"
    if shown(alignment.get("targetUrl")).startswith(EQF_URL):
        return "eqf"
    return ""


def _workload(value: Any) -> str:
    hours = duration_hours(value)
    return shown(float(hours)) if hours is not None else ""


def summarize(credential: Any) -> RecordSummary:
    document = mapping(credential)
    issuer = document.get("issuer")
    issuer_map = mapping(issuer)
    subject = mapping(document.get("credentialSubject"))
    name = shown(document.get("name"))
    issuer_name = shown(issuer_map.get("name"))
    issuer_id = shown(issuer_map.get("id")) if issuer_map else shown(issuer)
    valid_from = shown(document.get("validFrom"))
    clear = shown_identities(subject)
    holder: dict[str, Any] = {
        "holder_name": clear.get(NAME, ""),
        "student_number": clear.get(STUDENT_ID, ""),
        "hashed_identities": hashed_types(subject),
    }
    if "ClrCredential" in types(document):
        embedded = subject.get("verifiableCredential")
        count = len(embedded) if isinstance(embedded, list) else 0
        return RecordSummary(
            "transcript",
            name,
            issuer_name,
            issuer_id,
            valid_from,
            credits=shown(subject.get("numberOfCredits")),
            records=count,
            **holder,
        )
    achievement = mapping(subject.get("achievement"))
    if not achievement:
        return RecordSummary("other", name, issuer_name, issuer_id, valid_from, **holder)
    results = subject.get("result")
    first = mapping(results[0]) if isinstance(results, list) and results else {}
    alignments = achievement.get("alignment")
    # the platform's records align to their level first
    first_alignment = mapping(alignments[0]) if isinstance(alignments, list) and alignments else {}
    level_code = shown(first_alignment.get("targetCode"))
    stage = _level_stage(first_alignment) if level_code.isdigit() else ""
    scales = stated_scales(results, achievement)
    return RecordSummary(
        "achievement",
        name,
        issuer_name,
        issuer_id,
        valid_from,
        course_name=shown(achievement.get("name")),
        course_code=shown(achievement.get("humanCode")),
        level=shown(first_alignment.get("targetName")),
        level_stage=stage,
        level_code=level_code if stage else "",
        credits=shown(subject.get("creditsEarned")),
        workload=_workload(achievement.get("timeRequired")),
        grade=shown(first.get("value")),
        completed=shown(subject.get("activityEndDate")),
        grade_ten=scales.get("grade_ten", ""),
        letter=scales.get("letter", ""),
        grade_four=scales.get("grade_four", ""),
        **holder,
    )


# What a record says about a course, for weighing it against recognition rules.


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


def _grade(
    subject: Mapping[str, Any], achievement: Mapping[str, Any]
) -> tuple[Decimal | None, str]:
    """The first result's value on 0–100 (scaled from its description's range), and as stated."""
    results = subject.get("result")
    first = mapping(results[0]) if isinstance(results, list) and results else {}
    stated = first.get("value")
    value = decimal(stated)
    if value is None:
        return None, text(stated, 40)
    descriptions = achievement.get("resultDescription")
    link = first.get("resultDescription")
    low, high = Decimal(0), Decimal(100)
    for description in descriptions if isinstance(descriptions, list) else []:
        description = mapping(description)
        if link is None or description.get("id") == link:
            low = decimal(description.get("valueMin")) or Decimal(0)
            high = decimal(description.get("valueMax")) or Decimal(100)
            break
    if high <= low or not low <= value <= high:
        return None, text(stated, 40)
    scaled = (value - low) * 100 / (high - low)
    return scaled.quantize(Decimal("0.01")).normalize(), text(stated, 40)


def _date(*candidates: Any) -> dt.date | None:
    for candidate in candidates:
        try:
            return parse_timestamp(candidate).date()
        except ValueError:
            continue
    return None


def read_course_record(document: Any) -> CourseRecord:
    """What an Open Badges course record states; `NotACourseRecord` for anything else."""
    record = mapping(document)
    if not ACHIEVEMENT_TYPES & types(record):
        raise NotACourseRecord("not an Open Badges achievement credential")
    subject = mapping(record.get("credentialSubject"))
    achievement = mapping(subject.get("achievement"))
    achievement_id = text(achievement.get("id"), 500)
    if not achievement_id:
        raise NotACourseRecord("the record names no achievement")
    issuer = record.get("issuer")
    issuer_id = text(mapping(issuer).get("id") if isinstance(issuer, Mapping) else issuer, 500)
    grade, grade_text = _grade(subject, achievement)
    credits = decimal(subject.get("creditsEarned"))
    if credits is None:
        credits = decimal(achievement.get("creditsAvailable"))
    code = text(achievement.get("humanCode"), 40)
    scales = stated_scales(subject.get("result"), achievement)
    return CourseRecord(
        id=text(record.get("id"), 300),
        name=text(record.get("name")) or text(achievement.get("name")),
        issuer=issuer_id,
        issuer_name=text(mapping(issuer).get("name"), 200),
        achievement_id=achievement_id,
        course_code=code or None,
        title=text(achievement.get("name")),
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
    record = mapping(document)
    if "ClrCredential" in types(record):
        embedded = mapping(record.get("credentialSubject")).get("verifiableCredential")
        found = []
        for credential in embedded if isinstance(embedded, list) else []:
            try:
                found.append(read_course_record(credential))
            except NotACourseRecord:
                continue
        if not found:
            raise NotACourseRecord("the transcript holds no course record")
        return found, text(record.get("id"), 300) or None
    return [read_course_record(record)], None
