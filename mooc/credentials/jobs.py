"""The credentials' background jobs: issuing the records of given completions (enqueued when
issuing right after a request failed) and, every ten minutes, of every completion still
without one."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from mooc.credentials.services.issuing import issue_completion_record
from mooc.credentials.services.pending import issue_pending
from mooc.jobs import Job, Schedule
from mooc.learning.models import Completion
from mooc.web import edge

log = logging.getLogger(__name__)
ISSUE_RECORDS = "credentials.issue_records"
ISSUE_PENDING = "credentials.issue_pending"


def issue_records(session: Session, completion_ids: list[int]) -> None:
    """The records of these completions, in the run's one transaction (one record per
    completion: a record issued meanwhile is kept, not issued twice)."""
    context = edge.issuing_context()
    for completion_id in completion_ids:
        completion = session.get(Completion, completion_id)
        if completion is not None:
            issue_completion_record(session, completion, context)


def issue_all_pending(session: Session) -> None:
    """Every completion without a record, committed batch by batch (a batch lost to a kill is
    issued by the next run; a unique constraint keeps one record per completion)."""
    if not edge.settings().key_encryption_key:
        log.info("no MOOC_KEY_ENCRYPTION_KEY: records wait")
        return
    for _batch in issue_pending(session, edge.issuing_context()):
        session.commit()


JOBS = (
    Job(ISSUE_RECORDS, issue_records, retries=5, retry_delay=dt.timedelta(minutes=1)),
    Job(
        ISSUE_PENDING,
        issue_all_pending,
        retries=2,
        timeout=dt.timedelta(hours=1),
        schedule=Schedule(minute="*/10"),
    ),
)
