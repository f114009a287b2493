"""Account operations: register, authenticate, change password and profile, manage roles.

Services flush and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import logging
import re
import secrets

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User
from mooc.accounts.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from mooc.accounts.queries import find_by_login, time_zones
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid

STUDENT_NUMBER_LENGTH = 40  # membership.student_number

log = logging.getLogger(__name__)
_signals = Namespace()
# Sent (sender: the session) when a student's number at a university is set, replaced or cleared,
# with `user`, `institution`, `before`, `after` and `actor_id`: the university's change log
# (mooc.transfer, which accounts may not import) listens.
student_number_changed = _signals.signal("student-number-changed")
# The shape of an address (the form's validator checks it fully); the service refuses the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str, *, field: str = "password") -> None:
    """Raises `Invalid` for a password too short to be safe."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            _("The password must have at least %(n)d characters.", n=MIN_LENGTH), field=field
        )


def register(
    session: Session, *, email: str, password: str, name: str, locale: str | None = None
) -> User:
    """Create an account. Raises `Conflict` if the email is taken, `Invalid` on a weak password."""
    email = normalize_email(email)
    check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("An account with this email address already exists."), field="email")
    user = User(
        email=email,
        password_hash=hash_password(password),
        name=name.strip(),
        locale=locale,
        session_token=secrets.token_hex(16),
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a parallel registration won the race
        raise Conflict(
            _("An account with this email address already exists."), field="email"
        ) from None
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with these credentials (`login`: an email or a username), or None
    (equal work whether the account exists)."""
    user = find_by_login(session, login)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    """Raises `Invalid` when `current` is wrong or `new` too weak. Other sessions are ended."""
    if not verify_password(user.password_hash, current):
        raise Invalid(_("The current password is not correct."), field="current_password")
    check_password(new)
    user.password_hash = hash_password(new)
    end_sessions(user)


def choose_password(user: User, new: str) -> None:
    """The person's own password in place of one someone else chose (a login card, a reset).

    Raises `Invalid` when `new` is too weak or is the one-time password itself. Clears
    `must_change_password` and ends the other sessions (the caller logs this one in again).
    """
    check_password(new, field="new_password")
    if verify_password(user.password_hash, new):
        raise Invalid(_("Choose a new password, not the one you were given."), field="new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)


def set_one_time_password(user: User, password: str) -> None:
    """Give `user` a password someone else chose (printed on a card): they must replace it at
    their next sign-in, and every session they have ends now. Raises `Conflict` for a disabled
    account."""
    if not user.is_active:
        raise Conflict(_("This account is disabled; enable it first."))
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Make every session cookie issued to `user` so far worthless, on every device.

    A session cookie is signed, not stored, so it cannot be deleted on the server; it names the
    user's current session token instead (see `load_session_user`), and a new token ends them all.
    Used on sign-out and on a password change (where the caller logs the current one in again).
    """
    user.session_token = secrets.token_hex(16)


def set_active(user: User, active: bool, *, by: User) -> None:
    """Disable or enable an account. A disabled account cannot log in and its sessions end;
    its progress and records stay. Raises `Conflict` when an administrator disables themself."""
    if not active and user.id == by.id:
        raise Conflict(_("You cannot disable your own account."))
    if user.is_active and not active:
        end_sessions(user)
    user.is_active = active
    log.info("admin %s %s account %s", by.id, "enabled" if active else "disabled", user.id)


def change_email(session: Session, user: User, email: str, *, by: User) -> None:
    """Give `user` a new sign-in email. Raises `Invalid` for a malformed address and
    `Conflict` when another account has it."""
    email = normalize_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise Invalid(_("Enter a valid email address."), field="email")
    if email == user.email:
        return
    taken = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if taken is not None:
        raise Conflict(_("An account with this email address already exists."), field="email")
    old = user.email
    user.email = email
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a parallel change or registration won the race
        user.email = old
        raise Conflict(
            _("An account with this email address already exists."), field="email"
        ) from None
    log.info("admin %s changed the email of account %s", by.id, user.id)


def update_profile(
    user: User,
    *,
    name: str,
    locale: str | None,
    timezone: str | None = None,
    data_saver: bool | None = None,
) -> None:
    """Save name, language, time zone (None or "" follows the platform's default) and the data
    saver choice (None leaves it as it is).

    Raises `Invalid` for an empty name or a time zone zoneinfo does not know.
    """
    name = name.strip()
    if not name:
        raise Invalid(_("Please enter your name."), field="name")
    zone = (timezone or "").strip() or None
    if zone is not None and zone not in time_zones():
        raise Invalid(_("Choose a time zone from the list."), field="timezone")
    user.name = name
    user.locale = locale or None
    user.timezone = zone
    if data_saver is not None:
        user.data_saver = data_saver


def upsert_institution(
    session: Session, *, slug: str, name: str, kind: InstitutionKind
) -> tuple[Institution, bool]:
    """Create or update an institution by slug; returns it and whether anything changed."""
    institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        institution = Institution(slug=slug, name=name, kind=kind)
        session.add(institution)
        session.flush()
        return institution, True
    changed = (institution.name, institution.kind) != (name, kind)
    institution.name, institution.kind = name, kind
    return institution, changed


def grant_role(
    session: Session,
    user: User,
    institution: Institution,
    role: Role,
    student_number: str | None = None,
    *,
    by: User | None = None,
) -> Membership:
    """Give `user` `role` at `institution`; granting twice is a no-op, except that a student
    number given (a student's, at a university) is set or replaced. An administrator's (`by`)
    grant and number change are logged, like their other changes to an account.

    Raises `Invalid` for a number on another role or institution kind, `Conflict` when another
    student of the institution already has that number.
    """
    if role != Role.STUDENT and (student_number or "").strip():
        raise Invalid(_("Only a university's students have a student number."))
    number = _checked_number(session, user.id, institution, student_number)
    for membership in user.memberships:
        if membership.institution_id == institution.id and membership.role == role:
            if number is not None and number != membership.student_number:
                before = membership.student_number
                membership.student_number = number
                session.flush()
                if by is not None:
                    log.info(
                        "admin %s %s the student number of account %s at institution %s",
                        by.id,
                        "set" if before is None else "replaced",
                        user.id,
                        institution.id,
                    )
                _number_changed(session, membership, before, number, by)
            return membership
    membership = Membership(user=user, institution=institution, role=role, student_number=number)
    session.add(membership)
    session.flush()
    if by is not None:
        log.info(
            "admin %s granted the role %s at institution %s to account %s%s",
            by.id,
            role.value,
            institution.id,
            user.id,
            ", with a student number" if number else "",
        )
    if number is not None:
        _number_changed(session, membership, None, number, by)
    return membership


def _number_changed(
    session: Session,
    membership: Membership,
    before: str | None,
    after: str | None,
    by: User | None,
) -> None:
    """Announce a change someone (`by`) made; numbers the platform sets itself (the demo data)
    are not put in a university's change log."""
    if by is None:
        return
    student_number_changed.send(
        session,
        user=membership.user,
        institution=membership.institution,
        before=before,
        after=after,
        actor_id=by.id,
    )


def _checked_number(
    session: Session, user_id: int, institution: Institution, student_number: str | None
) -> str | None:
    """`student_number` with its spaces tidied (None when blank), checked for `user_id` at
    `institution`: `Invalid` when too long or not a university's, `Conflict` when another
    student of the institution has it."""
    number = " ".join((student_number or "").split()) or None
    if number is None:
        return None
    if institution.kind != InstitutionKind.UNIVERSITY:
        raise Invalid(_("Only a university's students have a student number."))
    if len(number) > STUDENT_NUMBER_LENGTH:
        raise Invalid(_("A student number has at most %(n)d characters.", n=STUDENT_NUMBER_LENGTH))
    holder = session.scalar(
        select(Membership.user_id).where(
            Membership.institution_id == institution.id,
            Membership.student_number == number,
        )
    )
    if holder is not None and holder != user_id:
        raise Conflict(
            _(
                "Another student of %(institution)s has the number %(number)s.",
                institution=institution.name,
                number=number,
            )
        )
    return number


def set_student_number(
    session: Session, membership: Membership, student_number: str | None, *, by: User | None
) -> str | None:
    """Set (blank: clear) the number a student's university knows them by, checked as when an
    administrator grants the role; the number it replaced. A change is announced with `by`
    (`student_number_changed`). Raises `Invalid` for a membership that is not a university
    student's or a number too long, `Conflict` for another student's."""
    if membership.role != Role.STUDENT:
        raise Invalid(_("Only a university's students have a student number."))
    number = _checked_number(session, membership.user_id, membership.institution, student_number)
    before = membership.student_number
    try:
        with session.begin_nested():
            membership.student_number = number
            session.flush()
    except IntegrityError:  # another student was given it a moment ago
        raise Conflict(
            _(
                "Another student of %(institution)s has the number %(number)s.",
                institution=membership.institution.name,
                number=number,
            )
        ) from None
    if before != number:
        _number_changed(session, membership, before, number, by)
    return before


def revoke_role(
    session: Session, user: User, institution: Institution, role: Role, *, by: User | None = None
) -> None:
    """Take `role` at `institution` from `user` (a no-op when they do not hold it); logged when
    an administrator (`by`) does it."""
    for membership in list(user.memberships):
        if membership.institution_id == institution.id and membership.role == role:
            if membership.student_number is not None:  # the number ends with the role
                _number_changed(session, membership, membership.student_number, None, by)
            user.memberships.remove(membership)
            session.delete(membership)
            if by is not None:
                log.info(
                    "admin %s revoked the role %s at institution %s from account %s",
                    by.id,
                    role.value,
                    institution.id,
                    user.id,
                )
    session.flush()
