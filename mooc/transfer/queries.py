"""Reading transfer data: a university's queue and its recognised credits by period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mooc.transfer.models import Decision, ItemState, RequestItem
from mooc.transfer.revocations import flagged_items

QUEUE_VIEWS = ("pending", "flagged", "decided")
DECIDED = (ItemState.ACCEPTED, ItemState.ADJUSTED, ItemState.REJECTED)
DECIDED_PAGE = 200


def queue(session: Session, university_id: int, show: str = "pending") -> Sequence[RequestItem]:
    """Items waiting for a decision (oldest first), decided ones (newest first), or recognised
    ones whose source record was revoked since."""
    if show == "flagged":
        return flagged_items(session, university_id)
    states = (ItemState.PENDING,) if show == "pending" else DECIDED
    statement = (
        select(RequestItem)
        .where(RequestItem.institution_id == university_id, RequestItem.state.in_(states))
        .options(
            joinedload(RequestItem.student),
            joinedload(RequestItem.request),
            selectinload(RequestItem.decisions),
        )
    )
    if show == "pending":
        return session.scalars(statement.order_by(RequestItem.created_at, RequestItem.id)).all()
    return session.scalars(statement.order_by(RequestItem.id.desc()).limit(DECIDED_PAGE)).all()


def queue_counts(session: Session, university_id: int) -> dict[str, int]:
    rows = session.execute(
        select(RequestItem.state, func.count())
        .where(RequestItem.institution_id == university_id)
        .group_by(RequestItem.state)
    ).all()
    by_state: dict[ItemState, int] = {row[0]: row[1] for row in rows}
    return {
        "pending": by_state.get(ItemState.PENDING, 0),
        "decided": sum(by_state.get(state, 0) for state in DECIDED),
        "flagged": len(flagged_items(session, university_id)),
    }


@dataclass(frozen=True)
class RecognisedCredit:
    """One course recognised for a student by the item's current decision."""

    item: RequestItem
    decision: Decision


def recognised_credits(
    session: Session,
    university_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[RecognisedCredit]:
    """Current recognising decisions made between `start` and `end` (inclusive, UTC dates),
    by student, then date."""
    items = session.scalars(
        select(RequestItem)
        .where(
            RequestItem.institution_id == university_id,
            RequestItem.state.in_((ItemState.ACCEPTED, ItemState.ADJUSTED)),
        )
        .options(
            joinedload(RequestItem.student),
            selectinload(RequestItem.decisions).joinedload(Decision.decided_by),
            selectinload(RequestItem.decisions).joinedload(Decision.rule_version),
            selectinload(RequestItem.decisions).joinedload(Decision.credential),
        )
    ).all()
    rows = []
    for item in items:
        decision = item.latest_decision
        if decision is None or not decision.outcome.recognises:
            continue
        day = decision.created_at.astimezone(dt.UTC).date()
        if (start is None or start <= day) and (end is None or day <= end):
            rows.append(RecognisedCredit(item, decision))
    rows.sort(
        key=lambda row: (row.item.student.login_name, row.decision.created_at, row.decision.id)
    )
    return rows


def student_totals(rows: Sequence[RecognisedCredit]) -> list[tuple[str, str, int, Decimal]]:
    """(email, name, courses, credits) per student, from `recognised_credits` rows."""
    totals: dict[str, tuple[str, str, int, Decimal]] = {}
    for row in rows:
        login = row.item.student.login_name
        email, name, courses, credits = totals.get(
            login, (login, row.item.student.name, 0, Decimal(0))
        )
        totals[email] = (email, name, courses + 1, credits + row.decision.credits)
    return [totals[email] for email in sorted(totals)]
