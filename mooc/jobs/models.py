"""`job_run`: one row per run of a background job — what it is, how it stands, its last error —
for the administrator's view and for running each job's work exactly once."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mooc.db import Base, JSONType, created_at, enum_column


class RunState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker (a first attempt, or one brought back by recover)
    RUNNING = "running"  # claimed by a worker until `lease_until`
    DONE = "done"  # its work committed together with this state: never run again
    FAILED = "failed"  # the last attempt failed; retried at `due_at` while attempts are left


class JobRun(Base):
    """A run of a job. Its id is the idempotency key: a worker claims the row before working
    and marks it done in the same transaction as the work, so a second delivery of the same run
    (a retry, a re-enqueue after a killed worker) finds it done and does nothing."""

    __tablename__ = "job_run"
    __table_args__ = (
        Index("ix_job_run_state_due", "state", "due_at"),
        Index("ix_job_run_state_finished", "state", "finished_at"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    args: Mapped[dict[str, Any]] = mapped_column(JSONType)
    args_digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[RunState] = mapped_column(enum_column(RunState, "job_run_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    # When the next attempt is due (queued: at once; failed: after the back-off).
    due_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    # A running claim older than this is presumed dead (its worker was killed): recover takes it.
    lease_until: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
