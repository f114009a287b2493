"""Share links: a learner lets someone verify one record through an unguessable link that
expires and can be revoked. Only the token's SHA-256 is stored, so a database copy opens none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.credentials.models import IssuedCredential, ShareLink
from mooc.db import utcnow
from mooc.errors import DomainError, Invalid, NotFound

EXPIRY_DAYS = (7, 30, 90, 365)
TOKEN_BYTES = 32


class LinkGone(DomainError):
    """A share link that existed but expired or was revoked (410)."""

    status = 410
    title = "Gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share_link(
    session: Session, credential: IssuedCredential, *, days: int, label: str = ""
) -> tuple[ShareLink, str]:
    """A new link to `credential` valid `days` days; the token is returned once, never stored.

    Raises `Invalid` for an expiry that is not offered.
    """
    if days not in EXPIRY_DAYS:
        raise Invalid(_("Choose how long the link stays valid."), field="days")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(
        credential_id=credential.id,
        token_hash=token_hash(token),
        label=" ".join(label.split())[:120],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return link, token


def share_links(session: Session, credential_id: int) -> Sequence[ShareLink]:
    return session.scalars(
        select(ShareLink)
        .where(ShareLink.credential_id == credential_id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    ).all()


def revoke_share_link(session: Session, credential: IssuedCredential, link_id: int) -> ShareLink:
    """Stop a link of `credential` from working; a link of another record is not found."""
    link = session.scalar(
        select(ShareLink).where(ShareLink.id == link_id, ShareLink.credential_id == credential.id)
    )
    if link is None:
        raise NotFound(_("There is no such share link."))
    if link.revoked_at is None:
        link.revoked_at = utcnow()
    return link


def is_active(link: ShareLink, now: dt.datetime | None = None) -> bool:
    return link.revoked_at is None and link.expires_at > (now or utcnow())


def shared_record(session: Session, token: str) -> ShareLink:
    """The link a token opens. Raises `NotFound` for an unknown token, `LinkGone` for one that
    expired or was revoked."""
    if not token or len(token) > 100:
        raise NotFound(_("There is no such link. Check that it was copied whole."))
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None:
        raise NotFound(_("There is no such link. Check that it was copied whole."))
    if not is_active(link):
        raise LinkGone(_("This link has expired or was withdrawn by the holder of the record."))
    return link
