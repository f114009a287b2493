"""The backoff of failed notification emails: 1 min, 5, 30, 2 h, 6 h, then given up."""

from __future__ import annotations

import datetime as dt

import pytest

from mooc.notifications.core.retry import MAX_ATTEMPTS, retry_delay


def test_waits_grow_then_the_email_is_given_up() -> None:
    waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:-1] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=6),
    ]
    assert waits[-1] is None
    assert MAX_ATTEMPTS == 6


def test_failures_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(0)
