"""Who may teach a course (edit it, follow its learners): its assigned teachers, and admins."""

from __future__ import annotations

from mooc.accounts.models import Role, User
from mooc.catalog.models import Course


def can_teach(user: User | None, course: Course) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or any(t.user_id == user.id for t in course.teachers)


def can_create_courses(user: User | None, institution_id: int) -> bool:
    """Teachers of an institution create its courses (and are assigned to what they create)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or user.has_role(Role.TEACHER, institution_id)
