"""Taking a lecture or quiz out of a course without destroying learners' work.

An item learners have records on (lecture progress, quiz attempts) is *retired*: it leaves its
section, so the syllabus, new learners and the completion rule no longer see it, and it keeps its
versions, questions and every record pointing at it. An item nobody has touched is deleted. A
package that brings a retired item back (same slug) restores it into its new place.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Lecture
from mooc.catalog.services import bump_content_revision
from mooc.db import utcnow
from mooc.learning import recounts
from mooc.learning.models import LectureProgress

Removal = Literal["retired", "deleted"]


def has_learner_records(session: Session, item: Lecture | Quiz) -> bool:
    """Whether any learner has progress on the lecture or an attempt (even open) at the quiz."""
    if isinstance(item, Quiz):
        query = exists().where(QuizAttempt.quiz_id == item.id)
    else:
        query = exists().where(LectureProgress.lecture_id == item.id)
    return bool(session.scalar(select(query)))


def retire_or_delete(session: Session, item: Lecture | Quiz) -> Removal:
    """Retire `item` when learners have records on it, delete it otherwise; flushes.

    The caller renumbers the section the item left.
    """
    bump_content_revision(session, item.course_id)
    if has_learner_records(session, item):
        if item.retired_at is None:
            item.retired_at = utcnow()
        item.section_id = None
        session.flush()
        recount_learners(session, item.course_id)
        return "retired"
    course_id = item.course_id
    session.delete(item)
    session.flush()
    recount_learners(session, course_id)
    return "deleted"


def recount_learners(session: Session, course_id: int) -> None:
    """Recount every learner's standing after a change to what the completion rule counts: now
    in a course of a few thousand learners, by the background job in a larger one."""
    recounts.recount_course(session, course_id)


def restore(item: Lecture | Quiz, section_id: int, position: int) -> bool:
    """Put `item` at `position` of a section; True when it was retired until now."""
    was_retired = item.retired_at is not None
    item.retired_at = None
    item.section_id, item.position = section_id, position
    return was_retired
