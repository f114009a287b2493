"""Reading what teachers author: their courses, a section's items, retired items, lecture
versions, a course's media library and where a file is shown, a quiz's question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Question, Quiz
from mooc.catalog.core.media import reference_pattern, shown_through
from mooc.catalog.models import (
    Course,
    CourseTeacher,
    Lecture,
    LectureVersion,
    MediaAsset,
    MediaRendition,
    Section,
)
from mooc.errors import NotFound


def section_items(session: Session, section_id: int) -> list[Lecture | Quiz]:
    lectures: list[Lecture | Quiz] = list(
        session.scalars(select(Lecture).where(Lecture.section_id == section_id))
    )
    lectures.extend(session.scalars(select(Quiz).where(Quiz.section_id == section_id)))
    return sorted(lectures, key=lambda item: item.position)


def retired_items(session: Session, course_id: int) -> list[Lecture | Quiz]:
    """The course's retired lectures and quizzes, most recently retired first."""
    items: list[Lecture | Quiz] = list(
        session.scalars(
            select(Lecture).where(Lecture.course_id == course_id, Lecture.retired_at.is_not(None))
        )
    )
    items.extend(
        session.scalars(
            select(Quiz).where(Quiz.course_id == course_id, Quiz.retired_at.is_not(None))
        )
    )
    return sorted(items, key=lambda item: (item.retired_at, item.title), reverse=True)


def taught_courses(session: Session, user: User) -> list[Course]:
    stmt = select(Course).order_by(Course.title)
    if not user.is_admin:
        stmt = stmt.join(CourseTeacher).where(CourseTeacher.user_id == user.id)
    return list(session.scalars(stmt))


def versions(session: Session, lecture: Lecture) -> Sequence[LectureVersion]:
    return session.scalars(
        select(LectureVersion)
        .where(LectureVersion.lecture_id == lecture.id)
        .order_by(LectureVersion.number.desc())
    ).all()


def version(session: Session, lecture: Lecture, number: int) -> LectureVersion:
    found = session.scalar(
        select(LectureVersion).where(
            LectureVersion.lecture_id == lecture.id, LectureVersion.number == number
        )
    )
    if found is None:
        raise NotFound(_("No such version."))
    return found


class MediaUse(NamedTuple):
    """A published lecture version that shows a media file."""

    lecture_title: str
    version: int


def course_media(session: Session, course: Course) -> Sequence[MediaAsset]:
    """The course's media library, by name."""
    return session.scalars(
        select(MediaAsset).where(MediaAsset.course_id == course.id).order_by(MediaAsset.name)
    ).all()


def course_renditions(session: Session, course: Course) -> dict[int, list[MediaRendition]]:
    """The renditions of the course's videos by asset id, with their status and errors."""
    found: dict[int, list[MediaRendition]] = {}
    for row in session.scalars(
        select(MediaRendition)
        .join(MediaAsset, MediaAsset.id == MediaRendition.asset_id)
        .where(MediaAsset.course_id == course.id)
        .order_by(MediaRendition.asset_id, MediaRendition.id)
    ):
        found.setdefault(row.asset_id, []).append(row)
    return found


def media_in_use(session: Session, course: Course, name: str) -> list[MediaUse]:
    """Every published version of the course's lectures whose text refers to `media/<name>`,
    or to a clip whose player shows it (its poster frame or captions)."""
    uses: dict[tuple[int, int, int], MediaUse] = {}  # in course order, each version once
    for shown in shown_through(name):
        pattern = reference_pattern(shown)
        rows = session.execute(
            select(
                Section.position,
                Lecture.position,
                Lecture.title,
                LectureVersion.number,
                LectureVersion.source,
            )
            .join(LectureVersion, LectureVersion.lecture_id == Lecture.id)
            .join(Section, Section.id == Lecture.section_id)
            .where(
                Lecture.course_id == course.id,
                LectureVersion.source.contains(f"media/{shown}", autoescape=True),
            )
        )
        for section, position, title, number, source in rows:
            if pattern.search(source):
                uses[(section, position, number)] = MediaUse(title, number)
    return [uses[key] for key in sorted(uses)]


def question_of(session: Session, quiz: Quiz, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None or question.quiz_id != quiz.id:
        raise NotFound(_("No such question in this quiz."))
    return question
