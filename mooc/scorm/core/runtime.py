"""What a SCO's runtime data says: its status, score, place and time, and its interactions.

The runtime (scorm-again, in the learner's browser) commits its CMI data model as JSON: SCORM
1.2's `cmi.core.*` or SCORM 2004's flat `cmi.*`. These functions read either into one
`Reading`, and write the data handed back at the next launch, so the learner resumes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_SUSPEND = 64_000  # SCORM 2004 4th edition's largest suspend_data, in characters
MAX_CMI_BYTES = 256 * 1024
_TIME_12 = re.compile(r"^(\d{1,4}):([0-5]?\d):([0-5]?\d(?:\.\d{1,2})?)$")
_TIME_2004 = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


class RuntimeDataError(ValueError):
    """The committed data is not a CMI data model this platform reads."""


@dataclass(frozen=True)
class Interaction:
    index: int
    identifier: str
    kind: str  # true-false, choice, fill-in, … ("" when not given)
    response: str
    result: str  # correct, incorrect, wrong (1.2), unanticipated, neutral, or a number


@dataclass(frozen=True)
class Reading:
    completion: str  # completed | incomplete | not attempted | unknown
    success: str  # passed | failed | unknown
    score: float | None  # 0–100
    location: str
    suspend_data: str
    session_seconds: float
    total_seconds: float  # what the runtime was handed at launch
    interactions: tuple[Interaction, ...]

    @property
    def finished(self) -> bool:
        """Completed or passed: the lecture is done."""
        return self.completion == "completed" or self.success == "passed"


def _text(value: Any, limit: int = 4000) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)[:limit]


def _number(value: Any) -> float | None:
    try:
        number = float(_text(value)) if _text(value) != "" else None
    except ValueError:
        return None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None
    return number


def seconds(value: Any) -> float:
    """A SCORM 1.2 `HHHH:MM:SS.SS` or SCORM 2004 ISO 8601 duration in seconds (0 if unreadable)."""
    text = _text(value).strip()
    if match := _TIME_12.match(text):
        hours, minutes, secs = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(secs)
    if (match := _TIME_2004.match(text)) and text not in ("P", "PT"):
        y, mo, d, h, mi, s = (float(g) if g else 0.0 for g in match.groups())
        return ((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s
    return 0.0


def _score(raw: Any, low: Any, high: Any, scaled: Any = None) -> float | None:
    value = _number(scaled)
    if value is not None and -1 <= value <= 1:
        return round(max(value, 0.0) * 100, 2)
    points = _number(raw)
    if points is None:
        return None
    bottom = _number(low) or 0.0
    top = _number(high)
    if top is None:
        top = 100.0
    if top <= bottom:
        return None
    return round(min(max((points - bottom) / (top - bottom), 0.0), 1.0) * 100, 2)


def _interactions(data: Any) -> tuple[Interaction, ...]:
    if isinstance(data, Mapping):
        data = data.get("childArray", [data[k] for k in sorted(data, key=_index) if k.isdigit()])
    if not isinstance(data, list):
        return ()
    found = []
    for index, item in enumerate(data[:1000]):
        if not isinstance(item, Mapping):
            continue
        response = item.get("learner_response", item.get("student_response"))
        found.append(
            Interaction(
                index=index,
                identifier=_text(item.get("id"), 255),
                kind=_text(item.get("type"), 40),
                response=_text(response, 500),
                result=_text(item.get("result"), 40),
            )
        )
    return tuple(found)


def _index(key: str) -> int:
    return int(key) if key.isdigit() else -1


def _cmi(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise RuntimeDataError("the runtime data is not an object")
    cmi = data.get("cmi", data)
    if not isinstance(cmi, Mapping):
        raise RuntimeDataError("the runtime data has no cmi object")
    return cmi


def read(version: str, data: Any) -> Reading:
    """The committed data of a SCO of a `version` ("1.2" | "2004") package."""
    cmi = _cmi(data)
    if version == "1.2":
        core = cmi.get("core") if isinstance(cmi.get("core"), Mapping) else {}
        assert isinstance(core, Mapping)
        score = core.get("score") if isinstance(core.get("score"), Mapping) else {}
        assert isinstance(score, Mapping)
        status = _text(core.get("lesson_status")).lower()
        return Reading(
            completion="completed" if status in ("completed", "passed", "failed") else status,
            success=status if status in ("passed", "failed") else "unknown",
            score=_score(score.get("raw"), score.get("min"), score.get("max")),
            location=_text(core.get("lesson_location"), 1000),
            suspend_data=_text(cmi.get("suspend_data"), MAX_SUSPEND),
            session_seconds=seconds(core.get("session_time")),
            total_seconds=seconds(core.get("total_time")),
            interactions=_interactions(cmi.get("interactions")),
        )
    score = cmi.get("score") if isinstance(cmi.get("score"), Mapping) else {}
    assert isinstance(score, Mapping)
    return Reading(
        completion=_text(cmi.get("completion_status")).lower() or "unknown",
        success=_text(cmi.get("success_status")).lower() or "unknown",
        score=_score(score.get("raw"), score.get("min"), score.get("max"), score.get("scaled")),
        location=_text(cmi.get("location"), 1000),
        suspend_data=_text(cmi.get("suspend_data"), MAX_SUSPEND),
        session_seconds=seconds(cmi.get("session_time")),
        total_seconds=seconds(cmi.get("total_time")),
        interactions=_interactions(cmi.get("interactions")),
    )


def _duration(version: str, total: float) -> str:
    whole = int(total)
    if version == "1.2":
        return f"{whole // 3600:04d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"PT{whole // 3600}H{whole % 3600 // 60}M{whole % 60}S"


def resume_data(
    version: str, reading: Reading | None, total_seconds: float, learner: tuple[str, str]
) -> dict[str, Any]:
    """The CMI data handed to the runtime at launch: who the learner is and, when they were
    here before, where they left off (`entry` = resume), their status, score and total time."""
    learner_id, name = learner
    if version == "1.2":
        core: dict[str, Any] = {"student_id": learner_id, "student_name": name}
        data: dict[str, Any] = {"core": core}
        if reading is not None:
            core["entry"] = "resume" if reading.suspend_data or reading.location else ""
            core["lesson_location"] = reading.location
            core["total_time"] = _duration(version, total_seconds)
            if reading.completion not in ("", "unknown", "not attempted"):
                status = reading.success if reading.success in ("passed", "failed") else None
                core["lesson_status"] = status or reading.completion
            data["suspend_data"] = reading.suspend_data
        return data
    data = {"learner_id": learner_id, "learner_name": name}
    if reading is not None:
        data["entry"] = "resume" if reading.suspend_data or reading.location else ""
        data["location"] = reading.location
        data["suspend_data"] = reading.suspend_data
        data["total_time"] = _duration(version, total_seconds)
        if reading.completion not in ("", "unknown"):
            data["completion_status"] = reading.completion
        if reading.success not in ("", "unknown"):
            data["success_status"] = reading.success
    return data


def is_correct(result: str) -> bool | None:
    """An interaction's result as success: None when it says neither right nor wrong."""
    lowered = result.lower()
    if lowered == "correct":
        return True
    if lowered in ("incorrect", "wrong"):
        return False
    return None
