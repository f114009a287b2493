"""Learning's background jobs, every minute: forwarding stored xAPI statements to the LRS, when
MOOC_LRS_URL names one; recounting the standing of the large courses whose rule changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mooc.jobs import Job, Schedule
from mooc.learning import recounts
from mooc.learning.lrs import LrsConfig, LrsError, forward_pending
from mooc.settings import Settings
from mooc.web import edge

FORWARD_XAPI = "learning.forward_xapi"
RECOUNT_STANDING = "learning.recount_standing"


def forward_xapi(session: Session) -> None:
    """Send batches until none is due, each committed with its rows marked (a batch lost to a
    kill is sent again: statements carry their ids, which an LRS keeps once). Fails when the
    LRS refused a batch, so the failure shows; the statements wait for their own back-off."""
    settings = edge.settings()
    if not settings.lrs_url:
        return
    config = LrsConfig(settings.lrs_url, settings.lrs_username, settings.lrs_password)
    while True:
        result = forward_pending(session, config)
        session.commit()
        if result.failed:
            raise LrsError(result.error or "the LRS refused a batch")
        if not result.sent:
            return


def recount_standing(session: Session) -> None:
    """Recount the courses waiting for it (`recounts.recount_requested`: each committed with
    its request; a run killed mid-way leaves the rest, and the course it was on, for the next
    minute's run, and a recount done twice writes the same standing)."""
    recounts.recount_requested(session)


def _has_lrs(settings: Settings) -> bool:
    return bool(settings.lrs_url)


JOBS = (
    Job(
        FORWARD_XAPI,
        forward_xapi,
        retries=0,  # the next minute's run is the retry
        timeout=dt.timedelta(minutes=30),
        schedule=Schedule(),
        enabled=_has_lrs,
    ),
    Job(
        RECOUNT_STANDING,
        recount_standing,
        retries=0,  # the next minute's run is the retry
        timeout=dt.timedelta(hours=2),  # a course of a million learners: a few minutes
        schedule=Schedule(),
    ),
)
