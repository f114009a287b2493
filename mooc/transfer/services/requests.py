"""Students' requests: send records (course records or a transcript) from My records to a
university with a message, follow them, withdraw before any decision.

Sending is idempotent: a record already sent to the university (and not withdrawn) is never a
second item; a unique index, not a check alone, makes sure of it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, User
from mooc.credentials.core.reading import CourseRecord, NotACourseRecord, course_records, summarize
from mooc.credentials.models import IssuedCredential
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound
from mooc.transfer import audit
from mooc.transfer.core.evaluation import Rule
from mooc.transfer.models import (
    Decision,
    ItemState,
    RequestItem,
    TransferRequest,
)
from mooc.transfer.queries import partner_universities
from mooc.transfer.services.evaluation import (
    RecordEvaluation,
    RecordVerifier,
    evaluate_record,
    store_proposal,
)
from mooc.transfer.services.rules import rule_sets

MAX_MESSAGE = 2000
MAX_RECORDS = 20


@dataclass(frozen=True)
class SendResult:
    """The request the records are in; `created` False when every record was sent before."""

    request: TransferRequest
    created: bool
    already_sent: tuple[str, ...] = ()  # names of records sent before (left out of a new one)
    message_kept: bool = False  # a new message not sent: the earlier request keeps its own


def _is_school_record(record: CourseRecord) -> bool:
    return summarize(record.document).level_stage == "k12"


def _could_take(record: CourseRecord, rules: Sequence[Rule]) -> bool:
    """A university record may go to any partner (its staff can recognise it by hand); a school
    record only where a rule is about it."""
    if not _is_school_record(record):
        return True
    return any(
        rule.covers(record.issuer, record.achievement_id, record.course_code) for rule in rules
    )


def destinations(
    session: Session, records: Sequence[IssuedCredential]
) -> dict[str, list[Institution]]:
    """For each record (by uuid), the partner universities it can be sent to: a school (K-12)
    record only to a university with a rule that could accept it; a transcript where one of its
    records could go."""
    universities = [
        (
            university,
            [rule for rule_set in rule_sets(session, university.id) for rule in rule_set.rules],
        )
        for university in partner_universities(session)
    ]
    found: dict[str, list[Institution]] = {}
    for row in records:
        try:
            inside, _container = course_records(json.loads(row.document))
        except (NotACourseRecord, ValueError):
            found[row.uuid] = []
            continue
        found[row.uuid] = [
            university
            for university, rules in universities
            if any(_could_take(record, rules) for record in inside)
        ]
    return found


def _live_item(session: Session, university_id: int, source_id: str) -> RequestItem | None:
    return session.scalar(
        select(RequestItem).where(
            RequestItem.institution_id == university_id,
            RequestItem.source_id == source_id,
            RequestItem.state != ItemState.WITHDRAWN,
        )
    )


def _chosen_records(
    session: Session, student: User, record_uuids: Sequence[str]
) -> list[IssuedCredential]:
    chosen = list(dict.fromkeys(record_uuids))
    if not chosen:
        raise Invalid(_("Choose at least one record."), field="records")
    if len(chosen) > MAX_RECORDS:
        raise Invalid(_("Send at most %(n)d records at a time.", n=MAX_RECORDS), field="records")
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.uuid.in_(chosen), IssuedCredential.user_id == student.id)
        .order_by(IssuedCredential.issued_at, IssuedCredential.id)
    ).all()
    if len(rows) != len(chosen):
        raise NotFound(_("There is no such record."))
    if any(row.is_revoked for row in rows):
        raise Invalid(_("A revoked record cannot be sent."), field="records")
    return list(rows)


def _platform_row(session: Session, student: User, source_id: str) -> int | None:
    """The platform's row of a record of this student (by its urn:uuid), if there is one."""
    return session.scalar(
        select(IssuedCredential.id).where(
            IssuedCredential.uuid == source_id.removeprefix("urn:uuid:"),
            IssuedCredential.user_id == student.id,
        )
    )


def _new_item(
    session: Session,
    student: User,
    university: Institution,
    evaluation: RecordEvaluation,
    sent: IssuedCredential,
    at: dt.datetime,
) -> RequestItem:
    record = evaluation.record
    item = RequestItem(
        institution_id=university.id,
        student_id=student.id,
        source_id=record.id,
        credential_id=sent.id
        if evaluation.container_id is None
        else _platform_row(session, student, record.id),
        container_id=evaluation.container_id,
        document=sent.document if evaluation.container_id is None else _serialized(record.document),
        name=record.name[:300],
        issuer_did=record.issuer[:500],
        issuer_name=record.issuer_name[:200],
        state=ItemState.PENDING,
    )
    store_proposal(item, evaluation, at)
    return item


def _serialized(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def send_records(
    session: Session,
    student: User,
    university: Institution,
    record_uuids: Sequence[str],
    *,
    message: str,
    verifier: RecordVerifier,
    base_url: str,
    today: dt.date,
) -> SendResult:
    """Send the student's records (by uuid) to `university`; each course record becomes an item,
    verified and evaluated at once. Records sent before are not sent again: when all were, the
    request holding the first of them is answered.

    Raises `Invalid` (none chosen, too many, revoked, message too long, not a university, a
    school record no rule of the university accepts),
    `NotFound` (a record that is not the student's).
    """
    if university.kind != InstitutionKind.UNIVERSITY:
        raise Invalid(_("Records can be sent only to a university."), field="university")
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise Invalid(
            _("The message has more than %(n)d characters.", n=MAX_MESSAGE), field="message"
        )
    now = utcnow()
    chosen = _chosen_records(session, student, record_uuids)
    places = destinations(session, chosen)
    for row in chosen:
        if university not in places[row.uuid]:
            raise Invalid(
                _(
                    "%(university)s has no rule that accepts the school record %(record)s: "
                    "choose another university or leave the record out.",
                    university=university.name,
                    record=row.name,
                ),
                field="records",
            )
    pending: list[tuple[RecordEvaluation, IssuedCredential]] = []
    for row in chosen:
        for evaluation in evaluate_record(
            session,
            university,
            row.document,
            verifier=verifier,
            base_url=base_url,
            today=today,
            student_id=student.id,
        ):
            pending.append((evaluation, row))
    try:
        with session.begin_nested():
            return _insert_request(session, student, university, message, pending, now)
    except IntegrityError:  # the same record was sent at the same moment: answer what is there
        return _insert_request(session, student, university, message, pending, now)


def _insert_request(
    session: Session,
    student: User,
    university: Institution,
    message: str,
    pending: list[tuple[RecordEvaluation, IssuedCredential]],
    now: dt.datetime,
) -> SendResult:
    fresh: list[tuple[RecordEvaluation, IssuedCredential]] = []
    earlier: list[RequestItem] = []
    seen: set[str] = set()
    for evaluation, row in pending:
        source_id = evaluation.record.id
        if source_id in seen:
            continue
        seen.add(source_id)
        existing = _live_item(session, university.id, source_id)
        if existing is not None:
            earlier.append(existing)
        else:
            fresh.append((evaluation, row))
    names = tuple(item.name for item in earlier)
    if not fresh:
        earlier_request = earlier[0].request
        return SendResult(
            earlier_request,
            created=False,
            already_sent=names,
            message_kept=bool(message) and message != earlier_request.message,
        )
    request = TransferRequest(student_id=student.id, institution_id=university.id, message=message)
    session.add(request)
    for evaluation, row in fresh:
        item = _new_item(session, student, university, evaluation, row, now)
        item.request = request
        session.add(item)
    session.flush()
    audit.record(
        session,
        institution_id=university.id,
        actor_id=student.id,
        action="submit",
        object_type="request",
        object_id=request.id,
        summary=f"request {request.id}: {len(fresh)} record(s) from {student.login_name}",
        details={"items": [item.id for item in request.items]},
    )
    return SendResult(request, created=True, already_sent=names)


def withdraw_request(session: Session, student: User, request: TransferRequest) -> TransferRequest:
    """Withdraw a request nobody has decided on yet (again: nothing happens).

    Raises `NotFound` for another student's request, `Conflict` once a decision was made.
    """
    if request.student_id != student.id:
        raise NotFound(_("There is no such request."))
    if request.withdrawn_at is not None:
        return request
    # Lock the items, as deciding does, so a decision and a withdrawal never cross.
    ids = list(
        session.scalars(
            select(RequestItem.id).where(RequestItem.request_id == request.id).with_for_update()
        )
    )
    if session.scalar(select(exists().where(Decision.item_id.in_(ids)))):
        raise Conflict(_("The university has already decided on this request."))
    request.withdrawn_at = utcnow()
    for item in request.items:
        item.state = ItemState.WITHDRAWN
    audit.record(
        session,
        institution_id=request.institution_id,
        actor_id=student.id,
        action="withdraw",
        object_type="request",
        object_id=request.id,
        summary=f"request {request.id} withdrawn by {student.login_name}",
    )
    session.flush()
    return request
