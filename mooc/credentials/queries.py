"""Finding records: a learner's own (never anyone else's), the one a share link opens, and the
administrators' search."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import User
from mooc.credentials.models import (
    CredentialKind,
    IssuedCredential,
    RevocationEntry,
    ShareLink,
    WalletExchange,
)
from mooc.db import utcnow
from mooc.errors import Gone, NotFound

ADMIN_PAGE = 50


def my_records(session: Session, user_id: int) -> Sequence[IssuedCredential]:
    """The learner's records (not the copies issued to their wallets: those are the record's)."""
    return session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.user_id == user_id, IssuedCredential.copy_of_id.is_(None))
        .options(joinedload(IssuedCredential.institution))
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
    ).all()


def my_course_records(session: Session, user_id: int) -> Sequence[IssuedCredential]:
    """The learner's course records that a transcript may gather (not revoked)."""
    return [
        record
        for record in my_records(session, user_id)
        if record.kind == CredentialKind.ACHIEVEMENT and not record.is_revoked
    ]


def my_record(session: Session, user_id: int, record_uuid: str) -> IssuedCredential:
    """One of the learner's records; someone else's is as unknown as a missing one."""
    found = session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.uuid == record_uuid,
            IssuedCredential.user_id == user_id,
            IssuedCredential.copy_of_id.is_(None),
        )
    )
    if found is None:
        raise NotFound(_("There is no such record."))
    return found


def wallet_copies(session: Session, record: IssuedCredential) -> Sequence[WalletExchange]:
    """The completed wallet exchanges of `record` (each with its copy), newest first."""
    return session.scalars(
        select(WalletExchange)
        .where(WalletExchange.credential_id == record.id, WalletExchange.copy_id.is_not(None))
        .options(joinedload(WalletExchange.copy))
        .order_by(WalletExchange.completed_at.desc(), WalletExchange.id.desc())
    ).all()


def copies_of(session: Session, record: IssuedCredential) -> Sequence[IssuedCredential]:
    """The live copies of `record` issued to its holder's wallets (revoked and suspended with
    it)."""
    return session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.copy_of_id == record.id, IssuedCredential.revoked_at.is_(None))
        .order_by(IssuedCredential.id)
    ).all()


def record_by_uuid(session: Session, record_uuid: str) -> IssuedCredential:
    found = session.scalar(select(IssuedCredential).where(IssuedCredential.uuid == record_uuid))
    if found is None:
        raise NotFound(_("There is no such record."))
    return found


def search_records(session: Session, query: str = "") -> Sequence[IssuedCredential]:
    """The newest records, or those whose id, name or holder's login contains `query`."""
    statement = (
        select(IssuedCredential)
        .join(User, User.id == IssuedCredential.user_id)
        .options(joinedload(IssuedCredential.user), joinedload(IssuedCredential.institution))
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
        .limit(ADMIN_PAGE)
    )
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                IssuedCredential.uuid.ilike(like),
                IssuedCredential.name.ilike(like),
                User.email.ilike(like),
                User.username.ilike(like),
            )
        )
    return session.scalars(statement).all()


def revocations(session: Session, credential_id: int) -> Sequence[RevocationEntry]:
    return session.scalars(
        select(RevocationEntry)
        .where(RevocationEntry.credential_id == credential_id)
        .order_by(RevocationEntry.created_at)
    ).all()


def share_links(session: Session, credential_id: int) -> Sequence[ShareLink]:
    return session.scalars(
        select(ShareLink)
        .where(ShareLink.credential_id == credential_id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    ).all()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_active(link: ShareLink, now: dt.datetime | None = None) -> bool:
    return link.revoked_at is None and link.expires_at > (now or utcnow())


def shared_record(session: Session, token: str) -> ShareLink:
    """The link a token opens. Raises `NotFound` for an unknown token, `Gone` for one that
    expired or was revoked."""
    if not token or len(token) > 100:
        raise NotFound(_("There is no such link. Check that it was copied whole."))
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None:
        raise NotFound(_("There is no such link. Check that it was copied whole."))
    if not is_active(link):
        raise Gone(_("This link has expired or was withdrawn by the holder of the record."))
    return link


def revoked_by_id(session: Session, credential_id: str) -> IssuedCredential | None:
    """The platform's revoked record whose document has this `id` (`urn:uuid:…`), or None."""
    uuid = credential_id.removeprefix("urn:uuid:")
    if uuid == credential_id or len(uuid) != 36:
        return None
    return session.scalar(
        select(IssuedCredential)
        .where(IssuedCredential.uuid == uuid, IssuedCredential.revoked_at.is_not(None))
        .options(joinedload(IssuedCredential.institution))
    )
