"""XML Schema `dateTimeStamp` text, the only date form records carry: UTC, to the second.

A timestamp without a time zone means different instants in different places, so it is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def format_timestamp(moment: datetime) -> str:
    """`2025-06-30T08:15:00Z`: UTC, seconds precision. Naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a record timestamp needs a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: object) -> datetime:
    """The instant an XML Schema `dateTimeStamp` names; `ValueError` for anything else."""
    if not isinstance(text, str) or not _DATE_TIME_STAMP.match(text):
        raise ValueError(f"{text!r} is not an XML Schema dateTimeStamp (e.g. 2025-06-30T00:00:00Z)")
    return datetime.fromisoformat(text)


def is_timestamp(text: object) -> bool:
    try:
        parse_timestamp(text)
    except ValueError:
        return False
    return True
