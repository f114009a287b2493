"""Teachers shape courses: settings, publishing, sections, and the order of lectures and quizzes.

Every change is written to the audit log. Services flush; the view commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.assessment.models import Quiz
from mooc.authoring import audit
from mooc.authoring.core.ordering import moved
from mooc.authoring.permissions import require_editor
from mooc.authoring.queries import section_items
from mooc.authoring.services.ordering import PARK, renumber
from mooc.authoring.services.retiring import Removal, recount_learners, restore, retire_or_delete
from mooc.catalog.core.credits import MAX_CREDITS
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    Level,
    MediaAsset,
    Section,
)
from mooc.catalog.permissions import can_create_courses
from mooc.catalog.services import (
    assign_teacher,
    bump_content_revision,
    media_resolver,
    refresh_search_text,
    region_labels,
)
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound, PermissionDenied
from mooc.folding import fold
from mooc.labels import SUBJECTS
from mooc.markup import render_markdown

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


@dataclass(frozen=True)
class CourseSettings:
    """What a teacher sets on a course; checked by `validate_settings`."""

    title: str
    description: str
    language: str
    level: str
    grade: int | None
    subject: str
    code: str | None
    credits: Decimal | None
    workload_hours: int | None
    outcomes: tuple[str, ...]
    pass_mark: int
    cover_media: str | None = None


def validate_settings(s: CourseSettings) -> None:
    """Raises `Invalid` (with the field) for the first problem found."""
    if not s.title.strip():
        raise Invalid(_("A course needs a title."), field="title")
    if s.language not in ("vi", "en"):
        raise Invalid(_("Choose Vietnamese or English."), field="language")
    if s.subject not in SUBJECTS:
        raise Invalid(_("Choose a subject from the list."), field="subject")
    if not 0 <= s.pass_mark <= 100:
        raise Invalid(_("The pass mark is a number from 0 to 100."), field="pass_mark")
    if s.level == Level.K12:
        if s.grade is None or not 1 <= s.grade <= 12:
            raise Invalid(_("A school course needs a grade from 1 to 12."), field="grade")
    elif s.level == Level.UNIVERSITY:
        if not s.code or not s.code.strip():
            raise Invalid(_("A university course needs a course code."), field="code")
        if s.credits is None or not Decimal(0) < s.credits <= MAX_CREDITS:
            raise Invalid(
                _("Credits must be above 0 and at most %(max)s.", max=MAX_CREDITS), field="credits"
            )
        if s.workload_hours is None or not 1 <= s.workload_hours <= 3000:
            raise Invalid(_("Give the workload in hours (1–3000)."), field="workload_hours")
    else:
        raise Invalid(_("Choose school or university."), field="level")


def course_state(course: Course) -> dict[str, Any]:
    return {
        "slug": course.slug,
        "title": course.title,
        "description": course.description,
        "language": course.language,
        "level": str(course.level),
        "grade": course.grade,
        "subject": course.subject,
        "code": course.code,
        "credits": str(course.credits) if course.credits is not None else None,
        "workload_hours": course.workload_hours,
        "outcomes": list(course.outcomes),
        "pass_mark": course.pass_mark,
        "status": str(course.status),
        "cover_media": course.cover_media,
    }


def _apply(session: Session, course: Course, s: CourseSettings) -> None:
    university = s.level == Level.UNIVERSITY
    course.title = s.title.strip()
    course.description = s.description.strip() + "\n"
    course.language = s.language
    course.level = Level(s.level)
    course.grade = None if university else s.grade
    course.subject = s.subject
    course.code = s.code.strip() if university and s.code else None
    course.credits = s.credits if university else None
    course.workload_hours = s.workload_hours if university else None
    course.outcomes = [o.strip() for o in s.outcomes if o.strip()]
    recount = course.pass_mark != s.pass_mark
    course.pass_mark = s.pass_mark
    course.cover_media = s.cover_media or None
    session.flush()
    if recount:
        recount_learners(session, course.id)
    course.description_html = render_markdown(
        course.description,
        media=media_resolver(session, course),
        labels=region_labels(course.language),
    ).html
    refresh_search_text(course)


def create_course(
    session: Session, user: User, institution: Institution, slug: str, settings: CourseSettings
) -> Course:
    """A new draft course; its creator becomes its teacher. Raises Invalid/Conflict/Permission."""
    if not can_create_courses(user, institution.id):
        raise PermissionDenied(_("Only teachers of this institution can create its courses."))
    if not SLUG.match(slug):
        raise Invalid(_("Use lowercase letters, digits and hyphens."), field="slug")
    if session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise Conflict(_("Another course already uses this address."), field="slug")
    validate_settings(settings)
    course = Course(slug=slug, institution=institution, status=CourseStatus.DRAFT)
    session.add(course)
    _apply(session, course, settings)
    assign_teacher(session, course, user.id)
    session.add(Section(course=course, position=1, title=_("Section 1")))
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="create",
        object_type="course",
        object_id=course.id,
        course_id=course.id,
        summary=f"created course {slug}",
        after=course_state(course),
    )
    return course


def update_course(session: Session, user: User, course: Course, settings: CourseSettings) -> None:
    require_editor(user, course)
    validate_settings(settings)
    if settings.cover_media and not session.scalar(
        select(MediaAsset.id).where(
            MediaAsset.course_id == course.id, MediaAsset.name == settings.cover_media
        )
    ):
        raise Invalid(_("Upload the cover image to the media library first."), field="cover_media")
    before = course_state(course)
    _apply(session, course, settings)
    audit.record_edit(
        session,
        actor_id=user.id,
        object_type="course",
        object_id=course.id,
        course_id=course.id,
        summary="edited course settings",
        before=before,
        after=course_state(course),
    )


def set_published(session: Session, user: User, course: Course, published: bool) -> None:
    """Publish (shown in the catalogue) or unpublish (hidden; learners' records are kept)."""
    require_editor(user, course)
    if published and not any(
        lec.published_version_id and lec.retired_at is None
        for lec in session.scalars(select(Lecture).where(Lecture.course_id == course.id))
    ):
        raise Conflict(_("Publish at least one lecture before publishing the course."))
    before = course_state(course)
    course.status = CourseStatus.PUBLISHED if published else CourseStatus.DRAFT
    if published and course.published_at is None:
        course.published_at = utcnow()
    bump_content_revision(session, course.id)
    audit.record(
        session,
        actor_id=user.id,
        action="publish" if published else "unpublish",
        object_type="course",
        object_id=course.id,
        course_id=course.id,
        summary=("published" if published else "unpublished") + f" course {course.slug}",
        before=before,
        after=course_state(course),
    )


def add_section(session: Session, user: User, course: Course, title: str) -> Section:
    require_editor(user, course)
    if not title.strip():
        raise Invalid(_("A section needs a title."), field="title")
    last = session.scalar(
        select(func.coalesce(func.max(Section.position), 0)).where(Section.course_id == course.id)
    )
    section = Section(course_id=course.id, position=(last or 0) + 1, title=title.strip())
    session.add(section)
    session.flush()
    bump_content_revision(session, course.id)
    audit.record(
        session,
        actor_id=user.id,
        action="create",
        object_type="section",
        object_id=section.id,
        course_id=course.id,
        summary=f"added section {section.title!r}",
        after={"title": section.title, "position": section.position},
    )
    return section


def rename_section(session: Session, user: User, section: Section, title: str) -> None:
    require_editor(user, section.course)
    if not title.strip():
        raise Invalid(_("A section needs a title."), field="title")
    before = {"title": section.title}
    section.title = title.strip()
    bump_content_revision(session, section.course_id)
    audit.record(
        session,
        actor_id=user.id,
        action="edit",
        object_type="section",
        object_id=section.id,
        course_id=section.course_id,
        summary=f"renamed section to {section.title!r}",
        before=before,
        after={"title": section.title},
    )


def delete_section(session: Session, user: User, section: Section) -> None:
    require_editor(user, section.course)
    if section_items(session, section.id):
        raise Conflict(_("Move or delete the section's lectures and quizzes first."))
    course_id = section.course_id
    audit.record(
        session,
        actor_id=user.id,
        action="delete",
        object_type="section",
        object_id=section.id,
        course_id=course_id,
        summary=f"deleted section {section.title!r}",
        before={"title": section.title, "position": section.position},
    )
    session.delete(section)
    session.flush()
    _renumber_sections(session, course_id)
    bump_content_revision(session, course_id)


def _sections(session: Session, course_id: int) -> list[Section]:
    return list(
        session.scalars(
            select(Section).where(Section.course_id == course_id).order_by(Section.position)
        )
    )


def _renumber_sections(session: Session, course_id: int) -> None:
    renumber(session, _sections(session, course_id))


def move_section(session: Session, user: User, section: Section, delta: int) -> None:
    require_editor(user, section.course)
    order = moved(_sections(session, section.course_id), section, delta)
    if order is None:
        return
    renumber(session, order)
    bump_content_revision(session, section.course_id)
    audit.record(
        session,
        actor_id=user.id,
        action="reorder",
        object_type="section",
        object_id=section.id,
        course_id=section.course_id,
        summary=f"moved section {section.title!r} to position {section.position}",
    )


def move_item(
    session: Session, user: User, item: Lecture | Quiz, delta: int, section: Section | None = None
) -> None:
    """Move a lecture or quiz up/down within its section, or to the end of another section."""
    course = item.course
    require_editor(user, course)
    if section is not None and section.id != item.section_id:
        if section.course_id != course.id:
            raise NotFound(_("No such section in this course."))
        old_section = item.section_id
        # A retired item moved into a section is back in the course.
        restored = restore(item, section.id, PARK + len(section_items(session, section.id)))
        session.flush()
        if old_section is not None:
            _renumber_items(session, old_section)
        _renumber_items(session, section.id)
        verb = "restored" if restored else "moved"
        summary = f"{verb} {item.slug} to section {section.title!r}"
    elif item.section_id is None:
        raise Conflict(_("This item is retired: move it into a section to bring it back."))
    else:
        order = moved(section_items(session, item.section_id), item, delta)
        if order is None:
            return
        renumber(session, order)
        summary = f"moved {item.slug} to position {item.position}"
    bump_content_revision(session, course.id)
    audit.record(
        session,
        actor_id=user.id,
        action="reorder",
        object_type="quiz" if isinstance(item, Quiz) else "lecture",
        object_id=item.id,
        course_id=course.id,
        summary=summary,
    )


def _renumber_items(session: Session, section_id: int) -> None:
    renumber(session, section_items(session, section_id))


def unique_slug(
    session: Session, model: type[Lecture] | type[Quiz], course_id: int, title: str
) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60] or "item"
    slug, n = base, 1
    while session.scalar(select(model.id).where(model.course_id == course_id, model.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_lecture(session: Session, user: User, section: Section, title: str) -> Lecture:
    """A new, unpublished lecture at the end of `section`."""
    course = section.course
    require_editor(user, course)
    if not title.strip():
        raise Invalid(_("A lecture needs a title."), field="title")
    lecture = Lecture(
        course_id=course.id,
        section_id=section.id,
        slug=unique_slug(session, Lecture, course.id, title),
        position=len(section_items(session, section.id)) + 1,
        title=title.strip(),
        required=True,
        draft_source="",
        draft_revision=1,
    )
    session.add(lecture)
    session.flush()
    bump_content_revision(session, course.id)
    audit.record(
        session,
        actor_id=user.id,
        action="create",
        object_type="lecture",
        object_id=lecture.id,
        course_id=course.id,
        summary=f"created lecture {lecture.slug}",
        after={"title": lecture.title},
    )
    return lecture


def delete_lecture(session: Session, user: User, lecture: Lecture) -> Removal:
    """Take a lecture out of the course: retired when learners have studied it (their progress
    stays), deleted otherwise. Raises `PermissionDenied`."""
    require_editor(user, lecture.course)
    return remove_item(session, user, lecture)


def remove_item(session: Session, user: User, item: Lecture | Quiz) -> Removal:
    """Retire or delete `item` (see `retiring`), audited; its section is renumbered."""
    kind = "quiz" if isinstance(item, Quiz) else "lecture"
    section_id, item_id, slug = item.section_id, item.id, item.slug
    before: dict[str, Any] = {"title": item.title}
    if isinstance(item, Lecture):
        before["source"] = item.draft_source
    removal = retire_or_delete(session, item)
    audit.record(
        session,
        actor_id=user.id,
        action="retire" if removal == "retired" else "delete",
        object_type=kind,
        object_id=item_id,
        course_id=item.course_id,
        summary=f"{removal} {kind} {slug}",
        before=before,
    )
    if section_id is not None:
        _renumber_items(session, section_id)
    return removal


def settings_of(course: Course) -> CourseSettings:
    return CourseSettings(
        title=course.title,
        description=course.description,
        language=course.language,
        level=str(course.level),
        grade=course.grade,
        subject=course.subject,
        code=course.code,
        credits=course.credits,
        workload_hours=course.workload_hours,
        outcomes=tuple(course.outcomes),
        pass_mark=course.pass_mark,
        cover_media=course.cover_media,
    )
