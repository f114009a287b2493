"""A course's syllabus: its sections with lectures and quizzes in teaching order, the published
lectures in reading order, and a bounded in-process cache of both.

The outline is the same for every reader and changes only when a teacher or an import changes
the course, which bumps `Course.content_revision`: cached by revision, a page reads it without
a query.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.models import Quiz
from mooc.catalog.models import Course, Lecture, LectureVersion, ScormPackage, Section
from mooc.errors import NotFound


@dataclass(frozen=True)
class SyllabusItem:
    kind: str  # "lecture" | "quiz"
    slug: str
    title: str
    required: bool
    minutes: int | None
    published: bool
    id: int = 0
    version_id: int | None = None  # a lecture's published version
    scorm: bool = False  # a lecture that plays a SCORM package


@dataclass(frozen=True)
class SyllabusSection:
    title: str
    items: tuple[SyllabusItem, ...]


@dataclass(frozen=True)
class OutlinePlace:
    """Where a published lecture stands in the reading order."""

    lecture: SyllabusItem
    index: int
    total: int
    previous: SyllabusItem | None
    next: SyllabusItem | None

    @property
    def is_preview(self) -> bool:
        """The first lecture: open to visitors."""
        return self.index == 0


@dataclass(frozen=True)
class CourseOutline:
    sections: tuple[SyllabusSection, ...]
    lectures: tuple[SyllabusItem, ...]  # the published ones, in reading order

    def place(self, slug: str) -> OutlinePlace | None:
        """The published lecture `slug` and its neighbours; None when the course has none such."""
        for index, lecture in enumerate(self.lectures):
            if lecture.slug == slug:
                return OutlinePlace(
                    lecture=lecture,
                    index=index,
                    total=len(self.lectures),
                    previous=self.lectures[index - 1] if index > 0 else None,
                    next=self.lectures[index + 1] if index + 1 < len(self.lectures) else None,
                )
        return None


def _lecture_items(session: Session, course_id: int) -> list[tuple[int | None, int, SyllabusItem]]:
    # Columns only: a lecture's draft text stays in the database.
    rows = session.execute(
        select(
            Lecture.section_id,
            Lecture.position,
            Lecture.id,
            Lecture.slug,
            Lecture.title,
            Lecture.required,
            Lecture.minutes,
            Lecture.published_version_id,
            ScormPackage.id,
        )
        .outerjoin(ScormPackage, ScormPackage.lecture_id == Lecture.id)
        .where(Lecture.course_id == course_id, Lecture.retired_at.is_(None))
    )
    return [
        (
            section_id,
            position,
            SyllabusItem(
                "lecture", slug, title, required, minutes, v is not None, id_, v, p is not None
            ),
        )
        for section_id, position, id_, slug, title, required, minutes, v, p in rows
    ]


def _quiz_items(session: Session, course_id: int) -> list[tuple[int | None, int, SyllabusItem]]:
    rows = session.execute(
        select(
            Quiz.section_id,
            Quiz.position,
            Quiz.id,
            Quiz.slug,
            Quiz.title,
            Quiz.required,
            Quiz.time_limit_minutes,
        ).where(Quiz.course_id == course_id, Quiz.retired_at.is_(None))
    )
    return [
        (section_id, position, SyllabusItem("quiz", slug, title, required, limit, True, id_))
        for section_id, position, id_, slug, title, required, limit in rows
    ]


def load_outline(session: Session, course_id: int) -> CourseOutline:
    """The outline as the database has it now, in three statements whatever the course's size."""
    sections = session.execute(
        select(Section.id, Section.title)
        .where(Section.course_id == course_id)
        .order_by(Section.position)
    ).all()
    # Retired lectures and quizzes belong to no section: they are not in the syllabus.
    by_section: dict[int | None, list[tuple[int, SyllabusItem]]] = {s.id: [] for s in sections}
    for section_id, position, item in [
        *_lecture_items(session, course_id),
        *_quiz_items(session, course_id),
    ]:
        by_section.setdefault(section_id, []).append((position, item))
    built = tuple(
        SyllabusSection(
            title, tuple(item for _, item in sorted(by_section[id_], key=lambda p: p[0]))
        )
        for id_, title in sections
    )
    lectures = tuple(
        item
        for section in built
        for item in section.items
        if item.kind == "lecture" and item.version_id is not None
    )
    return CourseOutline(sections=built, lectures=lectures)


@dataclass(frozen=True)
class PublishedText:
    """A published lecture version as its page shows it (versions never change)."""

    id: int
    title: str
    html: str
    outline: tuple[dict[str, Any], ...]  # the headings: level, anchor, text

    @property
    def weight(self) -> int:
        """About the memory it holds, in characters."""
        return len(self.html) + len(self.title) + 64 * len(self.outline) + 200


_Key = tuple[int, int, dt.datetime | None]


class CourseKey(Protocol):
    """What keys a course's cached outline and texts: its row, or the facts the lecture page
    reads of it (mooc.learning.queries.CourseFacts)."""

    @property
    def id(self) -> int: ...

    @property
    def content_revision(self) -> int: ...

    @property
    def updated_at(self) -> dt.datetime: ...


OUTLINES = "mooc_outlines"  # the app's OutlineCache, in app.extensions


class OutlineCache:
    """Course outlines, and the published lecture texts they list, by (course id, content
    revision, last change of the course row); least recently used dropped first, texts up to
    `text_budget` characters; shared by a process's threads.

    The course row is read by every page anyway, so a cached outline costs no query. The time
    of the course's last change is in the key because a revision number (and, on SQLite, a
    version id) can come back: a transaction that bumped it and rolled back leaves the number to
    the next one."""

    def __init__(self, maxsize: int = 1024, text_budget: int = 32 * 1024 * 1024) -> None:
        self._outlines: LRUCache[_Key, CourseOutline] = LRUCache(maxsize=maxsize)
        self._texts: LRUCache[tuple[_Key, int], PublishedText] = LRUCache(
            maxsize=text_budget, getsizeof=lambda text: text.weight
        )
        self._lock = threading.Lock()

    @staticmethod
    def _key(course: CourseKey) -> _Key:
        return (course.id, course.content_revision, course.updated_at)

    def outline(self, session: Session, course: CourseKey) -> CourseOutline:
        key = self._key(course)
        with self._lock:
            found = self._outlines.get(key)
        if found is None:
            found = load_outline(session, course.id)
            with self._lock:
                self._outlines[key] = found
        return found

    def text(self, session: Session, course: CourseKey, version_id: int) -> PublishedText:
        """The published version `version_id` of a lecture the course's outline lists."""
        key = (self._key(course), version_id)
        with self._lock:
            found = self._texts.get(key)
        if found is None:
            found = load_text(session, version_id)
            if found.weight <= self._texts.maxsize:
                with self._lock:
                    self._texts[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._outlines.clear()
            self._texts.clear()


def load_text(session: Session, version_id: int) -> PublishedText:
    """Raises `NotFound` for an unknown version."""
    row = session.execute(
        select(
            LectureVersion.id, LectureVersion.title, LectureVersion.html, LectureVersion.outline
        ).where(LectureVersion.id == version_id)
    ).first()
    if row is None:
        raise NotFound(_("No such lecture in this course."))
    id_, title, html, outline = row
    return PublishedText(id_, title, html, tuple(outline or ()))


def syllabus(session: Session, course: Course) -> list[SyllabusSection]:
    """The sections with their lectures and quizzes (read now, not cached)."""
    return list(load_outline(session, course.id).sections)
