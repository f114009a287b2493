"""Sending the queued email copies, outside any request, with retries.

Each pass claims a batch of due rows in a short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`,
so processes sending at the same time take different rows; SQLite has one writer at a time) and
leases them by moving `next_attempt_at` on; it then sends with no transaction open (a slow mail
server never holds a lock) and records each result in a transaction of its own. A process that
dies mid-send leaves the lease to expire, and the row is sent again: at least once, never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.mail import Mailer, MailError, plain_message
from mooc.notifications.core.retry import retry_delay
from mooc.notifications.models import NotificationEmail

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # longer than any send of one batch takes
BATCH = 50


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Claimed:
    """What sending needs, read before the claim commits (no lazy loads while sending)."""

    id: int
    to: str
    subject: str
    body: str
    language: str
    attempts: int


def claim_due(session: Session, now: dt.datetime, limit: int = BATCH) -> list[_Claimed]:
    """Lease up to `limit` due emails to this process (the caller commits)."""
    rows = session.scalars(
        select(NotificationEmail)
        .where(NotificationEmail.next_attempt_at <= now)
        .order_by(NotificationEmail.next_attempt_at, NotificationEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        row.next_attempt_at = now + LEASE
        claimed.append(_Claimed(row.id, row.to, row.subject, row.body, row.language, row.attempts))
    session.flush()
    return claimed


def record_attempt(session: Session, email_id: int, now: dt.datetime, error: str | None) -> str:
    """Note one attempt: "sent", "retrying" (next attempt after the backoff) or "given_up"
    (the last error kept for the administrator)."""
    row = session.get(NotificationEmail, email_id)
    if row is None:  # deleted meanwhile (its person was deleted): nothing to record
        return "given_up"
    row.attempts += 1
    if error is None:
        row.sent_at = now
        row.next_attempt_at = None
        row.last_error = None
        return "sent"
    row.last_error = error[:2000]
    delay = retry_delay(row.attempts)
    row.next_attempt_at = None if delay is None else now + delay
    return "retrying" if delay is not None else "given_up"


def send_due(
    session: Session,
    mailer: Mailer,
    sender: str,
    *,
    now: dt.datetime | None = None,
    limit: int = BATCH,
) -> SendReport:
    """Send what is due at `now` (default: the clock); commits its own short transactions."""
    moment = now or utcnow()
    claimed = claim_due(session, moment, limit)
    session.commit()
    report = SendReport()
    for email in claimed:
        message = plain_message(
            sender=sender,
            to=email.to,
            subject=email.subject,
            body=email.body,
            language=email.language,
        )
        error: str | None = None
        try:
            mailer.send(message)
        except MailError as exc:
            error = str(exc)
        except Exception as exc:  # a bad message must not stop the others; kept as its error
            log.exception("notification email %s could not be built or sent", email.id)
            error = f"{type(exc).__name__}: {exc}"
        outcome = record_attempt(session, email.id, now or utcnow(), error)
        session.commit()
        if outcome == "given_up":
            log.warning("notification email %s given up: %s", email.id, error)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
