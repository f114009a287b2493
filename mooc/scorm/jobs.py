"""SCORM's background job: deleting the stored files of packages nothing refers to any more,
once a day and after a teacher replaces a package."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.jobs import Job, Schedule
from mooc.scorm import services
from mooc.web import edge

log = logging.getLogger(__name__)
SWEEP = "scorm.sweep_files"


def sweep_files(session: Session) -> None:
    """Delete the files of unreferenced packages (idempotent: it deletes nothing twice and
    never a file a package row refers to)."""
    swept = services.remove_unreferenced_files(session, edge.storage(), now=utcnow())
    if swept.packages or swept.kept:
        log.info(
            "SCORM files: %d packages (%d objects) removed, %d kept for now",
            swept.packages,
            swept.files,
            swept.kept,
        )


JOBS = (
    Job(
        SWEEP,
        sweep_files,
        retries=2,
        timeout=dt.timedelta(minutes=30),
        schedule=Schedule(minute="43", hour="2"),
    ),
)
