"""Notifications shown in the platform, the email copies waiting to be sent, who turned email off,
and when the sender's periodic jobs last ran."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mooc.db import Base, JSONType, created_at, intpk


class Notification(Base):
    """One thing a person is told in the platform. The words are not stored: `kind` and `params`
    are rendered when shown, in the reader's language and time zone."""

    __tablename__ = "notification"
    __table_args__ = (
        # The same event never notifies a person twice (a reminder job re-run, a retried action).
        UniqueConstraint("user_id", "event_key"),
        # The header's unread count is one COUNT over this index; the list reads the second.
        Index("ix_notification_user_unread", "user_id", "read_at"),
        Index("ix_notification_user_created", "user_id", "created_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    link: Mapped[str | None] = mapped_column(String(500))  # a path on this site
    # What makes the event unique for its recipient ("assignment-due:12"); None when nothing does.
    event_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[created_at]
    read_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class NotificationEmail(Base):
    """The email copy of a notification, queued in the transaction that made it (a rolled-back
    action queues nothing) and sent later by the sender, with retries."""

    __tablename__ = "notification_email"

    id: Mapped[intpk]
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), index=True
    )
    to: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the sender may try (again); None once sent or given up.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


class EmailOptOut(Base):
    """A person who wants no email for one kind of notification, or for any (`kind` = "all")."""

    __tablename__ = "notification_email_optout"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[created_at]


class PeriodicJob(Base):
    """When a periodic job of the sender last ran, so one process among many runs it per period."""

    __tablename__ = "notification_job"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_run_at: Mapped[dt.datetime]
