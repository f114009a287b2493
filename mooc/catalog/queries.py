"""Reading the catalogue: published courses, search ignoring case and Vietnamese diacritics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, defer, joinedload

from mooc.accounts.models import Institution
from mooc.catalog.core.media import media_url, reference_pattern, shown_through
from mooc.catalog.core.players import Offer
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    LectureVersion,
    Level,
    MediaAsset,
    MediaRendition,
    RenditionStatus,
)
from mooc.errors import NotFound
from mooc.folding import fold_terms
from mooc.pagination import Page, paginate
from mooc.search_index import contains_all


@dataclass(frozen=True)
class CourseFilter:
    q: str = ""
    level: Level | None = None
    grade: int | None = None
    subject: str | None = None
    institution: str | None = None  # slug


def _filtered(flt: CourseFilter, dialect: str) -> Select[Course]:
    stmt = select(Course).where(
        Course.status == CourseStatus.PUBLISHED,
        *contains_all(Course.search_text, Course.id, fold_terms(flt.q)[:10], dialect),
    )
    if flt.level is not None:
        stmt = stmt.where(Course.level == flt.level)
    if flt.grade is not None:
        stmt = stmt.where(Course.grade == flt.grade)
    if flt.subject:
        stmt = stmt.where(Course.subject == flt.subject)
    if flt.institution:
        stmt = stmt.join(Institution).where(Institution.slug == flt.institution)
    return stmt


def published_courses(
    session: Session, flt: CourseFilter, *, page: int = 1, per_page: int = 12
) -> Page[Course]:
    stmt = _filtered(flt, session.get_bind().dialect.name)
    ordered = stmt.options(joinedload(Course.institution)).order_by(
        Course.level, Course.grade, Course.code, Course.title
    )
    return paginate(session, ordered, page=page, per_page=per_page)


def catalogue_stamp(session: Session) -> object:
    """What changes whenever the catalogue may show something else: the courses' last change
    (creating, publishing, unpublishing and editing a course move its `updated_at`; courses are
    never deleted). Read from the end of an index (`ix_course_updated_at`), so as cheap with a
    hundred thousand courses as with ten; it keys the kept catalogue pages
    (mooc.catalog.views.catalogue)."""
    return session.scalar(select(func.max(Course.updated_at)))


def subjects_in_use(session: Session) -> Sequence[str]:
    return session.scalars(
        select(Course.subject)
        .where(Course.status == CourseStatus.PUBLISHED)
        .distinct()
        .order_by(Course.subject)
    ).all()


def university_providers(session: Session) -> Sequence[Institution]:
    return session.scalars(
        select(Institution)
        .join(Course)
        .where(Course.status == CourseStatus.PUBLISHED, Course.level == Level.UNIVERSITY)
        .distinct()
        .order_by(Institution.name)
    ).all()


def course_by_slug(session: Session, slug: str, *, include_drafts: bool = False) -> Course:
    """Raises `NotFound` for unknown slugs and for drafts unless `include_drafts`."""
    course = session.scalar(
        select(Course).options(joinedload(Course.institution)).where(Course.slug == slug)
    )
    if course is None or (not include_drafts and not course.is_published):
        raise NotFound(_("No such course."))
    return course


# Built once: the lecture page asks for it on every request.
_COURSE_TO_READ = (
    select(Course)
    .options(defer(Course.description), defer(Course.description_html), defer(Course.search_text))
    .where(Course.slug == bindparam("slug"))
)


def course_to_read(session: Session, slug: str) -> Course:
    """A published course as its lecture pages show it: its long texts (description, search
    text) and its institution stay in the database. Raises `NotFound` like `course_by_slug`."""
    course = session.scalar(_COURSE_TO_READ, {"slug": slug})
    if course is None or not course.is_published:
        raise NotFound(_("No such course."))
    return course


# Built once: the learners page asks for it on every request.
_COURSE_TO_TEACH = (
    select(Course)
    .options(
        defer(Course.description),
        defer(Course.description_html),
        defer(Course.search_text),
        joinedload(Course.teachers),
    )
    .where(Course.slug == bindparam("slug"))
)


def course_to_teach(session: Session, slug: str) -> Course:
    """A course, drafts included, as its teacher pages open it: its teachers read in the same
    statement (for `can_teach`), its long texts and its institution left in the database.
    Raises `NotFound` for unknown slugs."""
    course = session.scalars(_COURSE_TO_TEACH, {"slug": slug}).unique().one_or_none()
    if course is None:
        raise NotFound(_("No such course."))
    return course


def cover_asset(session: Session, course: Course) -> MediaAsset | None:
    if not course.cover_media:
        return None
    return session.scalar(
        select(MediaAsset).where(
            MediaAsset.course_id == course.id, MediaAsset.name == course.cover_media
        )
    )


def is_public_media(session: Session, course: Course, name: str) -> bool:
    """Whether anyone may see media `name` of `course`, so shared caches may keep it: the course
    is published and its cover, its description or a lecture's published version shows it (a
    poster frame or caption file through its clip's player). Media only drafts use (or only
    quizzes, which this layer does not read) stays private."""
    if not course.is_published:
        return False
    if course.cover_media == name or reference_pattern(name).search(course.description):
        return True
    for shown in shown_through(name):
        pattern = reference_pattern(shown)
        published_sources = session.scalars(
            select(LectureVersion.source)
            .join(Lecture, Lecture.published_version_id == LectureVersion.id)
            .where(
                Lecture.course_id == course.id,
                LectureVersion.source.contains(f"media/{shown}", autoescape=True),
            )
        )
        if any(pattern.search(source) for source in published_sources):
            return True
    return False


def media_asset(session: Session, course: Course, name: str) -> MediaAsset:
    asset = session.scalar(
        select(MediaAsset).where(MediaAsset.course_id == course.id, MediaAsset.name == name)
    )
    if asset is None:
        raise NotFound(_("No such media file."))
    return asset


def media_rendition(session: Session, course: Course, name: str, label: str) -> MediaRendition:
    """A ready rendition of the course's media file `name`; `NotFound` otherwise."""
    rendition = session.scalar(
        select(MediaRendition)
        .join(MediaAsset, MediaAsset.id == MediaRendition.asset_id)
        .where(
            MediaAsset.course_id == course.id,
            MediaAsset.name == name,
            MediaRendition.label == label,
            MediaRendition.status == RenditionStatus.READY,
        )
    )
    if rendition is None or rendition.storage_key is None:
        raise NotFound(_("No such media file."))
    return rendition


class CourseRef(Protocol):
    """A course as its row or the facts a page read of it (the lecture page's)."""

    @property
    def id(self) -> int: ...

    @property
    def slug(self) -> str: ...


def rendition_offers(
    session: Session, course: CourseRef, *, original: str, audio: str
) -> dict[str, list[Offer]]:
    """The sizes each course video with ready renditions has, by the original's address: the
    original (called `original`) first, then the renditions smallest first (audio only called
    `audio`). Videos without a ready rendition are left out: their original plays alone."""
    offers: dict[str, list[Offer]] = {}
    rows = session.execute(
        select(MediaAsset, MediaRendition)
        .join(MediaRendition, MediaRendition.asset_id == MediaAsset.id)
        .where(
            MediaAsset.course_id == course.id,
            MediaRendition.status == RenditionStatus.READY,
            MediaRendition.source_sha256 == MediaAsset.sha256,
        )
        .order_by(MediaAsset.name, MediaRendition.size)
    ).all()
    for asset, rendition in rows:
        url = media_url(course.slug, asset.name)
        sizes = offers.setdefault(
            url, [Offer(original, url, asset.content_type, asset.size, video=True, original=True)]
        )
        video = rendition.content_type.startswith("video/")
        sizes.append(
            Offer(
                rendition.label if video else audio,
                f"{url}/{rendition.label}",
                rendition.content_type,
                rendition.size or 0,
                video=video,
            )
        )
    return offers
