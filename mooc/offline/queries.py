"""Reads of offline learning: the quizzes available offline, a course's files, and the bundle an
enrolled pupil downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.core.questions import question_type
from mooc.assessment.models import Quiz
from mooc.catalog.core.media import media_url
from mooc.catalog.models import Course, MediaAsset, MediaRendition, RenditionStatus
from mooc.errors import NotFound
from mooc.learning.syllabus import OutlineCache
from mooc.offline.core.bundle import (
    Bundle,
    MediaFile,
    build_bundle,
    can_go_offline,
    estimated_page_size,
    media_references,
)
from mooc.offline.models import OfflineQuiz


def flagged_quiz_ids(session: Session, course_id: int) -> set[int]:
    """The course's quizzes a teacher made available offline (whatever their limits now)."""
    return set(
        session.scalars(
            select(OfflineQuiz.quiz_id)
            .join(Quiz, Quiz.id == OfflineQuiz.quiz_id)
            .where(Quiz.course_id == course_id)
        )
    )


def is_offline_quiz(quiz: Quiz, flagged: set[int]) -> bool:
    """Made available offline, in the syllabus, and takeable without the server's clock."""
    return (
        quiz.id in flagged
        and not quiz.is_retired
        and can_go_offline(time_limit_minutes=quiz.time_limit_minutes, pool_size=quiz.pool_size)
    )


def course_quizzes(session: Session, course_id: int) -> list[Quiz]:
    """The course's quizzes in the syllabus, in a stable order."""
    return list(
        session.scalars(
            select(Quiz)
            .where(Quiz.course_id == course_id, Quiz.retired_at.is_(None))
            .order_by(Quiz.position, Quiz.id)
        )
    )


def offline_quizzes(session: Session, course_id: int) -> list[Quiz]:
    flagged = flagged_quiz_ids(session, course_id)
    return [q for q in course_quizzes(session, course_id) if is_offline_quiz(q, flagged)]


def offline_quiz(session: Session, course: Course, slug: str) -> Quiz:
    """The course's quiz `slug` if it can be taken offline; `NotFound` otherwise (an online-only
    quiz has no offline page)."""
    for quiz in offline_quizzes(session, course.id):
        if quiz.slug == slug:
            return quiz
    raise NotFound("No such quiz available offline.")


@dataclass(frozen=True)
class PublicQuestion:
    """A question as the device may keep it: prompt and choices, never the key."""

    id: int
    kind: str
    prompt: str
    options: tuple[str, ...]
    thousands_dot: bool


def public_questions(quiz: Quiz) -> list[PublicQuestion]:
    return [
        PublicQuestion(
            id=q.id,
            kind=q.kind.value,
            prompt=q.prompt,
            options=tuple(question_type(q.kind.value).public(q.data).get("options", ())),
            thousands_dot=bool(q.data.get("thousands_dot")),
        )
        for q in quiz.questions
    ]


def course_files(session: Session, course: Course) -> dict[str, MediaFile]:
    """The course's stored files by address, with their ready renditions (two statements)."""
    assets = session.execute(
        select(MediaAsset.id, MediaAsset.name, MediaAsset.size, MediaAsset.content_type).where(
            MediaAsset.course_id == course.id
        )
    ).all()
    renditions: dict[int, list[tuple[str, int, bool]]] = {}
    rows = session.execute(
        select(
            MediaRendition.asset_id,
            MediaRendition.label,
            MediaRendition.size,
            MediaRendition.content_type,
        )
        .join(MediaAsset, MediaAsset.id == MediaRendition.asset_id)
        .where(
            MediaAsset.course_id == course.id,
            MediaRendition.status == RenditionStatus.READY,
            MediaRendition.source_sha256 == MediaAsset.sha256,
        )
        .order_by(MediaRendition.size)
    )
    names = {asset_id: name for asset_id, name, _, _ in assets}
    for asset_id, label, size, content_type in rows:
        url = f"{media_url(course.slug, names[asset_id])}/{label}"
        renditions.setdefault(asset_id, []).append(
            (url, size or 0, content_type.startswith("video/"))
        )
    return {
        media_url(course.slug, name): MediaFile(
            url=media_url(course.slug, name),
            size=size,
            video=content_type.startswith("video/"),
            renditions=tuple(renditions.get(asset_id, ())),
        )
        for asset_id, name, size, content_type in assets
    }


@dataclass(frozen=True)
class Links:
    """The app's addresses, given by the view (queries know no routes)."""

    course: Callable[[Course], str]
    lecture: Callable[[Course, str], str]
    quiz_offline: Callable[[Course, str], str]
    quiz_online: Callable[[Course, str], str]


def _quiz_bytes(quiz: Quiz) -> int:
    text = sum(len(q.prompt) + sum(len(o) for o in q.options) for q in public_questions(quiz))
    return estimated_page_size(text)


def course_bundle(
    session: Session, course: Course, outlines: OutlineCache, links: Links, asset_version: str
) -> Bundle:
    """What an enrolled pupil downloads of `course`: its page, every published lecture, the
    images and (smallest) media those show, and the quizzes available offline."""
    outline = outlines.outline(session, course)
    pages = [(links.course(course), estimated_page_size(len(course.description_html or "")))]
    shown: list[str] = []
    if course.cover_media:
        shown.append(media_url(course.slug, course.cover_media))
    shown += media_references(course.description_html or "", course.slug)
    for lecture in outline.lectures:
        assert lecture.version_id is not None  # the outline lists published lectures only
        text = outlines.text(session, course, lecture.version_id)
        pages.append((links.lecture(course, lecture.slug), estimated_page_size(len(text.html))))
        shown += media_references(text.html, course.slug)
    available = offline_quizzes(session, course.id)
    quizzes = [
        (links.quiz_offline(course, q.slug), links.quiz_online(course, q.slug), _quiz_bytes(q))
        for q in available
    ]
    # A quiz edited since the download is answered at its old revision: the sync refuses that.
    quiz_revisions = ",".join(f"{q.id}:{q.revision}" for q in available)
    base = f"{course.content_revision}|{course.updated_at}|{quiz_revisions}|{asset_version}"
    return build_bundle(
        course.id,
        base_revision=base,
        pages=pages,
        quizzes=quizzes,
        media=shown,
        files=course_files(session, course),
    )


def bundle_document(bundle: Bundle, extra: dict[str, Any]) -> dict[str, Any]:
    """The bundle as the device reads it (JSON)."""
    return {
        "course": bundle.course_id,
        "revision": bundle.revision,
        "total_bytes": bundle.total_bytes,
        "parts": [
            {"url": p.url, "kind": p.kind, "size": p.size}
            | ({"serves": p.serves} if p.serves else {})
            for p in bundle.parts
        ],
        **extra,
    }
