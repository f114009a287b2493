"""Forwarding stored xAPI statements to an external Learning Record Store, reliably.

Statements wait in the `xapi_statement` table (written in the learner's own transaction); this
worker sends them in batches. A failed batch stays queued and is retried with growing delays, so
nothing is lost and no learner ever waits for the LRS. The worker runs it every minute
(`learning/jobs.py`); `flask xapi forward` by hand.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.learning.models import XapiStatement

MAX_BACKOFF = dt.timedelta(hours=1)


@dataclass(frozen=True)
class LrsConfig:
    url: str  # the LRS endpoint; statements go to <url>/statements
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


class LrsError(Exception):
    """The LRS refused or did not answer; the batch will be retried."""


Sender = Callable[[LrsConfig, Sequence[dict[str, Any]]], None]


def http_send(config: LrsConfig, statements: Sequence[dict[str, Any]]) -> None:
    """POST a batch to the LRS as xAPI 1.0.3 asks (version header, JSON array)."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's configured LRS
        config.url.rstrip("/") + "/statements",
        data=json.dumps(list(statements)).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
    )
    if config.username is not None:
        token = base64.b64encode(f"{config.username}:{config.password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
            if response.status not in (200, 204):
                raise LrsError(f"LRS answered {response.status}")
    except urllib.error.HTTPError as exc:
        raise LrsError(f"LRS answered {exc.code}: {exc.read()[:200]!r}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LrsError(f"LRS unreachable: {exc}") from None


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class ForwardResult:
    sent: int
    failed: int
    error: str | None = None


def forward_pending(
    session: Session,
    config: LrsConfig,
    *,
    send: Sender = http_send,
    now: dt.datetime | None = None,
    batch_size: int = 50,
) -> ForwardResult:
    """Send one batch of due statements. The caller commits (so a crash resends, never loses)."""
    now = now or utcnow()
    due = session.scalars(
        select(XapiStatement)
        .where(
            XapiStatement.forwarded_at.is_(None),
            or_(XapiStatement.next_attempt_at.is_(None), XapiStatement.next_attempt_at <= now),
        )
        .order_by(XapiStatement.stored_at, XapiStatement.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return ForwardResult(0, 0)
    try:
        send(config, [row.statement for row in due])
    except LrsError as exc:
        for row in due:
            row.forward_attempts += 1
            row.next_attempt_at = now + backoff(row.forward_attempts)
            row.last_error = str(exc)[:1000]
        return ForwardResult(0, len(due), str(exc))
    for row in due:
        row.forwarded_at = now
        row.last_error = None
    return ForwardResult(len(due), 0)
