"""Institution API tokens: creating one (its secret shown once), revoking, authenticating.

A token reads `mooc_<public id>_<secret>`. The database keeps HMAC-SHA256(pepper, token), not
argon2: the secret is 256 random bits, so a slow hash adds nothing against guessing, while it
would cost every API call tens of milliseconds; the pepper (a setting, never in the database)
means a copy of the database alone cannot even confirm a token. The public id finds the row, and
the digests are compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.api.models import ApiScope, ApiToken
from mooc.errors import Conflict, DomainError, Invalid

# Lets people and secret scanners recognise a leaked token.
IDENTIFYING_PREFIX = "mooc_"
_TOKEN = re.compile(r"^mooc_(?P<public_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
# Compared against when no row matches, so an unknown id costs what a wrong secret costs.
_NO_MATCH = "0" * 64
# last_used_at is for people ("used today"): write it at most once a minute per token.
USE_RESOLUTION = dt.timedelta(minutes=1)
MAX_NAME = 100


class InvalidToken(DomainError):
    """No usable token: malformed, unknown, wrong secret, revoked, expired, or its maker lost
    the role (401)."""

    status = 401
    title = "Unauthorized"


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its plaintext, which exists only here: show it once, never store it."""

    token: ApiToken
    plaintext: str


def token_digest(plaintext: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), plaintext.encode(), hashlib.sha256).hexdigest()


def create_token(
    session: Session,
    *,
    institution: Institution,
    name: str,
    scopes: Collection[ApiScope],
    created_by: User,
    pepper: str,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """A token for `institution`'s systems. Raises `Invalid` (no name, no scope, expiry in the
    past) and `Conflict` when tokens are turned off (no pepper)."""
    if not pepper:
        raise Conflict(_("API tokens are turned off on this server (MOOC_API_TOKEN_PEPPER)."))
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(_("Give the token a name of at most %(n)d characters.", n=MAX_NAME))
    if not scopes:
        raise Invalid(_("Choose at least one permission."))
    if expires_at is not None and expires_at <= now:
        raise Invalid(_("The expiry date must be in the future."))
    public_id = secrets.token_hex(6)
    plaintext = f"{IDENTIFYING_PREFIX}{public_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        public_id=public_id,
        secret_hash=token_digest(plaintext, pepper),
        institution=institution,
        name=name,
        scopes=" ".join(sorted({ApiScope(scope).value for scope in scopes})),
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token, plaintext)


def revoke_token(session: Session, token: ApiToken, *, by: User, now: dt.datetime) -> bool:
    """Revoke `token` for good; False when it was revoked already (the first revocation stays)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    token.revoked_by_id = by.id
    session.flush()
    return True


def authenticate(session: Session, presented: str, *, pepper: str, now: dt.datetime) -> ApiToken:
    """The usable token `presented` is. Raises `InvalidToken` otherwise; the reasons given
    (revoked, expired) are only told to someone who holds the right secret."""
    match = _TOKEN.match(presented) if pepper else None
    token = (
        session.scalar(select(ApiToken).where(ApiToken.public_id == match["public_id"]))
        if match
        else None
    )
    expected = token.secret_hash if token is not None else _NO_MATCH
    if not hmac.compare_digest(token_digest(presented, pepper), expected) or token is None:
        raise InvalidToken(_("The API token is not valid."))
    if token.revoked_at is not None:
        raise InvalidToken(_("The API token has been revoked."))
    if token.expires_at is not None and now >= token.expires_at:
        raise InvalidToken(_("The API token has expired."))
    if token.maker_lost_role:
        raise InvalidToken(
            _(
                "The API token has ended: the person who made it no longer manages the "
                "institution's tokens. Ask its staff for a new one."
            )
        )
    return token


def record_use(session: Session, token: ApiToken, now: dt.datetime) -> bool:
    """Note that `token` was used; True when that changed the row (the caller commits)."""
    if token.last_used_at is not None and now - token.last_used_at < USE_RESOLUTION:
        return False
    token.last_used_at = now
    session.flush()
    return True
