"""Writing and reading a university's append-only log of transfer changes and decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mooc.pagination import Page, paginate
from mooc.transfer.models import TransferAuditEntry


def record(
    session: Session,
    *,
    institution_id: int,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str,
    details: dict[str, Any] | None = None,
) -> TransferAuditEntry:
    entry = TransferAuditEntry(
        institution_id=institution_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        details=details or {},
    )
    session.add(entry)
    return entry


def entries(
    session: Session, institution_id: int, *, page: int = 1, per_page: int = 50
) -> Page[TransferAuditEntry]:
    statement = select(TransferAuditEntry).where(
        TransferAuditEntry.institution_id == institution_id
    )
    ordered = statement.options(joinedload(TransferAuditEntry.actor)).order_by(
        TransferAuditEntry.created_at.desc(), TransferAuditEntry.id.desc()
    )
    return paginate(session, ordered, page=page, per_page=per_page)


def entries_about(
    session: Session, institution_id: int, object_type: str, object_id: int
) -> Sequence[TransferAuditEntry]:
    return session.scalars(
        select(TransferAuditEntry)
        .where(
            TransferAuditEntry.institution_id == institution_id,
            TransferAuditEntry.object_type == object_type,
            TransferAuditEntry.object_id == object_id,
        )
        .options(joinedload(TransferAuditEntry.actor))
        .order_by(TransferAuditEntry.id)
    ).all()
