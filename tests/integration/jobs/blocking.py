"""The job the worker-kill tests give a real worker (`blocking_app.py`): it writes a row of its
own table and then waits for its gate file, so a test can kill the worker while the work is
done but not committed."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.orm import Session

from mooc.jobs import Job

EFFECTS = Table(
    "job_test_effect",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("run", String(100), nullable=False),
)
BLOCKING = "test.block_then_write"


def block_then_write(session: Session, marker: str, gate: str) -> None:
    """Write the effect, say which process started (one line per attempt), wait for the gate."""
    session.execute(insert(EFFECTS).values(run=marker))
    session.flush()
    with Path(gate + ".started").open("a") as started:
        started.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 120
    while not Path(gate + ".open").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the gate never opened")
        time.sleep(0.05)


JOBS = (Job(BLOCKING, block_then_write, retries=2, timeout=dt.timedelta(seconds=2)),)
