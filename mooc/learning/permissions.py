"""Who may study and who may follow a course's learners: the checks learning's pages make before
showing or changing anything. A refusal is a `PermissionDenied` (403), mapped in mooc.web.errors."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog.models import Course
from mooc.catalog.permissions import can_teach
from mooc.errors import PermissionDenied
from mooc.learning.queries import is_enrolled


def can_read_lecture(user: User | None, course: Course, is_preview: bool, enrolled: bool) -> bool:
    """The preview lecture is open to all; the others to enrolled learners (`enrolled`, which
    the page has read already) and the teachers."""
    if is_preview or enrolled:
        return True
    return user is not None and can_teach(user, course)


def require_enrolled(session: Session, user: User, course: Course, message: str) -> None:
    """Raises `PermissionDenied` with `message` unless `user` is enrolled in `course`."""
    if not is_enrolled(session, user.id, course.id):
        raise PermissionDenied(message)


def require_teaching(user: User, course: Course) -> None:
    """Raises `PermissionDenied` unless `user` teaches `course` (or is an administrator)."""
    if not can_teach(user, course):
        raise PermissionDenied(_("Only the course's teachers can see its learners."))
