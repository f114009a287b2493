"""The signed-in person as the site's header shows them (`_partials/site_header.html`): a few
facts instead of the user row, so a header drawn for one reader can be kept and filled for
another with the same facts (the lecture page: mooc.web.page_cache)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask_login import current_user

from mooc.accounts.models import InstitutionKind, Role, User
from mooc.accounts.signed_in import SignedIn


@dataclass(frozen=True)
class HeaderReader:
    """The name, the unread notifications and which menus the person gets."""

    name: str
    unread: int
    teaching: bool
    recognition: bool
    school: bool
    admin: bool

    def facts(self) -> tuple[int, bool, bool, bool, bool]:
        """Every fact but the name: the key of the header kept for everyone alike (a tuple is
        made in a fraction of the time `without_name` takes)."""
        return (self.unread, self.teaching, self.recognition, self.school, self.admin)

    def without_name(self, placeholder: str) -> HeaderReader:
        """The same facts with `placeholder` for the name: the header kept for everyone alike."""
        return replace(self, name=placeholder)


def header_reader_of(user: User | SignedIn, unread: int) -> HeaderReader:
    if isinstance(user, SignedIn):  # its statement read the same facts
        return HeaderReader(
            user.name, unread, user.teaching, user.recognition, user.school, user.is_admin
        )
    admin = user.is_admin
    return HeaderReader(
        name=user.name,
        unread=unread,
        teaching=admin or user.has_role(Role.TEACHER),
        recognition=admin or user.has_role(Role.STAFF),
        # The institution is loaded only for staff members (its kind tells a school).
        school=admin
        or any(
            m.role == Role.STAFF and m.institution.kind == InstitutionKind.SCHOOL
            for m in user.memberships
        ),
        admin=admin,
    )


def header_reader(unread: Callable[[], int]) -> HeaderReader | None:
    """The signed-in person's header facts (`unread` counts their notifications); None for a
    visitor."""
    if not current_user.is_authenticated:
        return None
    return header_reader_of(current_user._get_current_object(), unread())
