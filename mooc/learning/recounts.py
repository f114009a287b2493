"""Recounting a course's kept standing (`analytics.refresh_standing`) after a change to what its
completion rule counts: a lecture or quiz published, retired or made required, a weight, a pass
mark. The recount counts every enrolment of the course, 45–170 µs a learner on the 2-core
machine (2.5–9.5 s for 56,000, by how many it changes): inside the teacher's request up to
`INLINE_LEARNERS`, else asked of the background job (`learning.recount_standing`, every
minute), so that a change to a course of a million pupils does not hold a request past the
server's timeout. Until the job has run, each learner's own standing is still recounted
whenever they study (their writes count under the course's rule as it is); only the teacher's
figures of the others wait."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mooc.catalog.models import Course
from mooc.db import upsert, utcnow
from mooc.learning.analytics import course_tally, refresh_standing
from mooc.learning.models import StandingRecount

INLINE_LEARNERS = 5_000


def recount_course(session: Session, course_id: int) -> bool:
    """Recount the course's standing now when it has at most `INLINE_LEARNERS` learners (True),
    else ask the background job to (False). In the caller's transaction."""
    enrolled = course_tally(session, course_id).get("enrolled", 0)
    if enrolled > INLINE_LEARNERS:
        request_recount(session, course_id)
        return False
    _recount(session, course_id)
    return True


def request_recount(session: Session, course_id: int) -> None:
    """Ask for the course's recount: one row a course, whose count of requests grows."""
    table = StandingRecount.__table__
    at = utcnow()
    session.execute(
        upsert(session, StandingRecount)
        .values(course_id=course_id, requested_at=at, requests=1)
        .on_conflict_do_update(
            index_elements=[StandingRecount.course_id],
            set_={"requested_at": at, "requests": table.c.requests + 1},
        )
    )


def pending_since(session: Session, course_id: int) -> dt.datetime | None:
    """When the course's waiting recount was last asked for, or None when none waits."""
    return session.scalar(
        select(StandingRecount.requested_at).where(StandingRecount.course_id == course_id)
    )


def recount_requested(session: Session) -> int:
    """Recount each course waiting for it, oldest request first, each committed with its
    request taken away: unless another request came meanwhile, which stays for the next run
    (this recount may have read the rule before that change). Returns the courses recounted."""
    done: set[int] = set()
    while True:
        found = session.execute(
            select(StandingRecount.course_id, StandingRecount.requests)
            .where(StandingRecount.course_id.not_in(done))
            .order_by(StandingRecount.requested_at, StandingRecount.course_id)
            .limit(1)
        ).first()
        if found is None:
            session.commit()
            return len(done)
        course_id, requests = found
        _recount(session, course_id)
        session.execute(
            delete(StandingRecount).where(
                StandingRecount.course_id == course_id, StandingRecount.requests == requests
            )
        )
        session.commit()
        done.add(course_id)


def _recount(session: Session, course_id: int) -> None:
    pass_mark = session.scalar(select(Course.pass_mark).where(Course.id == course_id))
    if pass_mark is not None:
        refresh_standing(session, course_id, pass_mark)
