"""Changing the catalogue: course search text, publishing lecture versions, media references."""

from __future__ import annotations

import hashlib
import logging

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mooc.catalog.core.captions import (
    MAX_TRANSCRIPT_BYTES,
    CaptionsError,
    decode,
    parse_webvtt,
)
from mooc.catalog.core.media import media_url
from mooc.catalog.core.search_text import course_search_text
from mooc.catalog.models import Course, CourseTeacher, Lecture, LectureVersion, MediaAsset
from mooc.db import utcnow
from mooc.labels import SUBJECTS
from mooc.markup import MediaRef, MediaResolver, RegionLabels, Rendered, render_markdown
from mooc.storage import Storage

log = logging.getLogger(__name__)


def _transcript(storage: Storage, asset: MediaAsset) -> tuple[tuple[float, str], ...] | None:
    """A caption file's cues for the transcript below its player; None when the file cannot be
    read or parsed (uploads and imports refuse malformed captions; a lecture never breaks)."""
    try:
        with storage.open(asset.storage_key) as handle:
            data = handle.read(MAX_TRANSCRIPT_BYTES + 1)
        if len(data) > MAX_TRANSCRIPT_BYTES:
            return None
        return tuple((cue.start, cue.text) for cue in parse_webvtt(decode(data)))
    except FileNotFoundError:  # an import's preview stores no bytes: nothing to read yet
        return None
    except (OSError, CaptionsError):
        log.warning("captions %s could not be read for a transcript", asset.name, exc_info=True)
        return None


def media_resolver(
    session: Session, course: Course, storage: Storage | None = None
) -> MediaResolver:
    """Where the course's `media/<name>` references point. Given `storage`, caption files
    carry their cues, so lectures show a transcript below a player."""
    assets = {
        a.name: a
        for a in session.scalars(select(MediaAsset).where(MediaAsset.course_id == course.id))
    }

    def resolve(name: str) -> MediaRef | None:
        asset = assets.get(name)
        if asset is None:
            return None
        transcript = None
        if asset.content_type == "text/vtt" and storage is not None:
            transcript = _transcript(storage, asset)
        return MediaRef(
            media_url(course.slug, name),
            asset.width,
            asset.height,
            content_type=asset.content_type,
            transcript=transcript,
        )

    return resolve


def region_labels(language: str) -> RegionLabels:
    """Names of the scrolling boxes around tables and formulas, and the players' words, in the
    course's language."""
    with force_locale(language):
        return RegionLabels(
            table=_("Table, scrolls sideways"),
            formula=_("Formula, scrolls sideways"),
            code=_("Code, scrolls sideways"),
            transcript=pgettext("captions", "Transcript"),
            download_video=_("Download the video"),
            download_audio=_("Download the recording"),
            language=language,
        )


def refresh_search_text(course: Course) -> None:
    """Recompute what search matches; subject names count in both UI languages."""
    labels = []
    label = SUBJECTS.get(course.subject)
    if label is not None:
        for lang in ("vi", "en"):
            with force_locale(lang):
                labels.append(str(label))
    course.search_text = course_search_text(
        title=course.title,
        code=course.code,
        subject=course.subject,
        subject_labels=labels,
        institution=course.institution.name,
        description=course.description,
        outcomes=course.outcomes,
    )


def bump_content_revision(session: Session, course_id: int) -> None:
    """Note that the course's outline (sections, lectures, quizzes: their order, titles, what
    is published) or a published lecture changed, so outlines cached under the old revision and
    lecture pages validated by it are not served again. One atomic UPDATE: two editors saving at
    once bump it twice, never once. `updated_at` moves too, so a revision number a rolled-back
    transaction used is never mistaken for the next one."""
    session.execute(
        update(Course)
        .where(Course.id == course_id)
        .values(content_revision=Course.content_revision + 1, updated_at=utcnow())
    )


def source_sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def publish_lecture(
    session: Session,
    lecture: Lecture,
    *,
    resolver: MediaResolver | None,
    actor_id: int | None = None,
    rendered: Rendered | None = None,
) -> LectureVersion | None:
    """Freeze the lecture's draft as a new immutable version, unless it equals the current one.

    Returns the new version, or None when the published version already has this source and
    title and shows the same: media uploaded since (a clip's captions or poster, an image that
    was missing) make a new version of the same text. `rendered` is the draft already rendered
    with `resolver` and the course's labels (a library import renders in other processes).
    """
    digest = source_sha256(lecture.draft_source)
    current = lecture.published_version
    if rendered is None:
        rendered = render_markdown(
            lecture.draft_source, media=resolver, labels=region_labels(lecture.course.language)
        )
    if (
        current is not None
        and current.sha256 == digest
        and current.title == lecture.title
        and current.html == rendered.html
    ):
        return None
    last = session.scalar(
        select(LectureVersion.number)
        .where(LectureVersion.lecture_id == lecture.id)
        .order_by(LectureVersion.number.desc())
        .limit(1)
    )
    version = LectureVersion(
        lecture_id=lecture.id,
        number=(last or 0) + 1,
        title=lecture.title,
        source=lecture.draft_source,
        html=rendered.html,
        outline=[{"level": h.level, "anchor": h.anchor, "text": h.text} for h in rendered.outline],
        sha256=digest,
        created_by_id=actor_id,
    )
    session.add(version)
    session.flush()
    lecture.published_version = version
    bump_content_revision(session, lecture.course_id)
    return version


def assign_teacher(session: Session, course: Course, user_id: int) -> None:
    """Assign a teacher to a course; assigning twice is a no-op."""
    if any(t.user_id == user_id for t in course.teachers):
        return
    course.teachers.append(CourseTeacher(user_id=user_id))
    session.flush()
