"""The sender: what runs outside requests — every minute in the background worker
(``MOOC_NOTIFICATIONS_SENDER=queue``, the default: `notifications/jobs.py`), in a background
thread of each web process (``thread``) or from ``flask notifications send`` (``off``).

Each cycle runs the hourly jobs that are due (the features' own, such as the schools' due-tomorrow
reminders, handed in by the factory, and pruning old read notifications), then sends the due
email copies. An hourly job runs once an hour over all processes: a process claims the run by
moving `PeriodicJob.last_run_at` forward with a conditional UPDATE that only one can win.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.extensions import db
from mooc.mail import Mailer, Postbox
from mooc.notifications.models import PeriodicJob
from mooc.notifications.outbox import SendReport, send_due
from mooc.notifications.services import prune_read

log = logging.getLogger(__name__)

HOURLY = dt.timedelta(hours=1)
INTERVAL_SECONDS = 20.0  # between cycles of the background thread
EXTENSION = "mooc_notification_sender"

# A job takes the session and the moment it runs for; it flushes, the cycle commits.
Job = Callable[[Session, dt.datetime], object]


@dataclass(frozen=True)
class SenderSetup:
    """What the factory hands the sender: the hourly jobs of features above notifications."""

    hourly: Sequence[tuple[str, Job]] = ()
    thread: BackgroundSender | None = field(default=None, compare=False)


def claim_run(session: Session, name: str, now: dt.datetime, period: dt.timedelta) -> bool:
    """Whether this process runs job `name` now (once per `period` over every process)."""
    if session.get(PeriodicJob, name) is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(PeriodicJob).values(name=name, last_run_at=now - period - period)
                )
        except IntegrityError:
            pass  # another process made it just now
    result = session.execute(
        update(PeriodicJob)
        .where(PeriodicJob.name == name, PeriodicJob.last_run_at <= now - period)
        .values(last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def run_cycle(
    session: Session,
    mailer: Mailer,
    sender: str,
    hourly: Sequence[tuple[str, Job]],
    now: dt.datetime | None = None,
) -> SendReport:
    """One cycle: the due hourly jobs (each committed on its own), then sending."""
    moment = now or utcnow()
    jobs: list[tuple[str, Job]] = [*hourly, ("prune-read-notifications", prune_read)]
    for name, job in jobs:
        try:
            if claim_run(session, name, moment, HOURLY):
                job(session, moment)
            session.commit()
        except Exception:  # one failing job must not stop the others nor the sending
            session.rollback()
            log.exception("notification job %s failed", name)
    return send_due(session, mailer, sender, now=now)


class BackgroundSender:
    """A daemon thread per process, started by the first request the process serves (so
    commands, tests and the gunicorn master start none), restarted after a fork."""

    def __init__(self, app: Flask, interval: float = INTERVAL_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, name="notification-sender", daemon=True
            )
            self._thread.start()
            self._pid = os.getpid()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to end after its current cycle, and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    cycle(self.app)
            except Exception:
                log.exception("notification sender cycle failed")
            self._stop.wait(self.interval)


def cycle(app: Flask, now: dt.datetime | None = None) -> SendReport:
    """One cycle with the app's own mailer, sender address and jobs (in an app context)."""
    setup: SenderSetup = app.extensions[EXTENSION]
    postbox: Postbox = app.extensions["mooc_postbox"]
    settings = app.config["MOOC_SETTINGS"]
    try:
        return run_cycle(db.session, postbox.mailer, settings.mail_from, setup.hourly, now)
    finally:
        db.session.close()


def install(app: Flask, mode: str, hourly: Sequence[tuple[str, Job]] = ()) -> None:
    """Keep the jobs for the queue's `notifications.send` and `flask notifications send`; with
    `mode` "thread", start the background sender on the first request each process serves."""
    thread = BackgroundSender(app) if mode == "thread" else None
    app.extensions[EXTENSION] = SenderSetup(hourly=tuple(hourly), thread=thread)
    if thread is not None:
        app.before_request(thread.ensure_started)
