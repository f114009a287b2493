"""The facts recognition rules are applied to: what a course record states (read by
`mooc.credentials.core.reading`) with the verifier's checks turned into authenticity, revocation
and validity. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mooc.credentials.core.reading import CourseRecord
from mooc.transfer.core.evaluation import RecordFacts

# The checks (ids of `mooc.credentials.core.verify`) that decide whether a record is authentic.
AUTHENTICITY_CHECKS = ("well-formed", "issuer-resolved", "signature", "embedded-credentials")


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
