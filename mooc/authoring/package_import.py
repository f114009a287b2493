"""Applying checked course packages to the database: create, update, or leave unchanged.

Idempotent: a package whose files hash the same as last time is skipped; a changed lecture gets
a new published version; nothing else moves. The caller commits once, after every package applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind
from mooc.accounts.services import upsert_institution
from mooc.assessment.models import AttemptPolicy, Question, QuestionKind, Quiz
from mooc.authoring.ordering import PARK
from mooc.authoring.package_format import ContentTree, CoursePackage, MediaFile, QuizSpec
from mooc.catalog.media import MediaTypeError, sniff
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    Level,
    MediaAsset,
    Section,
)
from mooc.catalog.services import (
    media_resolver,
    publish_lecture,
    refresh_search_text,
    region_labels,
)
from mooc.db import utcnow
from mooc.errors import Invalid
from mooc.markup import render_markdown
from mooc.storage import Storage


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _apply_institutions(session: Session, tree: ContentTree, report: ImportReport) -> None:
    for spec in tree.institutions:
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
        return asset
    data = media.path.read_bytes()
    try:
        info = sniff(data)
    except MediaTypeError as exc:
        raise Invalid(f"{media.path}: {exc}") from None
    # Content-addressed keys: a re-import never overwrites bytes a published version points to.
    key = f"courses/{course.id}/{media.sha256[:20]}-{media.name}"
    with media.path.open("rb") as fh:
        storage.put(key, fh, content_type=info.content_type)
    if asset is None:
        asset = MediaAsset(course_id=course.id, name=media.name)
        session.add(asset)
    asset.storage_key = key
    asset.content_type = info.content_type
    asset.size = media.size
    asset.sha256 = media.sha256
    asset.width, asset.height = info.width, info.height
    session.flush()
    return asset


def _apply_quiz(session: Session, quiz: Quiz, spec: QuizSpec) -> None:
    quiz.title = spec.title
    quiz.pass_mark = spec.pass_mark
    quiz.weight = spec.weight
    quiz.required = spec.required
    quiz.max_attempts = spec.max_attempts
    quiz.policy = AttemptPolicy(spec.policy)
    quiz.time_limit_minutes = spec.time_limit_minutes
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


def _apply_course(
    session: Session, storage: Storage, pkg: CoursePackage, actor_id: int | None
) -> str:
    """Create or update one course; returns "created", "updated" or "unchanged"."""
    course = session.scalar(select(Course).where(Course.slug == pkg.slug))
    if course is not None and course.source_hash == pkg.source_hash:
        return "unchanged"
    institution = session.scalar(select(Institution).where(Institution.slug == pkg.institution))
    if institution is None:
        raise Invalid(f"{pkg.slug}/course.md: institution {pkg.institution!r} is not known")
    outcome = "updated"
    if course is None:
        course = Course(slug=pkg.slug, status=CourseStatus.PUBLISHED, published_at=utcnow())
        session.add(course)
        outcome = "created"
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

    for media in pkg.media.values():
        _store_media(session, storage, course, media)
    resolver = media_resolver(session, course)
    course.description_html = render_markdown(
        pkg.description, media=resolver, labels=region_labels(course.language)
    ).html
    refresh_search_text(course)

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
            if ref.kind == "lecture":
                lspec = pkg.lectures[ref.slug]
                lecture = lectures.pop(ref.slug, None) or Lecture(
                    course_id=course.id, slug=ref.slug
                )
                lecture.section_id, lecture.position = section.id, position
                lecture.title, lecture.required, lecture.minutes = (
                    lspec.title,
                    lspec.required,
                    lspec.minutes,
                )
                if lecture.draft_source != lspec.source:
                    lecture.draft_source = lspec.source
                    lecture.draft_revision = (lecture.draft_revision or 0) + 1
                session.add(lecture)
                session.flush()
                publish_lecture(session, lecture, resolver=resolver, actor_id=actor_id)
            else:
                qspec = pkg.quizzes[ref.slug]
                quiz = quizzes.pop(ref.slug, None) or Quiz(course_id=course.id, slug=ref.slug)
                quiz.section_id, quiz.position = section.id, position
                session.add(quiz)
                _apply_quiz(session, quiz, qspec)
                session.flush()
    # Items and sections no longer in the package are removed from the syllabus.
    for leftover in [*lectures.values(), *quizzes.values()]:
        session.delete(leftover)
    session.flush()
    for section in sections.values():
        session.delete(section)
    session.flush()
    return outcome


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
    _apply_institutions(session, tree, report)
    session.flush()
    for pkg in tree.courses:
        outcome = _apply_course(session, storage, pkg, actor_id)
        getattr(report, outcome).append(f"course {pkg.slug}")
        if progress:
            progress(pkg.slug)
    return report
