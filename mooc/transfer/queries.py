"""Reading transfer data: a university's queue, agreements, rules and trusted issuers, its
recognised credits by period; a student's requests and what they already have recognised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from mooc.accounts.models import Institution, InstitutionKind, User
from mooc.credentials.models import IssuedCredential
from mooc.errors import NotFound
from mooc.pagination import Page, paginate_rows
from mooc.transfer.models import (
    Agreement,
    Decision,
    ItemState,
    Outcome,
    RecognitionRule,
    RequestItem,
    TransferRequest,
    TrustedIssuer,
)

QUEUE_VIEWS = ("pending", "flagged", "decided")
DECIDED = (ItemState.ACCEPTED, ItemState.ADJUSTED, ItemState.REJECTED)
QUEUE_PAGE = 25


@dataclass(frozen=True)
class QueueRow:
    """An item as the queue's table shows it: read as plain columns (no entities, no signed
    document, no decisions), since a page of the queue only shows them."""

    id: int
    name: str
    issuer_name: str
    issuer_did: str
    student_name: str
    student_login: str  # as `User.login_name`
    verified: bool
    source_revoked_at: dt.datetime | None
    proposal_recognised: bool
    proposal_course_code: str | None
    proposal_credits: Decimal
    state: ItemState


# What the queue's table shows of an item and its student.
_QUEUE_COLUMNS: tuple[Any, ...] = (
    RequestItem.id,
    RequestItem.name,
    RequestItem.issuer_name,
    RequestItem.issuer_did,
    User.name.label("student_name"),
    User.email.label("student_email"),
    User.username.label("student_username"),
    RequestItem.verified,
    RequestItem.source_revoked_at,
    RequestItem.proposal_recognised,
    RequestItem.proposal_course_code,
    RequestItem.proposal_credits,
    RequestItem.state,
)


def queue(
    session: Session,
    university_id: int,
    show: str = "pending",
    *,
    page: int = 1,
    per_page: int = QUEUE_PAGE,
    total: int,
) -> Page[QueueRow]:
    """A page of the items waiting for a decision (oldest first), of the decided ones (newest
    first), or of recognised ones whose source record was revoked since (latest revoked first),
    of which there are `total` (`queue_counts`); paged in the database, in one statement."""
    items: Select[RequestItem]
    if show == "flagged":
        items = _flagged(university_id).order_by(
            RequestItem.source_revoked_at.desc(), RequestItem.id.desc()
        )
    elif show == "pending":
        items = _in_states(university_id, (ItemState.PENDING,)).order_by(
            RequestItem.created_at, RequestItem.id
        )
    else:
        items = _in_states(university_id, DECIDED).order_by(RequestItem.id.desc())
    statement = items.with_only_columns(*_QUEUE_COLUMNS, maintain_column_froms=True).join(
        User, User.id == RequestItem.student_id
    )
    found = paginate_rows(session, statement, page=page, per_page=per_page, total=total)
    return Page(
        items=[
            QueueRow(
                id=row.id,
                name=row.name,
                issuer_name=row.issuer_name,
                issuer_did=row.issuer_did,
                student_name=row.student_name,
                student_login=row.student_email or row.student_username or "",
                verified=row.verified,
                source_revoked_at=row.source_revoked_at,
                proposal_recognised=row.proposal_recognised,
                proposal_course_code=row.proposal_course_code,
                proposal_credits=row.proposal_credits,
                state=row.state,
            )
            for row in found.items
        ],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


def _in_states(university_id: int, states: Sequence[ItemState]) -> Select[RequestItem]:
    return select(RequestItem).where(
        RequestItem.institution_id == university_id, RequestItem.state.in_(states)
    )


def queue_counts(session: Session, university_id: int) -> dict[str, int]:
    """How many items each view of the queue holds, in one statement."""
    flagged = (
        _flagged(university_id)
        .with_only_columns(func.count(RequestItem.id))
        .correlate(None)  # counted apart from the items of the outer statement
        .scalar_subquery()
    )
    pending, decided, flagged_count = session.execute(
        select(
            func.sum(case((RequestItem.state == ItemState.PENDING, 1), else_=0)),
            func.sum(case((RequestItem.state.in_(DECIDED), 1), else_=0)),
            flagged,
        ).where(RequestItem.institution_id == university_id)
    ).one()
    return {
        "pending": int(pending or 0),
        "decided": int(decided or 0),
        "flagged": int(flagged_count or 0),
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


def agreements(session: Session, university_id: int) -> Sequence[Agreement]:
    return session.scalars(
        select(Agreement)
        .where(Agreement.institution_id == university_id)
        .options(selectinload(Agreement.rules).selectinload(RecognitionRule.versions))
        .order_by(Agreement.id)
    ).all()


def agreement_of(session: Session, university: Institution, agreement_id: int) -> Agreement:
    found = session.get(Agreement, agreement_id)
    if found is None or found.institution_id != university.id:
        raise NotFound(_("There is no such agreement."))
    return found


def rule_of(session: Session, university: Institution, rule_id: int) -> RecognitionRule:
    found = session.get(RecognitionRule, rule_id)
    if found is None or found.institution_id != university.id:
        raise NotFound(_("There is no such rule."))
    return found


def live_issuers(session: Session, university_id: int) -> Sequence[TrustedIssuer]:
    return session.scalars(
        select(TrustedIssuer)
        .where(TrustedIssuer.institution_id == university_id, TrustedIssuer.removed_at.is_(None))
        .order_by(TrustedIssuer.name, TrustedIssuer.id)
    ).all()


def partner_universities(session: Session) -> Sequence[Institution]:
    """Universities that recognise records: those with at least one agreement."""
    return session.scalars(
        select(Institution)
        .where(
            Institution.kind == InstitutionKind.UNIVERSITY,
            exists().where(Agreement.institution_id == Institution.id),
        )
        .order_by(Institution.name)
    ).all()


def my_requests(session: Session, student_id: int) -> Sequence[TransferRequest]:
    return session.scalars(
        select(TransferRequest)
        .where(TransferRequest.student_id == student_id)
        .options(
            selectinload(TransferRequest.items).selectinload(RequestItem.decisions),
            selectinload(TransferRequest.institution),
        )
        .order_by(TransferRequest.created_at.desc(), TransferRequest.id.desc())
    ).all()


def my_request(session: Session, student_id: int, request_id: int) -> TransferRequest:
    """One of the student's requests; someone else's is as unknown as a missing one."""
    found = session.get(TransferRequest, request_id)
    if found is None or found.student_id != student_id:
        raise NotFound(_("There is no such request."))
    return found


def item_of(session: Session, university: Institution, item_id: int) -> RequestItem:
    """An item sent to `university`; another university's is as unknown as a missing one."""
    found = session.get(RequestItem, item_id)
    if found is None or found.institution_id != university.id:
        raise NotFound(_("There is no such request item."))
    return found


def flagged_items(session: Session, university_id: int) -> list[RequestItem]:
    """Recognising decisions made before their source record was revoked."""
    statement = _flagged(university_id).order_by(RequestItem.source_revoked_at.desc())
    return list(session.scalars(statement.options(selectinload(RequestItem.decisions))))


def _flagged(university_id: int) -> Select[RequestItem]:
    """Items `RequestItem.needs_review` holds for, as SQL: recognised by their latest decision,
    which was made before the source record was revoked and not confirmed since."""
    latest = aliased(Decision)
    latest_id: ColumnElement[int] = (
        select(func.max(Decision.id))
        .where(Decision.item_id == RequestItem.id)
        .correlate(RequestItem)
        .scalar_subquery()
    )
    return (
        select(RequestItem)
        .join(latest, latest.id == latest_id)
        .outerjoin(IssuedCredential, IssuedCredential.id == latest.credential_id)
        .where(
            RequestItem.institution_id == university_id,
            RequestItem.source_revoked_at.is_not(None),
            RequestItem.state.in_((ItemState.ACCEPTED, ItemState.ADJUSTED)),
            latest.outcome != Outcome.REJECTED,
            latest.created_at < RequestItem.source_revoked_at,
            or_(
                IssuedCredential.suspension_lifted_at.is_(None),
                IssuedCredential.suspension_lifted_at < RequestItem.source_revoked_at,
            ),
        )
    )


@dataclass(frozen=True)
class Tallies:
    """What a student already has recognised at a university (for caps and repeats)."""

    credits: dict[int, Decimal] = field(default_factory=dict)  # by agreement id
    courses: frozenset[str] = frozenset()


def student_tallies(
    session: Session, university_id: int, student_id: int, *, exclude_item_id: int | None = None
) -> Tallies:
    """Credits and courses recognised by the current (latest) decisions on the student's items."""
    items = session.scalars(
        select(RequestItem)
        .where(
            RequestItem.institution_id == university_id,
            RequestItem.student_id == student_id,
            RequestItem.state.in_((ItemState.ACCEPTED, ItemState.ADJUSTED)),
        )
        .options(selectinload(RequestItem.decisions))
    ).all()
    credits: dict[int, Decimal] = {}
    courses: set[str] = set()
    for item in items:
        decision = item.latest_decision
        if item.id == exclude_item_id or decision is None or not decision.outcome.recognises:
            continue
        if decision.agreement_id is not None:
            credits[decision.agreement_id] = (
                credits.get(decision.agreement_id, Decimal(0)) + decision.credits
            )
        if decision.local_course_code:
            courses.add(decision.local_course_code)
    return Tallies(credits, frozenset(courses))
