"""Reading a school: its years and classes, a class's people, the people of the school (a pupil's
own classes are in `pupil_work`). Queries only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mooc.accounts.core.search_text import person_search_terms
from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User
from mooc.errors import NotFound
from mooc.folding import fold
from mooc.schools.models import ClassMember, ClassRole, RosterImport, SchoolClass, SchoolYear
from mooc.search_index import contains_all

SEARCH_LIMIT = 30


def managed_schools(session: Session, user: User) -> Sequence[Institution]:
    """The schools whose management pages `user` may open (every school for administrators)."""
    query = (
        select(Institution)
        .where(Institution.kind == InstitutionKind.SCHOOL)
        .order_by(Institution.name)
    )
    if not user.is_admin:
        query = query.where(Institution.id.in_(user.institution_ids(Role.STAFF)))
    return session.scalars(query).all()


def years_with_classes(session: Session, school: Institution) -> Sequence[SchoolYear]:
    """Newest year first, each with its classes (by name) loaded."""
    return session.scalars(
        select(SchoolYear)
        .where(SchoolYear.institution_id == school.id)
        .options(selectinload(SchoolYear.classes))
        .order_by(SchoolYear.starts_on.desc())
    ).all()


def class_sizes(session: Session, school: Institution) -> dict[int, int]:
    """Current pupils per class of the school."""
    rows = session.execute(
        select(ClassMember.class_id, func.count())
        .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
        .where(
            SchoolClass.institution_id == school.id,
            ClassMember.role == ClassRole.PUPIL,
            ClassMember.ended_at.is_(None),
        )
        .group_by(ClassMember.class_id)
    )
    return {class_id: int(count) for class_id, count in rows}


def school_year(session: Session, school: Institution, year_id: int) -> SchoolYear:
    """The school's year, or `NotFound` (also for another school's year)."""
    year = session.get(SchoolYear, year_id)
    if year is None or year.institution_id != school.id:
        raise NotFound(_("There is no such school year."))
    return year


def school_class(session: Session, school: Institution, class_id: int) -> SchoolClass:
    """The school's class, or `NotFound` (also for another school's class)."""
    found = session.get(SchoolClass, class_id)
    if found is None or found.institution_id != school.id:
        raise NotFound(_("There is no such class."))
    return found


def class_member(session: Session, school_class: SchoolClass, member_id: int) -> ClassMember:
    """A membership of this class (current or ended), or `NotFound` (also for another class's)."""
    member = session.get(ClassMember, member_id)
    if member is None or member.class_id != school_class.id:
        raise NotFound(_("This person is not in the class."))
    return member


@dataclass(frozen=True)
class ClassPeople:
    homeroom: list[ClassMember]
    teachers: list[ClassMember]
    pupils: list[ClassMember]
    former: list[ClassMember]  # people who left; their work stays in reports


def class_people(session: Session, school_class: SchoolClass) -> ClassPeople:
    members = session.scalars(
        select(ClassMember)
        .join(User, User.id == ClassMember.user_id)
        .where(ClassMember.class_id == school_class.id)
        .options(selectinload(ClassMember.user))
        .order_by(User.name)
    ).all()
    live = [m for m in members if m.ended_at is None]
    return ClassPeople(
        homeroom=[m for m in live if m.role == ClassRole.HOMEROOM],
        teachers=[m for m in live if m.role == ClassRole.TEACHER],
        pupils=sorted(
            (m for m in live if m.role == ClassRole.PUPIL), key=lambda m: _given_first(m.user.name)
        ),
        former=[m for m in members if m.ended_at is not None],
    )


def _given_first(name: str) -> tuple[str, str]:
    """Vietnamese class lists sort by given name (the last word), then the whole name."""
    return fold(name.split()[-1] if name.split() else ""), fold(name)


def search_people(session: Session, school: Institution, query: str) -> Sequence[User]:
    """People with a membership at the school whose name, email or username holds every word of
    `query`, ignoring case and diacritics ("nguyen" finds "Nguyễn")."""
    terms = person_search_terms(query)
    if not terms:
        return []
    dialect = session.get_bind().dialect.name
    # EXISTS, not IN: SQLite then starts from the few rows the search index finds instead of
    # listing every member of the school first (as PostgreSQL does either way).
    member = (
        select(Membership.id)
        .where(Membership.user_id == User.id, Membership.institution_id == school.id)
        .exists()
    )
    return session.scalars(
        select(User)
        .where(member, *contains_all(User.search_text, User.id, terms, dialect))
        .order_by(User.name)
        .limit(SEARCH_LIMIT)
    ).all()


def teachers_of_school(session: Session, school: Institution) -> Sequence[User]:
    return session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.institution_id == school.id, Membership.role == Role.TEACHER, User.is_active
        )
        .order_by(User.name)
    ).all()


def recent_imports(
    session: Session, school: Institution, limit: int = 10
) -> Sequence[RosterImport]:
    return session.scalars(
        select(RosterImport)
        .where(RosterImport.institution_id == school.id)
        .order_by(RosterImport.created_at.desc(), RosterImport.id.desc())
        .limit(limit)
    ).all()


def roster_import(session: Session, school: Institution, import_id: int) -> RosterImport:
    entry = session.get(RosterImport, import_id)
    if entry is None or entry.institution_id != school.id:
        raise NotFound(_("There is no such import."))
    return entry
