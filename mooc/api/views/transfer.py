"""Credit transfer for a university's own systems (issue 6, point 9), with its API token:

- `GET /api/v1/transfer/requests` (`requests:read`): the items students sent to it, paged;
- `GET /api/v1/transfer/items/<id>` (`requests:read`): one of them;
- `POST /api/v1/transfer/items/<id>/decision` (`decisions:write`): accept, adjust or reject,
  recorded as decided by the staff member who made the token;
- `POST /api/v1/transfer/evaluate` (`records:evaluate`): a record received any other way,
  verified and evaluated against the university's rules; nothing is stored.

Another university's item is as unknown as a missing one (404). Malformed bodies answer 400,
unacceptable ones 422, oversized ones 413; never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mooc.accounts.models import Institution, User
from mooc.api.auth import calling_institution, calling_token, token_required
from mooc.api.bounds import (
    COURSE_CODE,
    MAX_COURSE_CODE,
    MAX_COURSE_TITLE,
    MAX_CREDITS,
    MAX_DECISION_BODY,
    MAX_ITEM_ID,
    MIN_CREDITS,
)
from mooc.api.bounds import TRANSFER_DEFAULT_LIMIT as DEFAULT_LIMIT
from mooc.api.bounds import TRANSFER_MAX_LIMIT as MAX_LIMIT
from mooc.api.models import ApiScope
from mooc.credentials.core.reading import CourseRecord, NotACourseRecord, course_records
from mooc.credentials.verification import require_verifiable
from mooc.db import utcnow
from mooc.errors import BadRequest, Conflict, Invalid, NotFound
from mooc.extensions import db
from mooc.pagination import MAX_PAGE, paginate
from mooc.transfer.models import Decision, ItemState, Outcome, RequestItem
from mooc.transfer.permissions import can_run_transfer
from mooc.transfer.queries import item_of
from mooc.transfer.reasons import evaluation_reasons, item_reasons
from mooc.transfer.services.decisions import (
    MAX_COMMENT,
    Adjustment,
    ProposalChanged,
    decide,
)
from mooc.transfer.services.evaluation import RecordEvaluation, evaluate_record
from mooc.web import edge
from mooc.web.errors import problem

bp = Blueprint("transfer", __name__, url_prefix="/api/v1/transfer")
OUTCOMES = {"accept": Outcome.ACCEPTED, "adjust": Outcome.ADJUSTED, "reject": Outcome.REJECTED}


def _time(value: dt.datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _course(code: str | None, title: str | None) -> dict[str, str] | None:
    return {"code": code, "title": title or ""} if code else None


def _record(record: CourseRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "issuer": record.issuer,
        "issuerName": record.issuer_name,
        "courseCode": record.course_code,
        "title": record.title,
        "credits": _number(record.credits),
        "workloadHours": _number(record.workload_hours),
        "grade": _number(record.grade),
        "awarded": record.awarded.isoformat() if record.awarded else None,
    }


def _item_record(item: RequestItem) -> dict[str, Any]:
    """What the item's record states (the stored document read again)."""
    try:
        records, _container = course_records(json.loads(item.document))
    except (ValueError, RecursionError, NotACourseRecord):
        records = []
    if records:
        return {**_record(records[0]), "id": item.source_id, "issuer": item.issuer_did}
    return {
        "id": item.source_id,
        "name": item.name,
        "issuer": item.issuer_did,
        "issuerName": item.issuer_name,
        "courseCode": None,
        "title": item.name,
        "credits": None,
        "workloadHours": None,
        "grade": None,
        "awarded": None,
    }


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "itemId": decision.item_id,
        "outcome": decision.outcome.value,
        "credits": float(decision.credits),
        "course": _course(decision.local_course_code, decision.local_course_title),
        "comment": decision.comment,
        "decidedAt": _time(decision.created_at),
        "decidedBy": decision.decided_by.name if decision.decided_by else None,
        "recognitionRecord": (
            f"urn:uuid:{decision.credential.uuid}" if decision.credential is not None else None
        ),
    }


def _item(item: RequestItem) -> dict[str, Any]:
    latest = item.latest_decision
    return {
        "id": item.id,
        "requestId": item.request_id,
        "submitted": _time(item.request.created_at),
        "state": item.state.value,
        "student": {
            "name": item.student.name,
            "email": item.student.email,
            "username": item.student.username,
        },
        "record": _item_record(item),
        "verified": item.verified,
        "checks": [
            {
                "id": str(check.get("id", "")),
                "status": str(check.get("status", "")),
                "message": str(check.get("message", "")),
            }
            for check in item.checks
        ],
        "proposal": {
            "recognised": item.proposal_recognised,
            "credits": float(item.proposal_credits),
            "course": _course(item.proposal_course_code, item.proposal_course_title),
            "reasons": list(item.reasons),
            "explanations": item_reasons(item),
            "evaluatedAt": _time(item.evaluated_at) if item.evaluated_at else None,
        },
        "decision": _decision(latest) if latest is not None else None,
    }


def _whole_number(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= maximum):
        raise Invalid(
            _("%(name)s must be a whole number from 1 to %(max)d", name=name, max=maximum)
        )
    return int(raw)


def _state() -> ItemState | None:
    raw = request.args.get("state")
    if raw is None:
        return None
    try:
        return ItemState(raw)
    except ValueError:
        raise Invalid(
            _(
                "state must be one of: %(states)s",
                states=", ".join(state.value for state in ItemState),
            )
        ) from None


@bp.get("/requests")
@token_required(ApiScope.REQUESTS_READ)
def requests_list() -> ResponseReturnValue:
    """The calling university's items, oldest first (optionally in one state), a page at a time."""
    state = _state()
    limit = _whole_number("limit", DEFAULT_LIMIT, MAX_LIMIT)
    page = _whole_number("page", 1, MAX_PAGE)
    university = calling_institution()
    condition = [RequestItem.institution_id == university.id]
    if state is not None:
        condition.append(RequestItem.state == state)
    found = paginate(
        db.session,
        select(RequestItem)
        .where(*condition)
        .options(
            joinedload(RequestItem.student),
            joinedload(RequestItem.request),
            selectinload(RequestItem.decisions).joinedload(Decision.decided_by),
            selectinload(RequestItem.decisions).joinedload(Decision.credential),
        )
        .order_by(RequestItem.id),
        page=page,
        per_page=limit,
        clamp=False,
    )
    return jsonify(
        items=[_item(item) for item in found.items], total=found.total, page=page, limit=limit
    )


def _own_item(university: Institution, item_id: int) -> RequestItem:
    if item_id > MAX_ITEM_ID:
        raise NotFound(_("There is no such request item."))
    return item_of(db.session, university, item_id)


@bp.get("/items/<int:item_id>")
@token_required(ApiScope.REQUESTS_READ)
def item(item_id: int) -> ResponseReturnValue:
    return jsonify(_item(_own_item(calling_institution(), item_id)))


def _json_body(max_bytes: int) -> Any:
    request.max_content_length = max_bytes  # larger: 413
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(_("The body is not JSON.")) from None


def _text(body: dict[str, Any], name: str, maximum: int) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise Invalid(_("%(name)s must be a string.", name=name), field=name)
    if "\x00" in value:
        raise Invalid(_("%(name)s cannot contain NUL characters.", name=name), field=name)
    if len(value) > maximum:
        raise Invalid(
            _("%(name)s has more than %(n)d characters.", name=name, n=maximum), field=name
        )
    return value


def _credits(body: dict[str, Any]) -> Decimal | None:
    """The credits asked for, rounded to one decimal place; `Invalid` outside 0.1–60."""
    value = body.get("credits")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(_("credits must be a number."), field="credits")
    if not MIN_CREDITS <= value <= MAX_CREDITS:
        raise Invalid(
            _("credits must be from %(min)s to %(max)s.", min=MIN_CREDITS, max=MAX_CREDITS),
            field="credits",
        )
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DecisionRequest:
    outcome: Outcome
    comment: str
    adjustment: Adjustment | None


def _decision_request(item: RequestItem) -> DecisionRequest:
    """The decision a body asks for; what an adjustment needs is left to `decide` to check,
    except the shape of the course code (letters, digits, `.`, `_`, `-`)."""
    body = _json_body(MAX_DECISION_BODY)
    if not isinstance(body, dict):
        raise Invalid(_('The body must be a JSON object, e.g. {"outcome": "accept"}.'))
    raw_outcome = body.get("outcome")
    outcome = OUTCOMES.get(raw_outcome) if isinstance(raw_outcome, str) else None
    if outcome is None:
        raise Invalid(_("outcome must be accept, adjust or reject."), field="outcome")
    comment = _text(body, "comment", MAX_COMMENT)
    if outcome != Outcome.ADJUSTED:
        return DecisionRequest(outcome, comment, None)
    course = _text(body, "course", MAX_COURSE_CODE)
    if course and not COURSE_CODE.fullmatch(course):
        raise Invalid(
            _("course must be our course code: letters, digits, '.', '_' or '-'."),
            field="course",
        )
    title = _text(body, "courseTitle", MAX_COURSE_TITLE)
    if not title.strip():
        proposed = item.proposal_course_title or ""
        title = proposed if proposed and course.upper() == item.proposal_course_code else course
    return DecisionRequest(outcome, comment, Adjustment(_credits(body), course, title))


def _decider(university: Institution) -> User | None:
    """Who a token's decision is recorded as: the staff member who made the token, while they
    still run the university's transfers."""
    token = calling_token()
    maker = token.created_by if token is not None else None
    return maker if maker is not None and can_run_transfer(maker, university) else None


@bp.post("/items/<int:item_id>/decision")
@token_required(ApiScope.DECISIONS_WRITE)
def decision(item_id: int) -> ResponseReturnValue:
    university = calling_institution()
    found = _own_item(university, item_id)
    wanted = _decision_request(found)
    staff = _decider(university)
    if staff is None:
        return problem(
            403,
            _(
                "Decisions are recorded as made by the token's maker, who no longer runs this "
                "university's transfers. Make a new token."
            ),
        )
    previous = found.latest_decision
    try:
        made = decide(
            db.session,
            staff,
            university,
            found,
            outcome=wanted.outcome,
            comment=wanted.comment,
            adjustment=wanted.adjustment,
            verifier=edge.verifier(),
            context=edge.issuing_context(),
            today=utcnow().date(),
        )
    except ProposalChanged as error:
        db.session.commit()  # keep the fresh proposal
        return problem(409, error.message)
    except Conflict as error:
        db.session.rollback()
        return problem(409, error.message)
    except Invalid:
        db.session.rollback()
        raise
    repeated = previous is not None and made.id == previous.id
    answer = _decision(made)
    db.session.commit()
    return jsonify(answer), 200 if repeated else 201


def _evaluation(evaluation: RecordEvaluation) -> dict[str, Any]:
    proposal = evaluation.proposal
    rule = proposal.rule
    return {
        "record": _record(evaluation.record),
        "transcript": evaluation.container_id,
        "verified": evaluation.authentic,
        "checks": [
            {"id": check.id, "status": check.status, "message": check.message}
            for check in evaluation.checks
        ],
        "proposal": {
            "recognised": proposal.recognised,
            "credits": float(proposal.credits),
            "course": _course(rule.local_course, rule.local_title) if rule else None,
            "reasons": [reason.value for reason in proposal.reasons],
            "explanations": evaluation_reasons(evaluation),
        },
    }


@bp.post("/evaluate")
@token_required(ApiScope.RECORDS_EVALUATE)
def evaluate() -> ResponseReturnValue:
    body = _json_body(edge.record_max_bytes())
    credential = body.get("verifiableCredential") if isinstance(body, dict) else None
    if not isinstance(credential, dict):
        raise Invalid(_('The body must be {"verifiableCredential": {…}} with a JSON object.'))
    require_verifiable(credential)
    evaluations = evaluate_record(
        db.session,
        calling_institution(),
        credential,
        verifier=edge.verifier(),
        base_url=edge.base_url(),
        today=utcnow().date(),
    )
    answer = [_evaluation(evaluation) for evaluation in evaluations]
    db.session.rollback()  # nothing is kept (not even a first copy of the trust list)
    return jsonify(evaluations=answer)
