"""Who may edit a course in authoring: its assigned teachers and admins (`catalog.permissions`)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course
from mooc.catalog.permissions import can_teach
from mooc.errors import PermissionDenied


def require_editor(user: User, course: Course) -> None:
    """Raises PermissionDenied unless the user teaches the course (or is an admin)."""
    if not can_teach(user, course):
        raise PermissionDenied(_("Only the course's teachers can change it."))


def editable_course(session: Session, user: User, slug: str) -> Course:
    """The course, drafts included, if the user may edit it. Raises NotFound/PermissionDenied."""
    course = catalog_queries.course_by_slug(session, slug, include_drafts=True)
    require_editor(user, course)
    return course
