"""Writing and reading a university's append-only log of transfer changes and decisions (the
shape: `mooc.audit`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mooc.audit import page_of_entries, record_entry
from mooc.audit import record_edit as shared_record_edit
from mooc.pagination import Page
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
    return record_entry(
        session,
        TransferAuditEntry,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        details=details,
        institution_id=institution_id,
    )


def record_edit(session: Session, *, institution_id: int, **edit: Any) -> TransferAuditEntry | None:
    """An edit of a university's setup, kept only when it changed something: the arguments of
    `mooc.audit.record_edit` (actor_id, object_type, object_id, summary, before, after, revise)."""
    return shared_record_edit(session, TransferAuditEntry, institution_id=institution_id, **edit)


def entries(
    session: Session, institution_id: int, *, page: int = 1, per_page: int = 50
) -> Page[TransferAuditEntry]:
    return page_of_entries(
        session,
        TransferAuditEntry,
        TransferAuditEntry.institution_id == institution_id,
        page=page,
        per_page=per_page,
    )


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
