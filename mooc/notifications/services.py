"""Notifying people (`notify`), reading notifications, email choices, and pruning old ones.

`notify` writes in the caller's transaction: the in-app rows and the queued email copies commit or
roll back with the action that caused them, and nothing here touches a mail server.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.db import utcnow
from mooc.errors import NotFound
from mooc.notifications.emails import email_copy
from mooc.notifications.kinds import ALL_KINDS, KINDS
from mooc.notifications.models import EmailOptOut, Notification, NotificationEmail
from mooc.settings import Settings

log = logging.getLogger(__name__)

# Read notifications older than this are deleted by the sender's hourly job; unread ones stay.
KEEP_READ = dt.timedelta(days=90)


def notify(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    params: Mapping[str, Any],
    link: str | None,
    *,
    event_key: str | None = None,
) -> list[Notification]:
    """Tell each of `user_ids` about an event: an in-app notification each, and an email copy
    queued for those with an address who did not turn that kind off. With `event_key`, a person
    already told about that event is not told again (also when two runs race: a unique key).
    Returns the notifications made now."""
    if link is not None and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"a notification links to a path on this site, not {link!r}")
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    told: set[int] = set()
    if event_key is not None:
        told = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.event_key == event_key, Notification.user_id.in_(wanted)
                )
            )
        )
    rows = [
        Notification(
            user_id=user_id, kind=kind, params=dict(params), link=link, event_key=event_key
        )
        for user_id in wanted
        if user_id not in told
    ]
    made = _insert(session, rows)
    _queue_emails(session, made)
    return made


def _insert(session: Session, rows: list[Notification]) -> list[Notification]:
    """All rows at once; when a concurrent run told some of them first, row by row."""
    if not rows:
        return []
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        made = []
        for row in rows:
            try:
                with session.begin_nested():
                    session.add(row)
                    session.flush()
            except IntegrityError:
                continue
            made.append(row)
        return made
    return rows


def _queue_emails(session: Session, made: list[Notification]) -> None:
    if not made:
        return
    settings: Settings = current_app.config["MOOC_SETTINGS"]
    kind = made[0].kind
    by_user = {row.user_id: row for row in made}
    refused = set(
        session.scalars(
            select(EmailOptOut.user_id).where(
                EmailOptOut.user_id.in_(by_user), EmailOptOut.kind.in_((kind, ALL_KINDS))
            )
        )
    )
    people = session.scalars(
        select(User).where(
            User.id.in_([user_id for user_id in by_user if user_id not in refused]),
            User.email.is_not(None),
            User.is_active.is_(True),
        )
    )
    now = utcnow()
    for person in people:
        language = person.locale if person.locale in settings.languages else None
        language = language or settings.default_language
        with force_locale(language):
            subject, body = email_copy(settings, person, by_user[person.id], language)
        session.add(
            NotificationEmail(
                notification_id=by_user[person.id].id,
                to=person.email,
                language=language,
                subject=" ".join(subject.split())[:300],  # one header line, whatever a name holds
                body=body,
                next_attempt_at=now,
            )
        )
    session.flush()


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Raises `NotFound` for a notification that is not `user`'s (ids reveal nothing)."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user.id:
        raise NotFound(_("There is no such notification."))
    if found.read_at is None:
        found.read_at = utcnow()
        session.flush()
    return found


def mark_all_read(session: Session, user: User) -> int:
    """How many were unread."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def set_email_optouts(session: Session, user: User, kinds: Collection[str]) -> None:
    """The kinds `user` wants no email for (`ALL_KINDS` for none at all); others are sent."""
    unknown = set(kinds) - set(KINDS) - {ALL_KINDS}
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user.id))
    session.add_all(EmailOptOut(user_id=user.id, kind=kind) for kind in sorted(set(kinds)))
    session.flush()


def prune_read(session: Session, now: dt.datetime) -> int:
    """Delete notifications read more than `KEEP_READ` ago; how many went."""
    result = session.execute(
        delete(Notification)
        .where(Notification.read_at.is_not(None), Notification.read_at < now - KEEP_READ)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def send_again(
    session: Session, *, by: User, now: dt.datetime, email_ids: Collection[int] | None = None
) -> int:
    """Queue given-up emails for one more attempt now (all of them, or those of `email_ids`);
    an email sent or still waiting is left as it is, so a repeated click sends nothing twice.
    The sender tries each once more: sent, or given up again with its new error."""
    statement = (
        update(NotificationEmail)
        .where(NotificationEmail.sent_at.is_(None), NotificationEmail.next_attempt_at.is_(None))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if email_ids is not None:
        statement = statement.where(NotificationEmail.id.in_(list(email_ids)))
    count = int(getattr(session.execute(statement), "rowcount", 0) or 0)
    session.expire_all()
    log.info("admin %s queued %d given-up email(s) to send again", by.id, count)
    return count
