"""Reading notifications: the unread count (one indexed COUNT), a page of them, email choices,
and how the email outbox stands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mooc.notifications.models import EmailOptOut, Notification, NotificationEmail
from mooc.pagination import Page, paginate


def _unread(user_id: int | ColumnElement[int] | InstrumentedAttribute[int]) -> Select[int]:
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def unread_count_of(user_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ScalarSelect[int]:
    """The person's unread count as a column of a larger statement (the lecture page reads it
    with the reader's progress, in one statement)."""
    return _unread(user_id).scalar_subquery()


def unread_count(session: Session, user_id: int) -> int:
    return int(session.scalar(_unread(user_id)) or 0)


def notifications_page(
    session: Session, user_id: int, *, page: int, per_page: int
) -> Page[Notification]:
    """Newest first."""
    statement = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(session, statement, page=page, per_page=per_page)


def email_optouts(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user_id)))


@dataclass(frozen=True)
class OutboxState:
    """How the email copies stand: waiting to be sent (or retried), sent, given up."""

    waiting: int
    sent: int
    given_up: int


def outbox_state(session: Session) -> OutboxState:
    waiting, sent, given_up = session.execute(
        select(
            func.count(NotificationEmail.next_attempt_at),
            func.count(NotificationEmail.sent_at),
            func.count(NotificationEmail.id).filter(
                NotificationEmail.sent_at.is_(None), NotificationEmail.next_attempt_at.is_(None)
            ),
        )
    ).one()
    return OutboxState(int(waiting), int(sent), int(given_up))


def _given_up() -> Select[NotificationEmail]:
    return (
        select(NotificationEmail)
        .where(NotificationEmail.sent_at.is_(None), NotificationEmail.next_attempt_at.is_(None))
        .order_by(NotificationEmail.id.desc())
    )


def given_up_page(session: Session, *, page: int, per_page: int = 50) -> Page[NotificationEmail]:
    """The emails the sender gave up on, newest first, for the administrator's outbox page."""
    return paginate(session, _given_up(), page=page, per_page=per_page)


def given_up_emails(session: Session, limit: int = 20) -> list[NotificationEmail]:
    """The latest emails the sender gave up on, with their last error."""
    return list(session.scalars(_given_up().limit(limit)))
