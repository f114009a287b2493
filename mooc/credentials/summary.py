"""What a record says, read defensively from JSON anyone may paste: for showing, not trusting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mooc.credentials.achievements import K12_FRAMEWORK

EQF_URL = "http://data.europa.eu/snb/eqf/"


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


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:500]
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return _text(value[0].get("@value"))
    return ""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _hours(duration: str) -> str:
    """PT100H → 100, PT37H30M → 37.5 (workload in hours)."""
    if not duration.startswith("PT") or "H" not in duration:
        return ""
    hours, _, rest = duration[2:].partition("H")
    minutes = rest.partition("M")[0] if "M" in rest else "0"
    try:
        total = int(hours) + int(minutes) / 60
    except ValueError:
        return ""
    return _text(round(total, 2))


def stated_scales(results: Any, achievement: Mapping[str, Any]) -> dict[str, str]:
    """The values of the 10-point, letter and 4-point results after the first, found by the
    `resultType` and range of their descriptions: keys `grade_ten`, `letter`, `grade_four`."""
    descriptions = achievement.get("resultDescription")
    by_id = {
        _map(d).get("id"): _map(d) for d in (descriptions if isinstance(descriptions, list) else [])
    }
    found: dict[str, str] = {}
    for result in results[1:] if isinstance(results, list) else []:
        result = _map(result)
        description = by_id.get(result.get("resultDescription"), {})
        kind = description.get("resultType")
        value = _text(result.get("value"))[:20]
        if kind == "LetterGrade":
            found.setdefault("letter", value)
        elif kind == "GradePointAverage" and _text(description.get("valueMax")) == "4":
            found.setdefault("grade_four", value)
        elif kind == "ScaledScore" and _text(description.get("valueMax")) == "10":
            found.setdefault("grade_ten", value)
    return found


def _level_stage(alignment: Mapping[str, Any]) -> str:
    """Which kind of level a record states, so the page can name it in the reader's language."""
    if _text(alignment.get("targetFramework")) == K12_FRAMEWORK:
        return "k12"
    if _text(alignment.get("targetUrl")).startswith(EQF_URL):
        return "eqf"
    return ""


def summarize(credential: Any) -> RecordSummary:
    document = _map(credential)
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    issuer = document.get("issuer")
    issuer_map = _map(issuer)
    subject = _map(document.get("credentialSubject"))
    name = _text(document.get("name"))
    issuer_name = _text(issuer_map.get("name"))
    issuer_id = _text(issuer_map.get("id")) if issuer_map else _text(issuer)
    valid_from = _text(document.get("validFrom"))
    if "ClrCredential" in types:
        embedded = subject.get("verifiableCredential")
        count = len(embedded) if isinstance(embedded, list) else 0
        return RecordSummary(
            "transcript",
            name,
            issuer_name,
            issuer_id,
            valid_from,
            credits=_text(subject.get("numberOfCredits")),
            records=count,
        )
    achievement = _map(subject.get("achievement"))
    if not achievement:
        return RecordSummary("other", name, issuer_name, issuer_id, valid_from)
    results = subject.get("result")
    first = _map(results[0]) if isinstance(results, list) and results else {}
    alignments = achievement.get("alignment")
    # the platform's records align to their level first
    first_alignment = _map(alignments[0]) if isinstance(alignments, list) and alignments else {}
    level_code = _text(first_alignment.get("targetCode"))
    stage = _level_stage(first_alignment) if level_code.isdigit() else ""
    scales = stated_scales(results, achievement)
    return RecordSummary(
        "achievement",
        name,
        issuer_name,
        issuer_id,
        valid_from,
        course_name=_text(achievement.get("name")),
        course_code=_text(achievement.get("humanCode")),
        level=_text(first_alignment.get("targetName")),
        level_stage=stage,
        level_code=level_code if stage else "",
        credits=_text(subject.get("creditsEarned")),
        workload=_hours(_text(achievement.get("timeRequired"))),
        grade=_text(first.get("value")),
        completed=_text(subject.get("activityEndDate")),
        grade_ten=scales.get("grade_ten", ""),
        letter=scales.get("letter", ""),
        grade_four=scales.get("grade_four", ""),
    )
