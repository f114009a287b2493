"""What a person's roles allow: the one rule behind `role_required` (administrators pass every
role check). Pages refuse with `PermissionDenied` (403), mapped in mooc.web.errors."""

from __future__ import annotations

from flask_babel import gettext as _

from mooc.accounts.models import Role, User
from mooc.errors import PermissionDenied


def holds_any(user: User, roles: tuple[Role, ...]) -> bool:
    """`user` is an administrator or holds one of `roles` at some institution."""
    return user.is_admin or any(user.has_role(role) for role in roles)


def require_any(user: User, roles: tuple[Role, ...]) -> None:
    """Raises `PermissionDenied` unless `holds_any(user, roles)`."""
    if not holds_any(user, roles):
        raise PermissionDenied(_("Your account does not have the role needed here."))
