"""Who may do what with a school's classes.

School staff (and platform administrators) manage their own school's years, classes, people and
rosters; a class's homeroom and subject teachers teach it (assign work, print login cards, reset a
pupil's password, read its report); pupils see their own classes. Staff of one institution never see
another's.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, exists, select
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.errors import NotFound, PermissionDenied
from mooc.schools.models import ClassMember, ClassRole, SchoolClass

TEACHING_ROLES = (ClassRole.HOMEROOM, ClassRole.TEACHER)


def can_manage_school(user: User | None, institution_id: int) -> bool:
    """Staff of the school and platform administrators."""
    if user is None:
        return False
    return user.is_admin or user.has_role(Role.STAFF, institution_id)


def school_by_slug(session: Session, slug: str) -> Institution:
    found = session.scalar(
        select(Institution).where(
            Institution.slug == slug, Institution.kind == InstitutionKind.SCHOOL
        )
    )
    if found is None:
        raise NotFound(_("There is no such school."))
    return found


def managed_school(session: Session, user: User, slug: str) -> Institution:
    """The school whose management pages `user` opens: `NotFound` when there is none,
    `PermissionDenied` for anyone but its staff and administrators."""
    school = school_by_slug(session, slug)
    if not can_manage_school(user, school.id):
        raise PermissionDenied(
            _("Only the staff of %(name)s can open this page.", name=school.name)
        )
    return school


def teaches(session: Session, user: User, school_class: SchoolClass) -> bool:
    """Whether `user` is a current homeroom or subject teacher of the class."""
    return (
        session.scalar(
            select(ClassMember.id).where(
                ClassMember.class_id == school_class.id,
                ClassMember.user_id == user.id,
                ClassMember.role.in_(TEACHING_ROLES),
                ClassMember.ended_at.is_(None),
            )
        )
        is not None
    )


def can_teach_class(session: Session, user: User | None, school_class: SchoolClass) -> bool:
    """Teachers of the class, its school's staff, administrators."""
    if user is None:
        return False
    return can_manage_school(user, school_class.institution_id) or teaches(
        session, user, school_class
    )


def taught_class(session: Session, user: User, class_id: int) -> SchoolClass:
    """The class a teacher's page is about: `NotFound` when there is none (or, for anyone who may
    not teach it, `NotFound` as well, so class ids do not reveal which classes exist elsewhere).
    One statement: the class with its school and year (which its pages name) and whether `user`
    teaches it."""
    found = session.execute(
        select(SchoolClass, _teaching(user.id))
        .options(joinedload(SchoolClass.institution), joinedload(SchoolClass.school_year))
        .where(SchoolClass.id == class_id)
    ).first()
    if found is None:
        raise NotFound(_("There is no such class."))
    school_class, teaching = found
    if not (teaching or can_manage_school(user, school_class.institution_id)):
        raise NotFound(_("There is no such class."))
    return school_class


def _teaching(user_id: int) -> ColumnElement[bool]:
    """Whether the person is a current teacher of the class being read, as a column."""
    return exists().where(
        ClassMember.class_id == SchoolClass.id,
        ClassMember.user_id == user_id,
        ClassMember.role.in_(TEACHING_ROLES),
        ClassMember.ended_at.is_(None),
    )


# Built once: every lecture page a signed-in reader opens asks (their classes' due dates).
_PUPIL_CLASS_IDS = select(ClassMember.class_id).where(
    ClassMember.user_id == bindparam("user_id"),
    ClassMember.role == ClassRole.PUPIL,
    ClassMember.ended_at.is_(None),
)


def pupil_class_ids(session: Session, user: User) -> list[int]:
    """The classes `user` is currently a pupil in."""
    return pupil_class_ids_of(session, user.id)


def in_a_class(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the person is currently a pupil in some class, as a column of a larger statement
    (the lecture page asks for their class's due dates only then)."""
    return exists().where(
        ClassMember.user_id == user_id,
        ClassMember.role == ClassRole.PUPIL,
        ClassMember.ended_at.is_(None),
    )


def pupil_class_ids_of(session: Session, user_id: int) -> list[int]:
    """The classes person `user_id` is currently a pupil in (their row not read)."""
    return list(session.scalars(_PUPIL_CLASS_IDS, {"user_id": user_id}))


def require_pupil_in(session: Session, user: User, school_class: SchoolClass) -> None:
    if school_class.id not in pupil_class_ids(session, user):
        raise PermissionDenied(_("You are not a pupil of this class."))
