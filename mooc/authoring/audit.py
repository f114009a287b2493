"""Writing and reading the append-only audit log of authoring changes (the shape: `mooc.audit`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mooc.audit import page_of_entries, record_entry
from mooc.audit import record_edit as shared_record_edit
from mooc.authoring.models import AuditEntry
from mooc.pagination import Page


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
    return record_entry(
        session,
        AuditEntry,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        course_id=course_id,
        before_hash=state_hash(before),
        after_hash=state_hash(after),
    )


def record_edit(
    session: Session,
    *,
    course_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    **edit: Any,
) -> AuditEntry | None:
    """An edit of a course's object, kept only when it changed something, with the hashes of
    both states: the other arguments are `mooc.audit.record_edit`'s (actor_id, object_type,
    object_id, summary, revise)."""
    return shared_record_edit(
        session,
        AuditEntry,
        before=before,
        after=after,
        course_id=course_id,
        before_hash=state_hash(before),
        after_hash=state_hash(after),
        **edit,
    )


@dataclass(frozen=True)
class AuditFilter:
    course_id: int | None = None
    actor_id: int | None = None
    action: str | None = None


def entries(
    session: Session, flt: AuditFilter, *, page: int = 1, per_page: int = 50
) -> Page[AuditEntry]:
    conditions = []
    if flt.course_id is not None:
        conditions.append(AuditEntry.course_id == flt.course_id)
    if flt.actor_id is not None:
        conditions.append(AuditEntry.actor_id == flt.actor_id)
    if flt.action:
        conditions.append(AuditEntry.action == flt.action)
    return page_of_entries(session, AuditEntry, *conditions, page=page, per_page=per_page)
