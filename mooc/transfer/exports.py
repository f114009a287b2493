"""Registrar exports: recognised credits as CSV that spreadsheets open safely (UTF-8 with a byte
order mark so Vietnamese shows right; no cell a spreadsheet would run as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from mooc.transfer.queries import RecognisedCredit, student_totals

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")

DETAIL_HEADER = (
    "student_email",
    "student_name",
    "decided_on",
    "outcome",
    "local_course_code",
    "local_course_title",
    "credits",
    "source_record_id",
    "source_record_name",
    "source_issuer",
    "rule_version",
    "decided_by",
    "recognition_record_id",
)
TOTALS_HEADER = ("student_email", "student_name", "courses", "credits")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets a quote before it."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return _number(Decimal(value))
    text = str(value).replace("\x00", "")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def detail_csv(rows: Sequence[RecognisedCredit]) -> str:
    """One line per course recognised for a student."""
    return _csv(
        DETAIL_HEADER,
        (
            (
                row.item.student.login_name,
                row.item.student.name,
                row.decision.created_at.date().isoformat(),
                row.decision.outcome.value,
                row.decision.local_course_code,
                row.decision.local_course_title,
                row.decision.credits,
                row.item.source_id,
                row.item.name,
                row.item.issuer_did,
                (
                    f"{row.decision.rule_version.rule_id}v{row.decision.rule_version.version}"
                    if row.decision.rule_version
                    else ""
                ),
                row.decision.decided_by.login_name if row.decision.decided_by else "",
                f"urn:uuid:{row.decision.credential.uuid}" if row.decision.credential else "",
            )
            for row in rows
        ),
    )


def totals_csv(rows: Sequence[RecognisedCredit]) -> str:
    """One line per student: courses and credits recognised in the period."""
    return _csv(TOTALS_HEADER, student_totals(rows))
