"""Reading notifications: the unread count (one indexed COUNT), a page of them, email choices."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.notifications.models import EmailOptOut, Notification
from mooc.pagination import Page, paginate


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


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
