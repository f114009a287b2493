"""The ledger of runs (`job_run`): creating a run, a worker's claim, its done mark and its
failures, bringing back runs a dead worker left, retrying given-up runs, pruning old ones.

Functions take a `Session` and flush; the queue (or a view, or a command) commits. A claim is a
conditional UPDATE that only one worker can win; the done mark is another, in the transaction
of the work itself, and fails when the claim was lost (a second worker took over after the
lease ran out), so that work is rolled back and done exactly once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.errors import Conflict, NotFound
from mooc.jobs.models import JobRun, RunState

DEAD_WORKER = "the worker stopped during this attempt (killed or restarted)"
KEEP_DONE = dt.timedelta(days=7)


def args_digest(args: dict[str, Any]) -> str:
    """The SHA-256 of the arguments as canonical JSON: runs of the same work look alike."""
    text = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def create_run(
    session: Session,
    run_id: str,
    name: str,
    args: dict[str, Any],
    *,
    max_attempts: int,
    now: dt.datetime,
) -> bool:
    """Add the run `run_id` as queued; False when it exists already (the same key enqueued
    twice, or a periodic run another worker's scheduler added first)."""
    if session.get(JobRun, run_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                JobRun(
                    id=run_id,
                    name=name,
                    args=args,
                    args_digest=args_digest(args),
                    state=RunState.QUEUED,
                    attempts=0,
                    max_attempts=max_attempts,
                    created_at=now,
                    due_at=now,
                )
            )
    except IntegrityError:
        return False  # added by another process just now
    return True


def is_running(session: Session, name: str, now: dt.datetime) -> bool:
    """Whether a run of job `name` is held by a live worker (its lease not run out)."""
    held = session.scalar(
        select(JobRun.id)
        .where(JobRun.state == RunState.RUNNING, JobRun.name == name, JobRun.lease_until >= now)
        .limit(1)
    )
    return held is not None


def claim_run(session: Session, run_id: str, now: dt.datetime, lease: dt.timedelta) -> int | None:
    """Take the run for this worker until `now + lease`: its attempt number, or None when it is
    done, given up, or held by a live worker."""
    claimable = or_(
        JobRun.state.in_((RunState.QUEUED, RunState.FAILED)),
        and_(JobRun.state == RunState.RUNNING, JobRun.lease_until < now),
    )
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, claimable, JobRun.attempts < JobRun.max_attempts)
        .values(
            state=RunState.RUNNING,
            attempts=JobRun.attempts + 1,
            started_at=now,
            lease_until=now + lease,
            due_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    attempts = session.scalar(select(JobRun.attempts).where(JobRun.id == run_id))
    return int(attempts) if attempts is not None else None


def finish_run(session: Session, run_id: str, attempt: int, now: dt.datetime) -> bool:
    """Mark the run done, in the transaction of its work; False when this worker's claim was
    lost meanwhile (the caller then rolls its work back)."""
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.id == run_id,
            JobRun.state == RunState.RUNNING,
            JobRun.attempts == attempt,
        )
        .values(state=RunState.DONE, finished_at=now, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def fail_run(
    session: Session, run_id: str, attempt: int, error: str, now: dt.datetime, delay: dt.timedelta
) -> dt.timedelta | None:
    """Note a failed attempt; the delay before the next one, or None when none is left."""
    run = session.get(JobRun, run_id, populate_existing=True)
    if run is None or run.state != RunState.RUNNING or run.attempts != attempt:
        return None  # another worker holds it now
    run.state = RunState.FAILED
    run.last_error = error[:4000]
    run.finished_at = now
    run.lease_until = None
    retrying = run.attempts < run.max_attempts
    run.due_at = now + delay if retrying else None
    session.flush()
    return delay if retrying else None


@dataclass(frozen=True)
class Recovered:
    """Runs brought back: to enqueue again, and those whose last attempt killed its worker and
    which had no attempt left."""

    requeue: tuple[str, ...]
    given_up: tuple[str, ...]


def recover_runs(session: Session, now: dt.datetime, grace: dt.timedelta) -> Recovered:
    """Runs stuck in `running` past their lease (their worker died) and runs due for longer than
    `grace` whose message was lost (a failed push, a broker restarted without its data): queued
    again while they have attempts left, given up otherwise."""
    stuck = session.scalars(
        select(JobRun).where(JobRun.state == RunState.RUNNING, JobRun.lease_until < now)
    ).all()
    overdue = session.scalars(
        select(JobRun).where(
            JobRun.state.in_((RunState.QUEUED, RunState.FAILED)),
            JobRun.due_at < now - grace,
            JobRun.attempts < JobRun.max_attempts,
        )
    ).all()
    requeue, given_up = [], []
    for run in stuck:
        if run.attempts < run.max_attempts:
            run.state, run.due_at = RunState.QUEUED, now
            run.lease_until = None
            requeue.append(run.id)
        else:
            run.state, run.last_error = RunState.FAILED, DEAD_WORKER
            run.lease_until, run.finished_at = None, now
            given_up.append(run.id)
    for run in overdue:
        run.due_at = now
        requeue.append(run.id)
    session.flush()
    return Recovered(tuple(requeue), tuple(given_up))


def retry_runs(
    session: Session, now: dt.datetime, run_ids: Sequence[str] | None = None
) -> list[str]:
    """Give failed runs that have no attempt left one more (all of them, or those named);
    the ids to enqueue once committed. Raises `NotFound` for a named run that is not there and
    `Conflict` for one that has not given up."""
    statement = select(JobRun).where(
        JobRun.state == RunState.FAILED, JobRun.attempts >= JobRun.max_attempts
    )
    if run_ids is not None:
        for run_id in run_ids:
            run = session.get(JobRun, run_id)
            if run is None:
                raise NotFound(_("There is no such background job."))
            if run.state != RunState.FAILED or run.attempts < run.max_attempts:
                raise Conflict(
                    _("This background job has not given up: it is tried again by itself.")
                )
        statement = statement.where(JobRun.id.in_(run_ids))
    retried = []
    for run in session.scalars(statement):
        run.state, run.due_at = RunState.QUEUED, now
        run.max_attempts = run.attempts + 1
        retried.append(run.id)
    session.flush()
    return retried


def prune_runs(session: Session, now: dt.datetime, keep: dt.timedelta = KEEP_DONE) -> int:
    """Delete runs done more than `keep` ago (failures stay until retried or looked at)."""
    result = session.execute(
        delete(JobRun)
        .where(JobRun.state == RunState.DONE, JobRun.finished_at < now - keep)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
