"""Applying checked course packages to the database: create, update, or leave unchanged.

Idempotent: a package whose files hash the same as last time is skipped; a changed lecture gets
a new published version; nothing else moves. A lecture or quiz the package no longer has is
retired when learners have records on it (see `retiring`), deleted otherwise; one that comes back
is restored. The caller commits once, after every package applied; `preview_tree` applies in a
savepoint it rolls back, to say what an import would change. A library import (`library.py`)
applies one course at a time with `apply_course`, its texts rendered ahead in other processes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind
from mooc.accounts.services import upsert_institution
from mooc.assessment.models import AttemptPolicy, Question, QuestionKind, Quiz, RevealPolicy
from mooc.authoring.core.package_format import (
    SCORM_MAX_BYTES,
    ContentTree,
    CoursePackage,
    InstitutionSpec,
    LectureSpec,
    MediaFile,
    QuizSpec,
    ScormSpec,
)
from mooc.authoring.core.prerendering import CourseRendering, Prerendered
from mooc.authoring.services.media import queue_video_renditions
from mooc.authoring.services.ordering import PARK
from mooc.authoring.services.retiring import recount_learners, restore, retire_or_delete
from mooc.catalog.core.media import MediaTypeError, prepare
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    Level,
    MediaAsset,
    ScormPackage,
    Section,
)
from mooc.catalog.services import (
    bump_content_revision,
    media_resolver,
    publish_lecture,
    refresh_search_text,
    region_labels,
)
from mooc.db import utcnow
from mooc.errors import Invalid
from mooc.markup import MediaResolver, RegionLabels, Rendered, render_markdown
from mooc.scorm import services as scorm
from mooc.scorm.core.archive import Limits
from mooc.storage import Storage
from mooc.storage.base import StoredObject, check_key
from mooc.storage.memory import MemoryStorage


class PreviewStorage(MemoryStorage):
    """Where a preview's media go: nowhere; the bytes are not even read."""

    def put(
        self, key: str, data: BinaryIO, *, content_type: str, download_name: str | None = None
    ) -> StoredObject:
        return StoredObject(key=check_key(key), size=0, content_type=content_type)


ItemChangeKind = Literal["created", "updated", "restored", "retired", "deleted"]


@dataclass(frozen=True)
class ItemChange:
    """What an import does to one lecture or quiz of a course."""

    change: ItemChangeKind
    course: str  # slug
    kind: Literal["lecture", "quiz"]
    slug: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.course}/{self.slug}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)  # lectures and quizzes, in order

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def items_that(self, *changes: ItemChangeKind) -> list[ItemChange]:
        return [item for item in self.items if item.change in changes]

    @property
    def retired(self) -> list[ItemChange]:
        return self.items_that("retired")


def apply_institutions(
    session: Session, institutions: Sequence[InstitutionSpec], report: ImportReport
) -> None:
    """Create or rename the listed institutions, noting each change in `report`."""
    for spec in institutions:
        existing = session.scalar(select(Institution.id).where(Institution.slug == spec.slug))
        _, changed = upsert_institution(
            session, slug=spec.slug, name=spec.name, kind=InstitutionKind(spec.kind)
        )
        label = f"institution {spec.slug}"
        if existing is None:
            report.created.append(label)
        elif changed:
            report.updated.append(label)


def _store_media(
    session: Session, storage: Storage, course: Course, media: MediaFile
) -> MediaAsset:
    asset = session.scalar(
        select(MediaAsset).where(MediaAsset.course_id == course.id, MediaAsset.name == media.name)
    )
    if asset is not None and asset.sha256 == media.sha256:
        return asset  # stored as it is in the package (so nothing was cleaned away)
    # The same SVG cleaning as an upload; other files are stored as they are in the package.
    try:
        prepared = prepare(media.path.read_bytes())
    except MediaTypeError as exc:
        raise Invalid(f"{media.path}: {exc}") from None
    info = prepared.info
    sha256 = hashlib.sha256(prepared.data).hexdigest()
    if asset is not None and asset.sha256 == sha256:
        return asset
    # Content-addressed keys: a re-import never overwrites bytes a published version points to.
    key = f"courses/{course.id}/{sha256[:20]}-{media.name}"
    storage.put(
        key, io.BytesIO(prepared.data), content_type=info.content_type, download_name=media.name
    )
    if asset is None:
        asset = MediaAsset(course_id=course.id, name=media.name)
        session.add(asset)
    asset.storage_key = key
    asset.content_type = info.content_type
    asset.size = len(prepared.data)
    asset.sha256 = sha256
    asset.width, asset.height = info.width, info.height
    session.flush()
    queue_video_renditions(session, storage, asset)
    return asset


def _apply_quiz(session: Session, quiz: Quiz, spec: QuizSpec) -> None:
    quiz.title = spec.title
    quiz.pass_mark = spec.pass_mark
    quiz.weight = spec.weight
    quiz.required = spec.required
    quiz.max_attempts = spec.max_attempts
    quiz.policy = AttemptPolicy(spec.policy)
    quiz.time_limit_minutes = spec.time_limit_minutes
    quiz.reveal = RevealPolicy(spec.reveal)
    quiz.shuffle_questions = spec.shuffle_questions
    quiz.shuffle_options = spec.shuffle_options
    quiz.pool_size = spec.pool_size
    wanted = [(q.kind, q.prompt, q.explanation, q.points, dict(q.data)) for q in spec.questions]
    current = [(q.kind.value, q.prompt, q.explanation, q.points, q.data) for q in quiz.questions]
    if wanted == current:
        return
    quiz.questions.clear()
    session.flush()
    for position, (kind, prompt, explanation, points, data) in enumerate(wanted, 1):
        quiz.questions.append(
            Question(
                position=position,
                kind=QuestionKind(kind),
                prompt=prompt,
                explanation=explanation,
                points=points,
                data=data,
            )
        )
    quiz.revision = (quiz.revision or 0) + 1


def _lecture_state(lecture: Lecture) -> tuple[Any, ...]:
    return (
        lecture.section_id,
        lecture.position,
        lecture.title,
        lecture.required,
        lecture.minutes,
        lecture.draft_source,
    )


def _quiz_state(quiz: Quiz) -> tuple[Any, ...]:
    return (
        quiz.section_id,
        quiz.position,
        quiz.title,
        quiz.pass_mark,
        quiz.weight,
        quiz.required,
        quiz.max_attempts,
        quiz.policy,
        quiz.time_limit_minutes,
        quiz.reveal,
        quiz.shuffle_questions,
        quiz.shuffle_options,
        quiz.pool_size,
        quiz.revision,
    )


def _change(
    before: tuple[Any, ...] | None, after: tuple[Any, ...], restored: bool
) -> ItemChangeKind | None:
    if before is None:
        return "created"
    if restored:
        return "restored"
    return "updated" if before != after else None


def apply_course(
    session: Session,
    storage: Storage,
    pkg: CoursePackage,
    actor_id: int | None,
    items: list[ItemChange],
    rendering: CourseRendering | None = None,
) -> str:
    """Create or update one course; returns "created", "updated" or "unchanged". `rendering`
    holds its texts rendered ahead; each is used only where it fits the stored media."""
    course = session.scalar(select(Course).where(Course.slug == pkg.slug))
    if course is not None and course.source_hash == pkg.source_hash:
        return "unchanged"
    outcome = "created" if course is None else "updated"
    course = _write_course(session, pkg, course)
    for media in pkg.media.values():
        _store_media(session, storage, course, media)
    resolver = media_resolver(session, course, storage)
    labels = region_labels(course.language)
    ahead = rendering.description if rendering is not None else None
    course.description_html = (
        _rendered_ahead(ahead, resolver, labels)
        or render_markdown(pkg.description, media=resolver, labels=labels)
    ).html
    refresh_search_text(course)
    _apply_syllabus(session, storage, course, pkg, resolver, actor_id, items, rendering)
    bump_content_revision(session, course.id)  # sections renamed, items restored or moved
    if outcome == "updated":
        session.flush()
        recount_learners(session, course.id)  # what the completion rule counts may have changed
    return outcome


def _rendered_ahead(
    ahead: Prerendered | None, resolver: MediaResolver, labels: RegionLabels
) -> Rendered | None:
    """The text rendered ahead, when rendering it now would give the same."""
    return ahead.rendered if ahead is not None and ahead.fits(resolver, labels) else None


def _write_course(session: Session, pkg: CoursePackage, course: Course | None) -> Course:
    """The course row with the package's fields (a new, published one when there was none)."""
    institution = session.scalar(select(Institution).where(Institution.slug == pkg.institution))
    if institution is None:
        raise Invalid(f"{pkg.slug}/course.md: institution {pkg.institution!r} is not known")
    if course is None:
        course = Course(slug=pkg.slug, status=CourseStatus.PUBLISHED, published_at=utcnow())
        session.add(course)
    course.institution = institution
    course.title = pkg.title
    course.description = pkg.description
    course.language = pkg.language
    course.level = Level(pkg.level)
    course.grade = pkg.grade
    course.subject = pkg.subject
    course.code = pkg.code
    course.credits = pkg.credits
    course.workload_hours = pkg.workload_hours
    course.pass_mark = pkg.pass_mark
    course.cover_media = pkg.cover
    course.outcomes = list(pkg.outcomes)
    course.source_hash = pkg.source_hash
    session.flush()
    return course


def _apply_syllabus(
    session: Session,
    storage: Storage,
    course: Course,
    pkg: CoursePackage,
    resolver: MediaResolver,
    actor_id: int | None,
    items: list[ItemChange],
    rendering: CourseRendering | None = None,
) -> None:
    """Sections, lectures and quizzes as the package lists them; what it no longer has leaves."""
    labels = region_labels(course.language)
    sections = {s.position: s for s in course.sections}
    lectures = {
        lec.slug: lec
        for lec in session.scalars(select(Lecture).where(Lecture.course_id == course.id))
    }
    quizzes = {q.slug: q for q in session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
    # Park positions first so reordering never trips the unique (course, position) constraints.
    for section in sections.values():
        section.position += PARK
    session.flush()

    for index, spec in enumerate(pkg.sections, 1):
        parked = sections.pop(index + PARK, None)
        section = parked if parked is not None else Section(course=course)
        section.position, section.title = index, spec.title
        session.add(section)
        session.flush()
        for position, ref in enumerate(spec.items, 1):
            if ref.kind == "scorm":
                change = _import_scorm(
                    session,
                    storage,
                    course,
                    pkg.scorm[ref.slug],
                    lectures.pop(ref.slug, None),
                    (section.id, position),
                    actor_id=actor_id,
                )
            elif ref.kind == "lecture":
                change = _import_lecture(
                    session,
                    course,
                    pkg.lectures[ref.slug],
                    lectures.pop(ref.slug, None),
                    (section.id, position),
                    resolver=resolver,
                    actor_id=actor_id,
                    rendered=_rendered_ahead(
                        rendering.lectures.get(ref.slug) if rendering is not None else None,
                        resolver,
                        labels,
                    ),
                )
            else:
                change = _import_quiz(
                    session,
                    course,
                    pkg.quizzes[ref.slug],
                    quizzes.pop(ref.slug, None),
                    (section.id, position),
                )
            if change is not None:
                items.append(change)
    _remove_leftovers(session, pkg.slug, [*lectures.values(), *quizzes.values()], items)
    for section in sections.values():
        session.delete(section)
    session.flush()


def _import_lecture(
    session: Session,
    course: Course,
    spec: LectureSpec,
    lecture: Lecture | None,
    place: tuple[int, int],
    *,
    resolver: MediaResolver,
    actor_id: int | None,
    rendered: Rendered | None = None,
) -> ItemChange | None:
    """Create, update or restore one lecture at `place` (section id, position) and publish it."""
    before = None if lecture is None else _lecture_state(lecture)
    if lecture is None:
        lecture = Lecture(course_id=course.id, slug=spec.slug)
    restored = restore(lecture, *place)
    lecture.title, lecture.required, lecture.minutes = spec.title, spec.required, spec.minutes
    if lecture.draft_source != spec.source:
        lecture.draft_source = spec.source
        lecture.draft_revision = (lecture.draft_revision or 0) + 1
    session.add(lecture)
    session.flush()
    publish_lecture(session, lecture, resolver=resolver, actor_id=actor_id, rendered=rendered)
    change = _change(before, _lecture_state(lecture), restored)
    return (
        None
        if change is None
        else ItemChange(change, course.slug, "lecture", spec.slug, lecture.title)
    )


def _import_scorm(
    session: Session,
    storage: Storage,
    course: Course,
    spec: ScormSpec,
    lecture: Lecture | None,
    place: tuple[int, int],
    *,
    actor_id: int | None,
) -> ItemChange | None:
    """Create, update or restore one SCORM lecture at `place`: its package stored (unless the
    same bytes are), its text and settings from the package, published."""
    before = None if lecture is None else (*_lecture_state(lecture), _package_sha(session, lecture))
    if lecture is None:
        lecture = Lecture(course_id=course.id, slug=spec.slug)
    restored = restore(lecture, *place)
    lecture.title, lecture.required, lecture.minutes = spec.title, spec.required, spec.minutes
    session.add(lecture)
    session.flush()
    package = scorm.store_package(
        session,
        storage,
        lecture,
        spec.path.read_bytes(),
        slug=spec.slug,
        limits=Limits(max_bytes=SCORM_MAX_BYTES),
        counts_in_grade=spec.graded,
        weight=spec.weight,
    )
    source = scorm.lecture_source(package)
    if lecture.draft_source != source:
        lecture.draft_source = source
        lecture.draft_revision = (lecture.draft_revision or 0) + 1
    session.flush()
    publish_lecture(session, lecture, resolver=None, actor_id=actor_id)
    after = (*_lecture_state(lecture), package.sha256)
    change = _change(before, after, restored)
    return (
        None
        if change is None
        else ItemChange(change, course.slug, "lecture", spec.slug, lecture.title)
    )


def _package_sha(session: Session, lecture: Lecture) -> str | None:
    return session.scalar(select(ScormPackage.sha256).where(ScormPackage.lecture_id == lecture.id))


def _import_quiz(
    session: Session, course: Course, spec: QuizSpec, quiz: Quiz | None, place: tuple[int, int]
) -> ItemChange | None:
    """Create, update or restore one quiz at `place` (section id, position)."""
    before = None if quiz is None else _quiz_state(quiz)
    if quiz is None:
        quiz = Quiz(course_id=course.id, slug=spec.slug)
    restored = restore(quiz, *place)
    session.add(quiz)
    _apply_quiz(session, quiz, spec)
    session.flush()
    change = _change(before, _quiz_state(quiz), restored)
    return (
        None if change is None else ItemChange(change, course.slug, "quiz", spec.slug, quiz.title)
    )


def _remove_leftovers(
    session: Session, course_slug: str, leftovers: list[Lecture | Quiz], items: list[ItemChange]
) -> None:
    """Items no longer in the package leave the syllabus: retired when learners have records on
    them (their work is kept), deleted otherwise. Already retired ones stay as they are."""
    for leftover in leftovers:
        if leftover.retired_at is not None:
            continue
        gone: Literal["lecture", "quiz"] = "quiz" if isinstance(leftover, Quiz) else "lecture"
        title, slug = leftover.title, leftover.slug
        removal = retire_or_delete(session, leftover)
        items.append(ItemChange(removal, course_slug, gone, slug, title))


def import_tree(
    session: Session,
    storage: Storage,
    tree: ContentTree,
    *,
    actor_id: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Apply every institution and course of `tree`. Raises `Invalid`; the caller rolls back."""
    report = ImportReport()
    apply_institutions(session, tree.institutions, report)
    session.flush()
    for pkg in tree.courses:
        outcome = apply_course(session, storage, pkg, actor_id, report.items)
        getattr(report, outcome).append(f"course {pkg.slug}")
        if progress:
            progress(pkg.slug)
    return report


def preview_tree(
    session: Session, tree: ContentTree, *, actor_id: int | None = None
) -> ImportReport:
    """What `import_tree` would do, without doing it: applied in a savepoint that is rolled back,
    with media written to a throw-away store. Raises `Invalid` like `import_tree`."""
    savepoint = session.begin_nested()
    try:
        return import_tree(session, PreviewStorage(), tree, actor_id=actor_id)
    finally:
        savepoint.rollback()
