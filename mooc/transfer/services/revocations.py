"""After recognition: when a source record is revoked, the decisions that relied on it are
flagged in the university's queue until someone decides again, or confirms the recognition (the
platform suspended its record when the source was revoked: confirming lifts the suspension).

Two ways to notice: the platform's own records are looked up in the database (cheap, done on
every queue view); `flask transfer recheck` verifies every live item's record again, which also
catches records of other platforms whose status lists say revoked.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import Institution, User
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.services.revoking import (
    lift_suspension,
    refuse_revoked,
    suspend_record,
)
from mooc.db import utcnow
from mooc.errors import Conflict, NotFound
from mooc.transfer import audit
from mooc.transfer.models import ItemState, RequestItem
from mooc.transfer.services.evaluation import (
    RecordVerifier,
    checks_of,
    evaluate_record,
    store_proposal,
)

LIVE = (ItemState.PENDING, ItemState.ACCEPTED, ItemState.ADJUSTED)


def _flag(session: Session, item: RequestItem, at: dt.datetime, how: str) -> None:
    item.source_revoked_at = at
    audit.record(
        session,
        institution_id=item.institution_id,
        actor_id=None,
        action="flag",
        object_type="item",
        object_id=item.id,
        summary=f"item {item.id} ({item.name}): the source record is revoked ({how})",
        details={"source": item.source_id},
    )


def flag_revoked_platform_records(
    session: Session, university_id: int | None = None
) -> list[RequestItem]:
    """Flag live items whose platform record has been revoked; returns the newly flagged."""
    statement = (
        select(RequestItem, IssuedCredential.revoked_at)
        .join(IssuedCredential, IssuedCredential.id == RequestItem.credential_id)
        .where(
            IssuedCredential.revoked_at.is_not(None),
            RequestItem.source_revoked_at.is_(None),
            RequestItem.state.in_(LIVE),
        )
    )
    if university_id is not None:
        statement = statement.where(RequestItem.institution_id == university_id)
    flagged = []
    for item, revoked_at in session.execute(statement).all():
        _flag(session, item, revoked_at or utcnow(), "the platform revoked it")
        flagged.append(item)
    session.flush()
    return flagged


@dataclass(frozen=True)
class RecheckResult:
    checked: int
    flagged: tuple[RequestItem, ...]


def recheck_all(
    session: Session,
    universities: Sequence[Institution],
    *,
    verifier: RecordVerifier,
    base_url: str,
    today: dt.date,
    context: IssuingContext | None = None,
) -> RecheckResult:
    """Verify every live item's record again: flag revoked sources (and, with `context`, suspend
    the recognition records resting on another platform's record found revoked); refresh the
    proposals of items still waiting for a decision."""
    flagged = list(flag_revoked_platform_records(session))
    checked = 0
    for university in universities:
        items = session.scalars(
            select(RequestItem)
            .where(RequestItem.institution_id == university.id, RequestItem.state.in_(LIVE))
            .options(joinedload(RequestItem.request))
            .order_by(RequestItem.id)
        ).all()
        for item in items:
            checked += 1
            if item.state == ItemState.PENDING:
                evaluation = evaluate_record(
                    session,
                    university,
                    item.document,
                    verifier=verifier,
                    base_url=base_url,
                    today=today,
                    student_id=item.student_id,
                    exclude_item_id=item.id,
                )[0]
                store_proposal(item, evaluation, utcnow())
                revoked = evaluation.facts.revoked
            else:
                checks = checks_of(verifier.verify(json.loads(item.document)))
                revoked = any(c.id == "status" and c.status == "failed" for c in checks)
            if revoked and item.source_revoked_at is None:
                _flag(session, item, utcnow(), "its status list says revoked")
                flagged.append(item)
                _suspend_recognition(session, item, context)
    session.flush()
    return RecheckResult(checked, tuple(flagged))


def _suspend_recognition(
    session: Session, item: RequestItem, context: IssuingContext | None
) -> None:
    """Suspend the standing recognition record of `item`, whose source another platform
    revoked (the platform's own revocations suspend it at once, in `revoke_record`)."""
    decision = item.latest_decision
    if context is None or decision is None or decision.credential is None:
        return
    suspend_record(
        session,
        decision.credential,
        source_name=item.name,
        source_id=item.source_id,
        context=context,
    )


def confirm_recognition(
    session: Session,
    staff: User,
    university: Institution,
    item: RequestItem,
    context: IssuingContext,
) -> IssuedCredential:
    """Keep a recognition whose source record was revoked: its suspended record is in force
    again. (Revoking it instead is a new decision: reject or adjust.) Raises `NotFound` for
    another university's item, `Conflict` when its record is not suspended (or was revoked)."""
    if item.institution_id != university.id:
        raise NotFound(_("There is no such request item."))
    decision = item.latest_decision
    if decision is not None and decision.credential is not None:
        refuse_revoked(decision.credential)  # revoked for good: never lifted
    record = item.suspended_record
    if record is None:
        raise Conflict(_("The recognition record is not suspended."))
    lift_suspension(session, record, context)
    audit.record(
        session,
        institution_id=university.id,
        actor_id=staff.id,
        action="confirm",
        object_type="item",
        object_id=item.id,
        summary=(
            f"item {item.id} ({item.name}): recognition confirmed after the source record was "
            f"revoked; its record's suspension is lifted"
        ),
        details={"record": record.uuid},
    )
    return record
