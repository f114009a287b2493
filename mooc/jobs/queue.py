"""The app's one task queue: a Huey instance made from the settings on first use (SQLite in the
instance folder by default, Redis with MOOC_QUEUE_URL, immediate with ``memory://``), the
features' jobs registered on it, and the run around every job's work that keeps the ledger.

A message carries only the run's id; the run's arguments, attempts and state live in
`job_run`. Running a job: claim the run (one worker wins), do the work, mark it done in the same
transaction; on an error, note it and retry after a back-off while attempts are left. A worker
killed mid-way leaves its claim to expire and its uncommitted work to be rolled back by the
database; `recover` (run by the worker every few minutes, or `flask jobs recover`) enqueues the
run again, and the next worker does the work once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer
from huey.exceptions import RetryTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.extensions import db
from mooc.jobs import services
from mooc.jobs.definitions import Job, Schedule
from mooc.jobs.models import JobRun
from mooc.settings import Settings

try:
    from redis import ConnectionPool
except ImportError:  # without the [production] extra: the SQLite and memory queues only
    ConnectionPool = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

EXTENSION = "mooc_jobs"
QUEUE_NAME = "mooc"
RECOVER_GRACE = dt.timedelta(minutes=5)  # a due run whose message has not run by then was lost


def queue_location(settings: Settings) -> str:
    """Where the queue lives: MOOC_QUEUE_URL, else a SQLite file in the instance folder."""
    return settings.queue_url or f"sqlite:///{settings.instance_path / 'jobs.sqlite3'}"


def open_huey(url: str) -> Huey:
    """A Huey instance for `url`: ``sqlite:///path``, ``redis://…`` or ``memory://`` (immediate:
    a job runs inside the call that enqueues it, for tests and one-off scripts)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
    if parts.scheme in ("redis", "rediss"):
        # Bounded waits: an app server enqueueing while Redis is unreachable answers its request
        # (the run waits in the ledger for recover) instead of hanging on a TCP connect.
        if ConnectionPool is None:
            raise ValueError("a Redis queue needs the redis client: pip install -e '.[production]'")
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisHuey(QUEUE_NAME, connection_pool=pool, results=False)
    if parts.scheme == "memory":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    raise ValueError(f"not a queue URL: {url!r}")


def describe(exc: BaseException) -> str:
    """An error as the ledger keeps it: the exception and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"{text}{where}"


@dataclass(frozen=True)
class DrainReport:
    """What `drain` ran: the messages executed."""

    executed: int = 0


class JobQueue:
    """The queue of one app: its jobs by name, and the Huey instance, made on first use (making
    it opens the SQLite file or the Redis pool, which the factory must not do)."""

    def __init__(self, app: Flask, settings: Settings, jobs: Iterable[Job] = ()) -> None:
        self.app = app
        self.settings = settings
        self.url = queue_location(settings)
        self.jobs: dict[str, Job] = {}
        self._tasks: dict[str, TaskWrapper] = {}
        self._huey: Huey | None = None
        self._lock = threading.Lock()
        self.register(jobs)

    # --- jobs and the Huey instance -------------------------------------------------------------

    def register(self, jobs: Iterable[Job]) -> None:
        """Add jobs (each name once)."""
        for job in jobs:
            if job.name in self.jobs:
                raise ValueError(f"two jobs are named {job.name!r}")
            self.jobs[job.name] = job
            if self._huey is not None:
                self._add_tasks(self._huey, job)

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    huey = open_huey(self.url)
                    for job in self.jobs.values():
                        self._add_tasks(huey, job)
                    self._huey = huey
        return self._huey

    @property
    def immediate(self) -> bool:
        return urlsplit(self.url).scheme == "memory"

    def _add_tasks(self, huey: Huey, job: Job) -> None:
        name = job.name

        def run(run_id: str) -> None:
            delay = self.execute(name, run_id)
            if delay is not None and not self.immediate:
                raise RetryTask(delay=delay.total_seconds())

        self._tasks[name] = huey.task(name=name)(run)
        if job.schedule is not None and job.scheduled(self.settings):

            def periodic() -> None:
                self.execute_periodic(name)

            huey.periodic_task(_crontab(job.schedule), name=f"{name}@schedule")(periodic)

    # --- enqueueing -----------------------------------------------------------------------------

    def enqueue(self, session: Session, name: str, *, key: str | None = None, **args: Any) -> str:
        """Add a run of job `name` with `args` (JSON values) and send it to the workers; commits
        its own small transaction, so call it after the caller's commit. With `key`, a run of the
        same key that exists already is left as it is (it ran, or will). Returns the run's id."""
        job = self._job(name)
        run_id = key or f"{name}:{uuid.uuid4().hex}"
        created = services.create_run(
            session, run_id, name, args, max_attempts=job.max_attempts, now=utcnow()
        )
        session.commit()
        if created:
            self.push(name, run_id)
        return run_id

    def push(self, name: str, run_id: str, delay: dt.timedelta | None = None) -> bool:
        """Send run `run_id` to the workers; False (logged) when the queue cannot be reached:
        the run stays in the ledger and `recover` sends it again."""
        try:
            self.huey  # noqa: B018 - made on first use, with its tasks
            task = self._tasks[name]
            if delay is None:
                task(run_id)
            else:
                task.schedule(args=(run_id,), delay=delay.total_seconds())
        except KeyError:
            log.error("run %s is of no known job %r", run_id, name)
            return False
        except Exception:
            log.warning("could not send run %s to the queue; recover will", run_id, exc_info=True)
            return False
        return True

    # --- running --------------------------------------------------------------------------------

    def execute(self, name: str, run_id: str) -> dt.timedelta | None:
        """Run `run_id` once in an app context of its own: claim, work, done mark. Returns the
        delay before a retry after a failed attempt, else None (done, given up, or not ours)."""
        job = self._job(name)
        with self.app.app_context():
            session = db.session
            try:
                return self._run(session, job, run_id)
            finally:
                session.close()

    def _run(self, session: Session, job: Job, run_id: str) -> dt.timedelta | None:
        attempt = services.claim_run(session, run_id, utcnow(), job.timeout)
        run = session.get(JobRun, run_id) if attempt is not None else None
        args = dict(run.args) if run is not None else {}
        session.commit()
        if attempt is None:
            log.info("run %s is done, given up or held by another worker: skipped", run_id)
            return None
        try:
            job.work(session, **args)
            if not services.finish_run(session, run_id, attempt, utcnow()):
                session.rollback()  # another worker took the run over: its work counts
                log.warning("run %s lost its claim before finishing: its work rolled back", run_id)
                return None
            session.commit()
        except Exception as exc:
            session.rollback()
            delay = services.fail_run(
                session, run_id, attempt, describe(exc), utcnow(), job.delay_after(attempt)
            )
            session.commit()
            if delay is None:
                log.error("run %s gave up after attempt %d", run_id, attempt, exc_info=exc)
            else:
                log.warning(
                    "run %s failed (attempt %d), retried in %s: %s",
                    run_id,
                    attempt,
                    delay,
                    describe(exc),
                )
            return delay
        return None

    def execute_periodic(self, name: str, now: dt.datetime | None = None) -> str | None:
        """A scheduled run of `name`: one run per minute slot over every worker's scheduler, and
        none while an earlier run of the job still works (a long sweep is not doubled). Returns
        the run's id, or None when skipped."""
        job = self._job(name)
        moment = now or utcnow()
        run_id = f"{name}@{moment:%Y-%m-%dT%H:%M}"
        with self.app.app_context():
            try:
                if services.is_running(db.session, name, moment):
                    log.info("%s is still running: the %s run is skipped", name, run_id)
                    return None
                services.create_run(
                    db.session, run_id, name, {}, max_attempts=job.max_attempts, now=moment
                )
                db.session.commit()
            finally:
                db.session.close()
        delay = self.execute(name, run_id)
        if delay is not None:  # the retry is the same run, not the next slot's
            self.push(name, run_id, delay)
        return run_id

    def consumer(self, workers: int) -> Consumer:
        """The worker process's consumer: `workers` threads and the scheduler."""
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, max_delay=2.0
        )

    def drain(self, now: dt.datetime | None = None) -> DrainReport:
        """Execute every message waiting now, and the scheduled ones due by `now` (the clock by
        default), in this process: what a worker does, for tests and `flask jobs drain`."""
        huey = self.huey
        executed = 0
        moment = (now or utcnow()).astimezone(dt.UTC).replace(tzinfo=None)  # Huey's UTC is naive
        for task in huey.read_schedule(moment):
            huey.enqueue(task)
        while (task := huey.dequeue()) is not None:
            if task.eta is not None and task.eta > moment:
                huey.add_schedule(task)
                continue
            huey.execute(task, moment)
            executed += 1
        return DrainReport(executed)

    # --- the ledger's upkeep --------------------------------------------------------------------

    def recover(self, session: Session, grace: dt.timedelta = RECOVER_GRACE) -> services.Recovered:
        """Send again the runs a dead worker left or whose message was lost (commits)."""
        found = services.recover_runs(session, utcnow(), grace)
        names = _names(session, found.requeue)
        session.commit()
        for run_id in found.requeue:
            self.push(names[run_id], run_id)
        return found

    def retry(self, session: Session, run_ids: list[str] | None = None) -> list[str]:
        """Give given-up runs one more attempt and send them (commits)."""
        retried = services.retry_runs(session, utcnow(), run_ids)
        names = _names(session, retried)
        session.commit()
        for run_id in retried:
            self.push(names[run_id], run_id)
        return retried

    def _job(self, name: str) -> Job:
        try:
            return self.jobs[name]
        except KeyError:
            raise ValueError(f"no job is named {name!r}") from None


def _names(session: Session, run_ids: Sequence[str]) -> dict[str, str]:
    """The job name of each run, to send it to that job's task."""
    if not run_ids:
        return {}
    rows = session.execute(select(JobRun.id, JobRun.name).where(JobRun.id.in_(run_ids)))
    return {str(row[0]): str(row[1]) for row in rows}


def _crontab(schedule: Schedule) -> Any:
    return crontab(
        minute=schedule.minute,
        hour=schedule.hour,
        day=schedule.day,
        month=schedule.month,
        day_of_week=schedule.day_of_week,
    )


def install(app: Flask, settings: Settings, jobs: Iterable[Job]) -> JobQueue:
    """Put the app's queue, with the given jobs and the queue's own, on the app."""
    queue = JobQueue(app, settings, (*UPKEEP, *jobs))
    app.extensions[EXTENSION] = queue
    return queue


def queue_of(app: Flask) -> JobQueue:
    found: JobQueue = app.extensions[EXTENSION]
    return found


def current_queue() -> JobQueue:
    """The running app's queue (views, hooks and commands)."""
    return queue_of(current_app)


def _recover_work(session: Session) -> None:
    current_queue().recover(session)


def _prune_work(session: Session) -> None:
    services.prune_runs(session, utcnow())


UPKEEP = (
    Job("jobs.recover", _recover_work, retries=0, schedule=Schedule(minute="*/5")),
    Job("jobs.prune", _prune_work, retries=1, schedule=Schedule(minute="17", hour="3")),
)
