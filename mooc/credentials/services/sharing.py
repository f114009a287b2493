"""Share links: a learner lets someone verify one record through an unguessable link that
expires and can be revoked. Only the token's SHA-256 is stored, so a database copy opens none;
finding the link a token opens is `queries.shared_record`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.credentials.models import IssuedCredential, ShareLink
from mooc.credentials.queries import token_hash
from mooc.db import utcnow
from mooc.errors import Invalid, NotFound

EXPIRY_DAYS = (7, 30, 90, 365)
TOKEN_BYTES = 32


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
