"""Reads of the ledger for people: how many runs stand in each state, the latest failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.jobs.models import JobRun, RunState


@dataclass(frozen=True)
class RunCounts:
    """Runs per state; `given_up` are the failed ones with no attempt left."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    given_up: int = 0


def run_counts(session: Session) -> RunCounts:
    """One grouped count over the ledger."""
    rows = session.execute(
        select(
            JobRun.state,
            func.count(JobRun.id),
            func.count(JobRun.id).filter(JobRun.attempts >= JobRun.max_attempts),
        ).group_by(JobRun.state)
    ).all()
    counts = {RunState(state).value: (int(n), int(out)) for state, n, out in rows}
    return RunCounts(
        queued=counts.get("queued", (0, 0))[0],
        running=counts.get("running", (0, 0))[0],
        done=counts.get("done", (0, 0))[0],
        failed=counts.get("failed", (0, 0))[0],
        given_up=counts.get("failed", (0, 0))[1],
    )


def latest_failures(session: Session, limit: int = 20) -> Sequence[JobRun]:
    """The failed runs, latest failure first (those still to be retried among them)."""
    return session.scalars(
        select(JobRun)
        .where(JobRun.state == RunState.FAILED)
        .order_by(JobRun.finished_at.desc(), JobRun.id)
        .limit(limit)
    ).all()
