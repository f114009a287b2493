"""SCORM lectures in the editor: a teacher uploads a package's zip as a new lecture of a section,
replaces it, or says whether its score counts in the final grade.

The lecture is an ordinary lecture (its published text lists what the package holds), so the
syllabus, progress, completion and records treat it like any other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring import audit
from mooc.authoring.permissions import require_editor
from mooc.authoring.services.courses import create_lecture
from mooc.authoring.services.lectures import publish
from mooc.authoring.services.retiring import recount_learners
from mooc.catalog.models import Lecture, ScormPackage, Section
from mooc.catalog.services import bump_content_revision
from mooc.scorm import services as scorm
from mooc.scorm.core.archive import Limits
from mooc.storage import Storage


def add_scorm_lecture(
    session: Session,
    user: User,
    section: Section,
    data: bytes,
    *,
    storage: Storage,
    limits: Limits,
    title: str = "",
) -> Lecture:
    """A new lecture at the end of `section` playing the package in `data`, published at once
    (titled `title`, else as the manifest names it). Raises `Invalid` or `TooLarge` with the
    reason the package was refused (nothing is then stored), `PermissionDenied`."""
    require_editor(user, section.course)
    checked = scorm.check_zip(data, limits)
    lecture = create_lecture(session, user, section, title.strip() or checked.manifest.title)
    package = scorm.store_package(session, storage, lecture, data, slug=lecture.slug, limits=limits)
    lecture.draft_source = scorm.lecture_source(package)
    lecture.draft_revision += 1
    session.flush()
    publish(session, user, lecture, storage)
    bump_content_revision(session, lecture.course_id)
    _audit(session, user, lecture, package, "uploaded")
    return lecture


def replace_package(
    session: Session,
    user: User,
    lecture: Lecture,
    data: bytes,
    *,
    storage: Storage,
    limits: Limits,
) -> ScormPackage:
    """Play the package in `data` in `lecture` from now on; learners' data on SCOs of the same
    identifier is kept. Raises like `add_scorm_lecture`."""
    require_editor(user, lecture.course)
    package = scorm.store_package(session, storage, lecture, data, slug=lecture.slug, limits=limits)
    source = scorm.lecture_source(package)
    if source != lecture.draft_source:
        lecture.draft_source = source
        lecture.draft_revision += 1
        session.flush()
        publish(session, user, lecture, storage)
    bump_content_revision(session, lecture.course_id)
    _audit(session, user, lecture, package, "replaced")
    return package


def grade_package(
    session: Session, user: User, package: ScormPackage, *, counts_in_grade: bool, weight: int
) -> None:
    """Whether the package's score counts in the course's final grade, with `weight` like a
    quiz's. Raises `Invalid`, `PermissionDenied`."""
    require_editor(user, package.lecture.course)
    before = {"counts_in_grade": package.counts_in_grade, "weight": package.weight}
    scorm.set_grading(package, counts_in_grade=counts_in_grade, weight=weight)
    session.flush()
    if before != {"counts_in_grade": counts_in_grade, "weight": weight}:
        recount_learners(session, package.course_id)  # every learner's grade moves
    audit.record(
        session,
        actor_id=user.id,
        action="edit",
        object_type="lecture",
        object_id=package.lecture_id,
        course_id=package.course_id,
        summary=f"set SCORM grading of {package.slug}",
        before=before,
        after={"counts_in_grade": counts_in_grade, "weight": weight},
    )


def _audit(
    session: Session, user: User, lecture: Lecture, package: ScormPackage, what: str
) -> None:
    audit.record(
        session,
        actor_id=user.id,
        action="edit",
        object_type="lecture",
        object_id=lecture.id,
        course_id=lecture.course_id,
        summary=f"{what} SCORM package of {lecture.slug}",
        after={"sha256": package.sha256, "version": package.version, "scos": len(package.scos)},
    )
