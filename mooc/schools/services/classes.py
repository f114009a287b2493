"""A school's years, classes and class members, as its staff edit them by hand.

Services flush, never commit; they raise `Invalid` for impossible values and `Conflict` for a
duplicate name. Nothing is deleted: a class is disabled, a member's membership ended (their
past work stays in the class's reports). Each change is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Membership, Role, User
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound
from mooc.schools.models import ClassMember, ClassRole, SchoolClass, SchoolYear
from mooc.schools.queries import directory

audit = logging.getLogger("mooc.schools.audit")


def _flush_unique(session: Session, message: str, field: str, new: object = None) -> None:
    """Flush in a savepoint so a duplicate name (a unique constraint, which also settles a race)
    becomes `Conflict`; a `new` object is added inside it, so a failure leaves it out again."""
    try:
        with session.begin_nested():
            if new is not None:
                session.add(new)
            session.flush()
    except IntegrityError:
        raise Conflict(message, field=field) from None


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if starts_on >= ends_on:
        raise Invalid(_("The year must end after it starts."), field="ends_on")


def create_year(
    session: Session,
    school: Institution,
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    by: User,
) -> SchoolYear:
    """Raises `Invalid` when the year ends before it starts, `Conflict` for a name in use."""
    _check_dates(starts_on, ends_on)
    year = SchoolYear(
        institution_id=school.id, name=name.strip(), starts_on=starts_on, ends_on=ends_on
    )
    session.add(year)
    _flush_unique(
        session, _("This school already has a year named %(name)s.", name=year.name), "name"
    )
    audit.info("staff %s created school year %s at %s", by.id, year.id, school.slug)
    return year


def update_year(
    session: Session, year: SchoolYear, *, name: str, starts_on: dt.date, ends_on: dt.date, by: User
) -> None:
    _check_dates(starts_on, ends_on)
    year.name, year.starts_on, year.ends_on = name.strip(), starts_on, ends_on
    _flush_unique(
        session, _("This school already has a year named %(name)s.", name=year.name), "name"
    )
    audit.info("staff %s changed school year %s", by.id, year.id)


def create_class(
    session: Session, year: SchoolYear, *, name: str, grade: int | None, by: User
) -> SchoolClass:
    """Raises `Conflict` when the year already has a class of that name."""
    school_class = SchoolClass(
        institution_id=year.institution_id,
        school_year_id=year.id,
        name=name.strip().upper(),
        grade=grade,
    )
    _flush_unique(
        session,
        _("%(year)s already has a class named %(name)s.", year=year.name, name=school_class.name),
        "name",
        school_class,
    )
    audit.info("staff %s created class %s (%s)", by.id, school_class.id, school_class.name)
    return school_class


def update_class(
    session: Session, school_class: SchoolClass, *, name: str, grade: int | None, by: User
) -> None:
    school_class.name, school_class.grade = name.strip().upper(), grade
    _flush_unique(
        session,
        _(
            "%(year)s already has a class named %(name)s.",
            year=school_class.school_year.name,
            name=school_class.name,
        ),
        "name",
    )
    audit.info("staff %s changed class %s", by.id, school_class.id)


def set_class_enabled(school_class: SchoolClass, enabled: bool, *, by: User) -> None:
    """Disable (hide from teachers' and pupils' lists, keep every record) or enable again."""
    school_class.disabled_at = None if enabled else (school_class.disabled_at or utcnow())
    audit.info("staff %s %s class %s", by.id, "enabled" if enabled else "disabled", school_class.id)


def _school_person(session: Session, school_class: SchoolClass, user_id: int) -> User:
    """A person of the class's school (any membership there): others are not found, so staff
    cannot add strangers (or learn who exists elsewhere) by guessing ids."""
    user = session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.institution_id == school_class.institution_id)
    )
    if user is None:
        raise NotFound(_("There is no such person at this school."))
    return user


def add_member(
    session: Session,
    school_class: SchoolClass,
    user_id: int,
    role: ClassRole,
    *,
    subject: str | None = None,
    by: User,
) -> ClassMember:
    """Add a pupil, a subject teacher or the homeroom teacher (there is one: choosing another
    ends the previous one's homeroom). Adding someone already there is a no-op; someone who had
    left comes back. Teachers also become teachers of the school. Raises `NotFound`."""
    user = _school_person(session, school_class, user_id)
    if role == ClassRole.HOMEROOM:
        for current in _members(session, school_class, ClassRole.HOMEROOM):
            if current.user_id != user.id:
                current.ended_at = utcnow()
    member = session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id,
            ClassMember.user_id == user.id,
            ClassMember.role == role,
        )
    )
    if member is None:
        member = ClassMember(class_id=school_class.id, user_id=user.id, role=role)
        session.add(member)
    member.ended_at = None
    member.subject = ((subject or "").strip()[:80] or None) if role == ClassRole.TEACHER else None
    if role != ClassRole.PUPIL and not user.has_role(Role.TEACHER, school_class.institution_id):
        session.add(
            Membership(
                user_id=user.id, institution_id=school_class.institution_id, role=Role.TEACHER
            )
        )
    session.flush()
    audit.info(
        "staff %s added account %s to class %s as %s", by.id, user.id, school_class.id, role.value
    )
    return member


def end_member(
    session: Session, school_class: SchoolClass, member_id: int, *, by: User
) -> ClassMember:
    """Someone leaves the class (the row stays, with the day they left). Raises `NotFound`."""
    member = directory.class_member(session, school_class, member_id)
    if member.ended_at is None:
        member.ended_at = utcnow()
        audit.info("staff %s ended membership %s in class %s", by.id, member.id, school_class.id)
    return member


def _members(session: Session, school_class: SchoolClass, role: ClassRole) -> list[ClassMember]:
    return list(
        session.scalars(
            select(ClassMember).where(
                ClassMember.class_id == school_class.id,
                ClassMember.role == role,
                ClassMember.ended_at.is_(None),
            )
        )
    )
