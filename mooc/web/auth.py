"""Guards for views: who may open a page. Anonymous visitors are sent to log in; others get 403
(`PermissionDenied`, from the rule in mooc.accounts.permissions)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import flask_login
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mooc.accounts import permissions
from mooc.accounts.models import Role, User
from mooc.accounts.signed_in import SignedIn

F = TypeVar("F", bound=Callable[..., Any])

# English source text; Flask-Login passes it through gettext (localize_callback) when flashing.
LOGIN_MESSAGE = "Please log in to access this page."
_EXTRACTED = (_l("Please log in to access this page."),)  # lets message extraction find it


def login_required(view: F) -> F:
    """Flask-Login's guard with the view's type kept (Flask-Login ships no type information)."""
    return cast(F, flask_login.login_required(view))


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow people holding any of `roles` at some institution (admins always pass)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            permissions.require_any(current_account(), roles)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def admin_required(view: F) -> F:
    return role_required(Role.ADMIN)(view)


def current_account() -> User:
    """The logged-in user's row, typed; only call behind `login_required`. (A page that
    checked the session in its own statement has a `SignedIn` person: their row is read now.)"""
    person = current_user._get_current_object()
    if isinstance(person, SignedIn):
        return person.full()
    return cast(User, person)


def optional_account() -> User | None:
    """The logged-in user, or None for a visitor."""
    return current_account() if current_user.is_authenticated else None
