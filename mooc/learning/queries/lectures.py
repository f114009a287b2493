"""A course's lectures as a learner meets them: in teaching order, one lecture's place among
them (the preview, neighbours), a retired lecture still theirs to re-read, the lectures done."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from mooc.catalog.models import (
    Course,
    Lecture,
    Section,
)
from mooc.errors import NotFound
from mooc.learning.models import LectureProgress


def ordered_lectures(session: Session, course: Course) -> list[Lecture]:
    """The published lectures of a course in teaching order."""
    return list(
        session.scalars(
            select(Lecture)
            .join(Section, Lecture.section_id == Section.id)
            .where(Lecture.course_id == course.id, Lecture.published_version_id.is_not(None))
            .order_by(Section.position, Lecture.position)
        )
    )


@dataclass(frozen=True)
class LecturePlace:
    lecture: Lecture
    index: int
    previous: Lecture | None
    next: Lecture | None
    is_preview: bool  # the first lecture: open to visitors


def lecture_place(session: Session, course: Course, slug: str) -> LecturePlace:
    lectures = ordered_lectures(session, course)
    for index, lecture in enumerate(lectures):
        if lecture.slug == slug:
            return LecturePlace(
                lecture=lecture,
                index=index,
                previous=lectures[index - 1] if index > 0 else None,
                next=lectures[index + 1] if index + 1 < len(lectures) else None,
                is_preview=index == 0,
            )
    raise NotFound(_("No such lecture in this course."))


def studied_retired_lecture(session: Session, course: Course, slug: str, user_id: int) -> Lecture:
    """A lecture retired from `course` that the learner studied: still theirs to re-read.
    Raises `NotFound` for anyone else (retired lectures are hidden from new learners)."""
    lecture = session.scalar(
        select(Lecture)
        .join(LectureProgress, LectureProgress.lecture_id == Lecture.id)
        .where(
            Lecture.course_id == course.id,
            Lecture.slug == slug,
            Lecture.retired_at.is_not(None),
            Lecture.published_version_id.is_not(None),
            LectureProgress.user_id == user_id,
        )
    )
    if lecture is None:
        raise NotFound(_("No such lecture in this course."))
    return lecture


def done_lecture_ids(session: Session, user_id: int, course_id: int) -> set[int]:
    return set(
        session.scalars(
            select(LectureProgress.lecture_id).where(
                LectureProgress.user_id == user_id,
                LectureProgress.course_id == course_id,
                LectureProgress.done_at.is_not(None),
            )
        )
    )
