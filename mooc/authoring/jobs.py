"""Authoring's background job: making the queued renditions of course videos, enqueued when a
video is uploaded or a package imported, and every minute for anything left."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from mooc.authoring.services.renditions import run_transcodes
from mooc.jobs import Job, Schedule
from mooc.web import edge

log = logging.getLogger(__name__)
TRANSCODE = "authoring.transcode"


def transcode(session: Session) -> None:
    """Make every queued rendition (each leased, made and recorded in transactions of its own:
    several runs side by side take different renditions)."""
    report = run_transcodes(session, edge.storage())
    if report.made or report.failed:
        log.info("renditions: %d made, %d failed", report.made, report.failed)


JOBS = (
    Job(
        TRANSCODE,
        transcode,
        retries=2,
        timeout=dt.timedelta(hours=2),
        schedule=Schedule(),
    ),
)
