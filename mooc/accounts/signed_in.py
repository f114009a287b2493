"""The signed-in person as a page's own statement read them, without loading their ORM row: the
lecture page checks the session (active, session token), reads the person's language, zone and
menus, and reads its own rows, in one statement (mooc.learning.queries.lecture_visit).

The check is the one `queries.load_session_user` makes, on the same request, against the
database: a new password or "log out everywhere" (new session token), a deactivation and a
changed role count on the very next request, in every process and on every server."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User

# The person's roles as one number, a bit each (`SignedIn` reads them): one look-up of their
# memberships (a few rows on the index that begins with user_id) where one EXISTS per role
# looked four times. On #14's machine that was 55 µs of PostgreSQL's CPU per page on small
# tables, 25 µs on large ones.
ADMIN, TEACHER, STAFF, SCHOOL_STAFF = 1, 2, 4, 8


def _any(condition: ColumnElement[bool], bit: int) -> ColumnElement[int]:
    return func.max(case((condition, bit), else_=0))


_ROLES = (
    select(
        _any(Membership.role == Role.ADMIN, ADMIN)
        + _any(Membership.role == Role.TEACHER, TEACHER)
        + _any(Membership.role == Role.STAFF, STAFF)
        + _any(
            (Membership.role == Role.STAFF) & (Institution.kind == InstitutionKind.SCHOOL),
            SCHOOL_STAFF,
        )
    )
    .select_from(Membership)
    .outerjoin(Institution, Institution.id == Membership.institution_id)
    .where(Membership.user_id == User.id)
    .scalar_subquery()
)

# The person's columns and roles, as labelled columns of a larger statement on User.
PERSON_COLUMNS: tuple[ColumnElement[Any], ...] = (
    User.id.label("person_id"),
    User.name.label("person_name"),
    User.locale.label("person_locale"),
    User.timezone.label("person_timezone"),
    User.data_saver.label("person_data_saver"),
    User.is_active.label("person_active"),
    User.session_token.label("person_token"),
    User.must_change_password.label("person_must_change_password"),
    _ROLES.label("person_roles"),
)


class SignedIn:
    """The signed-in person (Flask-Login's user) as the row of `PERSON_COLUMNS` gave them: what
    every request asks of them (the session check, language, time zone, a password to choose)
    and the header's facts. Anything else (`has_role`, memberships, email…) comes from their
    ORM row, loaded on first use by `full`."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, row: Mapping[Any, Any], full: Callable[[int], User]) -> None:
        self.id: int = row["person_id"]
        self.name: str = row["person_name"]
        self.locale: str | None = row["person_locale"]
        self.timezone: str | None = row["person_timezone"]
        self.data_saver = bool(row["person_data_saver"])
        self.must_change_password = bool(row["person_must_change_password"])
        self.session_token: str = row["person_token"]
        roles = int(row["person_roles"] or 0)  # None: no membership
        self.is_admin = bool(roles & ADMIN)
        # The header's menus, as `mooc.web.site_header.header_reader_of` tells them from a User.
        self.teaching = self.is_admin or bool(roles & TEACHER)
        self.recognition = self.is_admin or bool(roles & STAFF)
        self.school = self.is_admin or bool(roles & SCHOOL_STAFF)
        self._load = full
        self._full: User | None = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def full(self) -> User:
        """The person's ORM row (with memberships), read once for the request."""
        if self._full is None:
            self._full = self._load(self.id)
        return self._full

    def __getattr__(self, name: str) -> Any:
        # Only for what is not set above: the row's other columns and methods.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)


def signed_in(
    row: Mapping[Any, Any] | None, token: str, full: Callable[[int], User]
) -> SignedIn | None:
    """The person of `row` if the session (its `token`) is still theirs and they are active,
    else None (logged out): the same check as `queries.load_session_user`."""
    if row is None or row["person_id"] is None or not row["person_active"]:
        return None
    if not secrets.compare_digest(row["person_token"], token):
        return None
    return SignedIn(row, full)
