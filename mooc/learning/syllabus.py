"""A course's syllabus: its sections with lectures and quizzes in teaching order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.models import Quiz
from mooc.catalog.models import Course, Lecture, Section


@dataclass(frozen=True)
class SyllabusItem:
    kind: str  # "lecture" | "quiz"
    slug: str
    title: str
    required: bool
    minutes: int | None
    published: bool


@dataclass(frozen=True)
class SyllabusSection:
    title: str
    items: tuple[SyllabusItem, ...]


def syllabus(session: Session, course: Course) -> list[SyllabusSection]:
    sections = session.scalars(
        select(Section).where(Section.course_id == course.id).order_by(Section.position)
    ).all()
    # Retired lectures and quizzes belong to no section: they are not in the syllabus.
    lectures = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.retired_at.is_(None))
    ).all()
    quizzes = session.scalars(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.retired_at.is_(None))
    ).all()
    by_section: dict[int | None, list[tuple[int, SyllabusItem]]] = {s.id: [] for s in sections}
    for lecture in lectures:
        by_section[lecture.section_id].append(
            (
                lecture.position,
                SyllabusItem(
                    "lecture",
                    lecture.slug,
                    lecture.title,
                    lecture.required,
                    lecture.minutes,
                    lecture.published_version_id is not None,
                ),
            )
        )
    for quiz in quizzes:
        by_section[quiz.section_id].append(
            (
                quiz.position,
                SyllabusItem(
                    "quiz", quiz.slug, quiz.title, quiz.required, quiz.time_limit_minutes, True
                ),
            )
        )
    return [
        SyllabusSection(
            s.title, tuple(item for _, item in sorted(by_section[s.id], key=lambda p: p[0]))
        )
        for s in sections
    ]
