"""Who manages an institution's API tokens: its staff (registrars, verifiers) and admins."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Role, User
from mooc.errors import NotFound, PermissionDenied


def can_manage_tokens(user: User, institution: Institution) -> bool:
    return user.is_admin or user.has_role(Role.STAFF, institution.id)


def manageable_institutions(session: Session, user: User) -> Sequence[Institution]:
    """The institutions whose tokens `user` may see, create and revoke."""
    statement = select(Institution).order_by(Institution.name)
    if not user.is_admin:
        statement = statement.where(Institution.id.in_(user.institution_ids(Role.STAFF)))
    return session.scalars(statement).all()


def managed_institution(session: Session, user: User, slug: str) -> Institution:
    """The institution `slug` if `user` manages its tokens; `NotFound` when there is no such
    institution, `PermissionDenied` when it is someone else's."""
    institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        raise NotFound(_("There is no such institution."))
    if not can_manage_tokens(user, institution):
        raise PermissionDenied(
            _("Only the staff of %(name)s can manage its API tokens.", name=institution.name)
        )
    return institution
