"""Who may do what in credit transfer: a university's staff (and admins) run its recognition;
students see only their own requests."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.errors import NotFound, PermissionDenied


def can_run_transfer(user: User | None, institution: Institution) -> bool:
    """Staff of `institution` (verifiers, registrars) and administrators."""
    if user is None:
        return False
    return user.is_admin or user.has_role(Role.STAFF, institution.id)


def university_by_slug(session: Session, slug: str) -> Institution:
    found = session.scalar(
        select(Institution).where(
            Institution.slug == slug, Institution.kind == InstitutionKind.UNIVERSITY
        )
    )
    if found is None:
        raise NotFound(_("There is no such university."))
    return found


def staff_university(session: Session, user: User, slug: str) -> Institution:
    """The university whose transfer pages `user` opens; `PermissionDenied` for anyone but its
    staff (and admins), `NotFound` when there is no such university."""
    university = university_by_slug(session, slug)
    if not can_run_transfer(user, university):
        raise PermissionDenied(
            _("Only the staff of %(name)s can open this page.", name=university.name)
        )
    return university


def staff_universities(session: Session, user: User) -> Sequence[Institution]:
    """The universities whose transfer pages `user` may open."""
    statement = select(Institution).where(Institution.kind == InstitutionKind.UNIVERSITY)
    if not user.is_admin:
        statement = statement.where(Institution.id.in_(user.institution_ids(Role.STAFF)))
    return session.scalars(statement.order_by(Institution.name)).all()
