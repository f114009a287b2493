"""Finding records: a learner's own (never anyone else's), and the administrators' search."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import User
from mooc.credentials.models import CredentialKind, IssuedCredential, RevocationEntry
from mooc.errors import NotFound

ADMIN_PAGE = 50


def my_records(session: Session, user_id: int) -> Sequence[IssuedCredential]:
    return session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.user_id == user_id)
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
            IssuedCredential.uuid == record_uuid, IssuedCredential.user_id == user_id
        )
    )
    if found is None:
        raise NotFound(_("There is no such record."))
    return found


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
