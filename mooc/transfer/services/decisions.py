"""Deciding on request items: accept the proposal, adjust it (other credits or course, with a
comment), or reject. Decisions are only ever appended: a later one supersedes (and revokes the
recognition record of) the one before. A recognising decision issues a signed record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.catalog.core.credits import MAX_CREDITS
from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.services.revoking import revoke_record
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound
from mooc.notifications.kinds import TRANSFER_DECIDED
from mooc.notifications.links import path_for
from mooc.notifications.services import notify
from mooc.transfer import audit
from mooc.transfer.models import Agreement, Decision, ItemState, Outcome, RequestItem
from mooc.transfer.queries import student_tallies
from mooc.transfer.services.evaluation import (
    RecordEvaluation,
    RecordVerifier,
    evaluate_record,
    store_proposal,
)
from mooc.transfer.services.recognition import issue_recognition_record

MAX_COMMENT = 2000


class ProposalChanged(Conflict):
    """The proposal was re-evaluated and differs from the one the person saw."""


@dataclass(frozen=True)
class ProposalKey:
    """What a person accepts: the proposal as shown (so a changed one is not accepted blindly)."""

    credits: Decimal
    course_code: str | None
    rule_version_id: int | None

    @classmethod
    def of(cls, item: RequestItem) -> ProposalKey:
        return cls(item.proposal_credits, item.proposal_course_code, item.proposal_rule_version_id)


@dataclass(frozen=True)
class Adjustment:
    credits: Decimal | None
    course_code: str
    course_title: str


def reevaluate(
    session: Session,
    university: Institution,
    item: RequestItem,
    *,
    verifier: RecordVerifier,
    base_url: str,
    today: dt.date,
) -> RecordEvaluation:
    """Verify the item's record again and keep the fresh proposal; notes a revoked source."""
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
    now = utcnow()
    store_proposal(item, evaluation, now)
    if evaluation.facts.revoked and item.source_revoked_at is None:
        item.source_revoked_at = now
    session.flush()
    return evaluation


def _comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            _("The comment has more than %(n)d characters.", n=MAX_COMMENT), field="comment"
        )
    return comment


def _check_cap(
    session: Session, item: RequestItem, agreement_id: int | None, credits: Decimal
) -> None:
    agreement = session.get(Agreement, agreement_id) if agreement_id is not None else None
    if agreement is None or agreement.credit_cap is None:
        return
    tallies = student_tallies(
        session, item.institution_id, item.student_id, exclude_item_id=item.id
    )
    room = agreement.credit_cap - tallies.credits.get(agreement.id, Decimal(0))
    if credits > room:
        raise Invalid(
            _(
                "This exceeds the agreement's cap of %(cap)s credits: %(room)s are left.",
                cap=agreement.credit_cap,
                room=max(room, Decimal(0)),
            ),
            field="credits",
        )


def decide(
    session: Session,
    staff: User,
    university: Institution,
    item: RequestItem,
    *,
    outcome: Outcome,
    comment: str = "",
    adjustment: Adjustment | None = None,
    expected: ProposalKey | None = None,
    verifier: RecordVerifier,
    context: IssuingContext,
    today: dt.date,
) -> Decision:
    """Append a decision on `item`; a recognising one issues the signed recognition record.

    Accepting re-verifies the record and raises `ProposalChanged` when the fresh proposal does
    not recognise it or differs from `expected` (the fresh one is kept). Adjusting needs a
    comment, credits and our course, rejecting a reason the student reads (`Invalid`); accepting
    and adjusting refuse a record that is not authentic or
    is revoked (`Conflict`), a course already recognised for the student, or credits beyond
    the agreement's cap. Raises `Conflict` for a withdrawn item.
    """
    if item.institution_id != university.id:
        raise NotFound(_("There is no such request item."))
    lock_item(session, item)
    if item.state == ItemState.WITHDRAWN:
        raise Conflict(_("The student has withdrawn this request."))
    comment = _comment(comment)
    if outcome == Outcome.REJECTED and not comment:
        raise Invalid(_("Give the reason for not recognising the record."), field="comment")
    granted = (
        _granted(
            session,
            university,
            item,
            outcome,
            comment=comment,
            adjustment=adjustment,
            expected=expected,
            verifier=verifier,
            base_url=context.base_url,
            today=today,
        )
        if outcome.recognises
        else None
    )
    previous = item.latest_decision
    if previous is not None and _same(previous, outcome, granted, comment):
        return previous  # the same decision sent twice (a double click): recorded once
    decision = _append_decision(
        session, staff, university, item, outcome, comment=comment, granted=granted, context=context
    )
    if previous is not None:
        _revoke_superseded(session, staff, previous, decision, context)
    _notify_student(session, university, item, decision)
    _audit_decision(session, staff, university, item, decision)
    return decision


def _append_decision(
    session: Session,
    staff: User,
    university: Institution,
    item: RequestItem,
    outcome: Outcome,
    *,
    comment: str,
    granted: _Granted | None,
    context: IssuingContext,
) -> Decision:
    """Write the decision row (and, when it grants credits, the signed record it carries)."""
    # The signed record first: a decision row is written once, whole (rows are append-only).
    credential = (
        issue_recognition_record(
            session,
            context,
            university,
            item,
            course_code=granted.course_code,
            course_title=granted.course_title,
            credits=granted.credits,
        )
        if granted is not None
        else None
    )
    decision = Decision(
        item=item,
        institution_id=university.id,
        outcome=outcome,
        credits=granted.credits if granted else Decimal(0),
        local_course_code=granted.course_code if granted else None,
        local_course_title=granted.course_title if granted else None,
        rule_version_id=granted.rule_version_id if granted else None,
        agreement_id=granted.agreement_id if granted else None,
        comment=comment,
        decided_by_id=staff.id,
        credential=credential,
    )
    session.add(decision)
    item.state = ItemState(outcome.value)
    session.flush()
    return decision


def _revoke_superseded(
    session: Session,
    staff: User,
    previous: Decision,
    decision: Decision,
    context: IssuingContext,
) -> None:
    """Revoke the recognition record of the decision `decision` supersedes, if it still stands."""
    if previous.credential is not None and not previous.credential.is_revoked:
        revoke_record(
            session,
            previous.credential,
            reason=f"superseded by transfer decision {decision.id}",
            actor=staff,
            context=context,
        )


def _notify_student(
    session: Session, university: Institution, item: RequestItem, decision: Decision
) -> None:
    notify(
        session,
        [item.student_id],
        TRANSFER_DECIDED,
        {
            "university": university.name,
            "record": item.name,
            "recognised": decision.outcome.recognises,
            "course": " ".join(
                filter(None, (decision.local_course_code, decision.local_course_title))
            ),
            "credits": str(decision.credits),
        },
        path_for("transfer.student.request_page", request_id=item.request_id),
        event_key=f"transfer-decision:{decision.id}",
    )


def _audit_decision(
    session: Session, staff: User, university: Institution, item: RequestItem, decision: Decision
) -> None:
    outcome = decision.outcome
    audit.record(
        session,
        institution_id=university.id,
        actor_id=staff.id,
        action=outcome.value,
        object_type="item",
        object_id=item.id,
        summary=f"item {item.id} ({item.name}): {outcome.value}"
        + (
            f", {decision.local_course_code} for {decision.credits} credits"
            if outcome.recognises
            else ""
        ),
        details={
            "decision": decision.id,
            "rule_version": decision.rule_version_id,
            "credits": str(decision.credits),
            "comment": decision.comment,
        },
    )


def lock_item(session: Session, item: RequestItem) -> None:
    """Wait for whoever is deciding on or withdrawing the item, then read it afresh."""
    session.scalars(
        select(RequestItem)
        .where(RequestItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    session.expire(item, ["decisions"])


def _same(previous: Decision, outcome: Outcome, granted: _Granted | None, comment: str) -> bool:
    return (
        previous.outcome == outcome
        and previous.comment == comment
        and previous.credits == (granted.credits if granted else Decimal(0))
        and previous.local_course_code == (granted.course_code if granted else None)
        and previous.local_course_title == (granted.course_title if granted else None)
    )


@dataclass(frozen=True)
class _Granted:
    credits: Decimal
    course_code: str
    course_title: str
    agreement_id: int | None
    rule_version_id: int | None


def _granted(
    session: Session,
    university: Institution,
    item: RequestItem,
    outcome: Outcome,
    *,
    comment: str,
    adjustment: Adjustment | None,
    expected: ProposalKey | None,
    verifier: RecordVerifier,
    base_url: str,
    today: dt.date,
) -> _Granted:
    """What a recognising decision grants, after verifying the record again."""
    evaluation = reevaluate(
        session, university, item, verifier=verifier, base_url=base_url, today=today
    )
    if not evaluation.authentic:
        raise Conflict(_("The record did not pass verification, so it cannot be recognised."))
    if outcome == Outcome.ACCEPTED:
        if not item.proposal_recognised or item.proposal_course_code is None:
            raise ProposalChanged(
                _("The proposal does not recognise this record now: adjust or reject it.")
            )
        if expected is not None and expected != ProposalKey.of(item):
            raise ProposalChanged(
                _("The proposal changed since you opened it. Please review it again.")
            )
        granted = _Granted(
            item.proposal_credits,
            item.proposal_course_code,
            item.proposal_course_title or "",
            item.proposal_agreement_id,
            item.proposal_rule_version_id,
        )
    else:
        credits, code, title = _adjusted(adjustment, comment)
        granted = _Granted(
            credits, code, title, item.proposal_agreement_id, item.proposal_rule_version_id
        )
        _check_cap(session, item, granted.agreement_id, credits)
    tallies = student_tallies(
        session, item.institution_id, item.student_id, exclude_item_id=item.id
    )
    if granted.course_code in tallies.courses:
        raise Conflict(
            _("%(code)s is already recognised for this student.", code=granted.course_code)
        )
    return granted


def _adjusted(adjustment: Adjustment | None, comment: str) -> tuple[Decimal, str, str]:
    if not comment:
        raise Invalid(_("Say why you adjust the proposal."), field="comment")
    if adjustment is None or adjustment.credits is None:
        raise Invalid(_("Give the credits to recognise."), field="credits")
    if not 0 < adjustment.credits <= MAX_CREDITS:
        raise Invalid(
            _("The credits are more than 0 and at most %(max)s.", max=MAX_CREDITS), field="credits"
        )
    code = " ".join(adjustment.course_code.split()).upper()
    title = " ".join(adjustment.course_title.split())
    if not code or len(code) > 40:
        raise Invalid(_("Give our course code, e.g. IT1010."), field="course_code")
    if not title or len(title) > 200:
        raise Invalid(_("Give our course title."), field="course_title")
    return adjustment.credits, code, title
