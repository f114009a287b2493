"""Password recovery: single-use links, valid one hour, of which only a hash is stored.

Services flush and never commit; the caller owns the transaction and sends the mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from mooc.accounts.models import PasswordReset, User
from mooc.accounts.passwords import hash_password
from mooc.accounts.services import check_password, end_sessions, normalize_email
from mooc.db import utcnow
from mooc.errors import Conflict, NotFound

LIFETIME = dt.timedelta(hours=1)


def token_hash(token: str) -> str:
    """What the database keeps of a link's token: a 256-bit random token needs no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ResetLink:
    """A link just made: the token exists only here and in the message sent."""

    user: User
    token: str


def start_reset(session: Session, user: User, *, sent_by: User | None = None) -> ResetLink:
    """A new reset link for `user` (earlier unused links stay valid until they expire).

    Raises `Conflict` when the account is disabled.
    """
    if not user.is_active:
        raise Conflict(_("This account is disabled; enable it first."))
    if user.email is None:
        raise Conflict(
            _("This account has no email address; give it a new one-time password instead.")
        )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordReset(
            user=user,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LIFETIME,
            sent_by_id=sent_by.id if sent_by else None,
        )
    )
    session.flush()
    return ResetLink(user, token)


def request_reset(session: Session, email: str) -> ResetLink | None:
    """A reset link for the active account with `email`, or None (the caller answers alike)."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.is_active:
        return None
    return start_reset(session, user)


def usable_reset(session: Session, token: str) -> PasswordReset:
    """The reset `token` names, if it can still be used.

    Raises `NotFound` for an unknown token (or a disabled account), `Conflict` for one used or
    expired.
    """
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token[:200]))
    )
    if reset is None or not reset.user.is_active:
        raise NotFound(_("This password reset link is not valid. Ask for a new one."))
    if reset.used_at is not None:
        raise Conflict(_("This password reset link has already been used. Ask for a new one."))
    if reset.expires_at <= utcnow():
        raise Conflict(_("This password reset link has expired. Ask for a new one."))
    return reset


def complete_reset(session: Session, token: str, new_password: str) -> User:
    """Set the password through `token`, use the link up and end every session of the account.

    Raises what `usable_reset` raises, and `Invalid` for a weak password (nothing changes).
    """
    reset = usable_reset(session, token)
    check_password(new_password, field="new_password")
    now = utcnow()
    # Only one of two simultaneous uses of the same link wins: the update is conditional.
    won = cast(
        CursorResult[Any],
        session.execute(
            update(PasswordReset)
            .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if won != 1:
        raise Conflict(_("This password reset link has already been used. Ask for a new one."))
    # The other links sent before stop working too: the password they were for is gone.
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(reset)
    user = reset.user
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    session.flush()
    return user
