"""Login cards and a pupil's password reset: one-time passwords a teacher hands out on paper.

Reads (the pupils a card can be printed for) and writes (new one-time passwords, usernames for
pupils without one). Services flush and never commit; the view commits once, so a class's cards
are all made or none. Audited by the `mooc.schools.services.login_cards` logger: who, which
class, how many — never a password.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mooc.accounts.core.one_time_passwords import one_time_password
from mooc.accounts.models import Role, User
from mooc.accounts.services import set_one_time_password
from mooc.errors import Conflict, Invalid, NotFound, PermissionDenied
from mooc.folding import strip_diacritics
from mooc.schools.core.usernames import make_username, split_name
from mooc.schools.models import ClassMember, ClassRole, SchoolClass

log = logging.getLogger(__name__)
# People who hold these roles choose and recover their own passwords; a teacher never sets them.
_OWN_PASSWORD_ROLES = (Role.TEACHER, Role.STAFF, Role.ADMIN)


class CardScope(enum.StrEnum):
    """Whose cards a teacher prints."""

    ALL = "all"
    SELECTED = "selected"
    NEVER_SIGNED_IN = "never"


@dataclass(frozen=True)
class LoginCard:
    """What one printed card says. The password exists only here and on the paper."""

    user_id: int
    name: str
    class_name: str
    login: str
    password: str


def _sort_key(user: User) -> tuple[str, str]:
    """Vietnamese class lists go by given name (the last word), then the whole name."""
    given, _family = split_name(user.name)
    return strip_diacritics(given).lower(), strip_diacritics(user.name).lower()


def class_pupils(session: Session, school_class: SchoolClass) -> list[User]:
    """The class's current pupils with active accounts, in class-list order."""
    pupils = session.scalars(
        select(User)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(
            ClassMember.class_id == school_class.id,
            ClassMember.role == ClassRole.PUPIL,
            ClassMember.ended_at.is_(None),
            User.is_active.is_(True),
        )
        .options(selectinload(User.memberships))
    ).all()
    return sorted(pupils, key=_sort_key)


def _sets_own_password(user: User) -> bool:
    return any(m.role in _OWN_PASSWORD_ROLES for m in user.memberships)


def _give_usernames(session: Session, school_class: SchoolClass, pupils: Sequence[User]) -> None:
    """A username for each pupil who has none (they sign in with it)."""
    chosen: set[str] = set()

    def taken(name: str) -> bool:
        if name in chosen:
            return True
        return session.scalar(select(User.id).where(User.username == name)) is not None

    for pupil in pupils:
        if pupil.username is None:
            given, family = split_name(pupil.name)
            pupil.username = make_username(given, family, school_class.name, taken)
            chosen.add(pupil.username)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # someone else took one of these names in the meantime
        raise Conflict(_("Usernames changed meanwhile. Please try again.")) from None


def _issue(session: Session, school_class: SchoolClass, pupils: Sequence[User]) -> list[LoginCard]:
    _give_usernames(session, school_class, pupils)
    cards = []
    for pupil in pupils:
        password = one_time_password()
        set_one_time_password(pupil, password)
        # The card names the username (every pupil has one now), even for a pupil with email.
        login = pupil.username or pupil.login_name
        cards.append(LoginCard(pupil.id, pupil.name, school_class.name, login, password))
    session.flush()
    return cards


def print_login_cards(
    session: Session,
    school_class: SchoolClass,
    *,
    scope: CardScope,
    selected: Collection[int] = (),
    by: User,
) -> list[LoginCard]:
    """New one-time passwords (and usernames where missing) for the class's pupils in `scope`.

    Each printed pupil must choose their own password at the next sign-in; their sessions end.
    Raises `NotFound` when a selected person is not a pupil of the class, and `Invalid` when
    nobody is left to print for.
    """
    pupils = [p for p in class_pupils(session, school_class) if not _sets_own_password(p)]
    if scope is CardScope.SELECTED:
        if not set(selected) <= {p.id for p in pupils}:
            raise NotFound(_("Only this class's pupils can get login cards here."))
        pupils = [p for p in pupils if p.id in set(selected)]
    elif scope is CardScope.NEVER_SIGNED_IN:
        pupils = [p for p in pupils if p.last_login_at is None]
    if not pupils:
        raise Invalid(_("There is no pupil to print a card for."), field="pupils")
    cards = _issue(session, school_class, pupils)
    log.info(
        "user %s printed login cards for class %s: %d pupils (%s)",
        by.id,
        school_class.id,
        len(cards),
        scope.value,
    )
    return cards


def class_pupil(session: Session, school_class: SchoolClass, user_id: int) -> User:
    """A current pupil of the class. Raises `NotFound` for anyone else (ids of other classes'
    pupils tell nothing)."""
    pupil = next((p for p in class_pupils(session, school_class) if p.id == user_id), None)
    if pupil is None:
        raise NotFound(_("There is no such pupil in this class."))
    return pupil


def resettable_pupil(session: Session, school_class: SchoolClass, user_id: int) -> User:
    """The pupil whose password a teacher of the class may reset. Raises `NotFound` for someone
    not in the class, `PermissionDenied` for a teacher's, staff member's or administrator's
    account (they choose and recover their own)."""
    pupil = class_pupil(session, school_class, user_id)
    if _sets_own_password(pupil):
        raise PermissionDenied(_("Teachers and staff choose and recover their own passwords."))
    return pupil


def reset_pupil_password(
    session: Session, school_class: SchoolClass, user_id: int, *, by: User
) -> LoginCard:
    """A new one-time password for one pupil of the class, who must then choose their own; the
    pupil's sessions end. Raises `NotFound` for someone not in the class, `PermissionDenied`
    for a teacher's, staff member's or administrator's account."""
    pupil = resettable_pupil(session, school_class, user_id)
    (card,) = _issue(session, school_class, [pupil])
    log.info("user %s reset the password of pupil %s in class %s", by.id, pupil.id, school_class.id)
    return card
