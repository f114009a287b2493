"""When a failed email is tried again: exponential backoff, then giving up (the error is kept)."""

from __future__ import annotations

import datetime as dt

# The wait after the 1st, 2nd … failed attempt; after the last one the email is given up.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def retry_delay(failed_attempts: int) -> dt.timedelta | None:
    """How long to wait after `failed_attempts` failures (1 for the first); None: give up."""
    if failed_attempts < 1:
        raise ValueError("retry_delay counts failures from 1")
    if failed_attempts > len(BACKOFF):
        return None
    return BACKOFF[failed_attempts - 1]
