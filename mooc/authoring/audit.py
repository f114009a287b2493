"""Writing and reading the append-only audit log of authoring changes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mooc.authoring.models import AuditEntry
from mooc.pagination import Page, paginate


def state_hash(state: dict[str, Any] | None) -> str | None:
    """A stable fingerprint of an object's state (sorted JSON), so changes can be compared."""
    if state is None:
        return None
    encoded = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    course_id: int | None,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        course_id=course_id,
        summary=summary[:300],
        before_hash=state_hash(before),
        after_hash=state_hash(after),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    course_id: int | None = None
    actor_id: int | None = None
    action: str | None = None


def entries(
    session: Session, flt: AuditFilter, *, page: int = 1, per_page: int = 50
) -> Page[AuditEntry]:
    stmt = select(AuditEntry)
    if flt.course_id is not None:
        stmt = stmt.where(AuditEntry.course_id == flt.course_id)
    if flt.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == flt.actor_id)
    if flt.action:
        stmt = stmt.where(AuditEntry.action == flt.action)
    ordered = stmt.options(joinedload(AuditEntry.actor)).order_by(
        AuditEntry.created_at.desc(), AuditEntry.id.desc()
    )
    return paginate(session, ordered, page=page, per_page=per_page)
