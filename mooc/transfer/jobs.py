"""Credit transfer's background job: re-checking, every night, the records behind live request
items and decisions, so a revoked source record is flagged in the university's queue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind
from mooc.db import utcnow
from mooc.jobs import Job, Schedule
from mooc.transfer.services.revocations import recheck_all
from mooc.web import edge

RECHECK = "transfer.recheck"


def recheck(session: Session) -> None:
    """`flask transfer recheck` for every university, in the run's one transaction."""
    universities = session.scalars(
        select(Institution).where(Institution.kind == InstitutionKind.UNIVERSITY)
    ).all()
    recheck_all(
        session,
        list(universities),
        verifier=edge.verifier(network=True),
        base_url=edge.base_url(),
        today=utcnow().date(),
    )


JOBS = (
    Job(
        RECHECK,
        recheck,
        retries=3,
        retry_delay=dt.timedelta(minutes=10),
        timeout=dt.timedelta(hours=2),
        schedule=Schedule(minute="30", hour="19"),  # 02:30 in Viet Nam
    ),
)
