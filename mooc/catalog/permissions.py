"""Who may teach (see learners, edit) a course: its institution's teachers, and admins."""

from __future__ import annotations

from mooc.accounts.models import Role, User
from mooc.catalog.models import Course


def can_teach(user: User | None, course: Course) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or user.has_role(Role.TEACHER, course.institution_id)
