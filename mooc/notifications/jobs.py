"""Notifications' background job (MOOC_NOTIFICATIONS_SENDER=queue, the default): every minute,
the sender's cycle — the hourly jobs that are due, then the due email copies."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from mooc.jobs import Job, Schedule
from mooc.notifications.sender import EXTENSION, SenderSetup, run_cycle
from mooc.settings import Settings
from mooc.web import edge

SEND = "notifications.send"


def send(session: Session) -> None:
    """One cycle of the sender (it commits its own short transactions; each email is leased)."""
    setup: SenderSetup = current_app.extensions[EXTENSION]  # the hourly jobs the factory gave
    run_cycle(session, edge.postbox().mailer, edge.settings().mail_from, setup.hourly)


def _queued(settings: Settings) -> bool:
    return settings.notifications_sender == "queue"


JOBS = (Job(SEND, send, retries=0, schedule=Schedule(), enabled=_queued),)
