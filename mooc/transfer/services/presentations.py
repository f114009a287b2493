"""A university asks a student for records: a request with a challenge, the university's domain
(the platform origin) and an expiry, shown as a link and a QR code; the student answers from My
records or with a wallet, and the records arrive in the queue verified and bound to the holder.

Both answers are one path: a presentation signed by its holder for the request's challenge and
domain (My records signs with the learner's platform-held holder key), verified, then sent
through `send_records`, so idempotency and evaluation are those of any request. The request row
is locked while it is answered, and answered once: the same student answering again gets the
same request back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.credentials.core.presentation import HOLDER_PROOF
from mooc.credentials.core.reading import mapping, summarize
from mooc.credentials.models import IssuedCredential
from mooc.credentials.presentations import PresentationReport, check_presentation
from mooc.credentials.services.holder_keys import holder_owner, holder_signer, present_records
from mooc.credentials.services.keys import KeyEncryptionKey
from mooc.credentials.verification import PlatformVerifier
from mooc.db import utcnow
from mooc.errors import Conflict, Gone, Invalid, NotFound
from mooc.transfer import audit
from mooc.transfer.models import PresentationRequest, TransferRequest
from mooc.transfer.services.requests import send_records

MAX_PURPOSE = 200
VALID_FOR_HOURS = (1, 24, 24 * 7, 24 * 30)


@dataclass(frozen=True)
class Answered:
    """The transfer request the presented records are in; `created` False for a repeat."""

    request: TransferRequest
    created: bool


def origin_of(base_url: str) -> str:
    """The platform origin, the `domain` a presentation must be signed for."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def create_request(
    session: Session,
    staff: User,
    university: Institution,
    *,
    purpose: str,
    valid_for_hours: int,
    base_url: str,
) -> PresentationRequest:
    """A new request for records, valid for `valid_for_hours`.

    Raises `Invalid` for an empty or too long purpose, or a validity not offered.
    """
    purpose = purpose.strip()
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise Invalid(
            _("Say what the records are for, in at most 200 characters."), field="purpose"
        )
    if valid_for_hours not in VALID_FOR_HOURS:
        raise Invalid(_("Choose how long the request stays open."), field="valid_for")
    found = PresentationRequest(
        institution_id=university.id,
        token=secrets.token_urlsafe(24),
        purpose=purpose,
        challenge=secrets.token_urlsafe(24),
        domain=origin_of(base_url),
        created_by_id=staff.id,
        expires_at=utcnow() + dt.timedelta(hours=valid_for_hours),
    )
    session.add(found)
    session.flush()
    audit.record(
        session,
        institution_id=university.id,
        actor_id=staff.id,
        action="create",
        object_type="presentation-request",
        object_id=found.id,
        summary=f"asked for records: {purpose}",
    )
    return found


def requests_of(session: Session, university_id: int) -> Sequence[PresentationRequest]:
    return session.scalars(
        select(PresentationRequest)
        .where(PresentationRequest.institution_id == university_id)
        .order_by(PresentationRequest.created_at.desc(), PresentationRequest.id.desc())
        .limit(100)
    ).all()


def request_of(session: Session, university: Institution, request_id: int) -> PresentationRequest:
    """One of the university's requests; `NotFound` for any other (another's is not shown)."""
    found = session.scalar(
        select(PresentationRequest).where(
            PresentationRequest.id == request_id,
            PresentationRequest.institution_id == university.id,
        )
    )
    if found is None:
        raise NotFound(_("There is no such request."))
    return found


def request_by_token(session: Session, token: str) -> PresentationRequest:
    found = session.scalar(select(PresentationRequest).where(PresentationRequest.token == token))
    if found is None:
        raise NotFound(_("There is no such request for records."))
    return found


def _locked(session: Session, found: PresentationRequest) -> PresentationRequest:
    """The row again, locked until commit, so two answers never cross."""
    session.execute(
        select(PresentationRequest.id).where(PresentationRequest.id == found.id).with_for_update()
    )
    session.refresh(found)
    return found


def _earlier(found: PresentationRequest, student_id: int | None) -> Answered:
    if found.transfer_request is not None and found.student_id == student_id:
        return Answered(found.transfer_request, created=False)
    raise Conflict(_("This request for records was already answered."))


def refuse_expired(found: PresentationRequest, university: Institution, now: dt.datetime) -> None:
    """Raises `Gone` with the date and who to ask, once the request has expired."""
    if found.is_expired(now):
        raise Gone(
            _(
                "This request expired on %(when)s: ask %(university)s for a new one.",
                when=format_datetime(found.expires_at, "short"),
                university=university.name,
            )
        )


def _owner(session: Session, presented: PresentationReport) -> tuple[int, list[str]]:
    """The platform account the presented records belong to, and their uuids; each record must
    have verified and name the holder (by its DID, or as the account whose holder key it is)."""
    holder = presented.holder or ""
    owner_of_key = holder_owner(session, holder) if holder else None
    owners: set[int] = set()
    uuids: list[str] = []
    for item in presented.credentials:
        document = mapping(item.document)
        name = summarize(document).name or "?"
        if not item.report.verified:
            raise Invalid(_("The record %(name)s did not verify.", name=name))
        record_id = document.get("id")
        row = (
            session.scalar(
                select(IssuedCredential).where(
                    IssuedCredential.uuid == record_id.removeprefix("urn:uuid:")
                )
            )
            if isinstance(record_id, str)
            else None
        )
        if row is None:
            raise Invalid(
                _("Only records issued on this platform can answer: %(name)s is not.", name=name)
            )
        subject = mapping(document.get("credentialSubject"))
        if subject.get("id") != holder and owner_of_key != row.user_id:
            raise Invalid(
                _("The record %(name)s does not name the holder who presented it.", name=name)
            )
        owners.add(row.user_id)
        uuids.append(row.uuid)
    if len(owners) != 1:
        raise Invalid(_("The records presented belong to more than one person."))
    return owners.pop(), uuids


def answer_presentation(
    session: Session,
    found: PresentationRequest,
    presentation: Any,
    *,
    student: User | None,
    verifier: PlatformVerifier,
    base_url: str,
    today: dt.date,
) -> Answered:
    """Verify `presentation` against the request (challenge, domain, holder's proof, each
    record bound to the holder) and send its records to the university's queue.

    `student` is the signed-in learner (My records), None for a wallet (the records' owner).
    Raises `Gone` (expired), `Conflict` (answered by someone else), `Invalid` (not signed for
    this request, no record, a record that failed or does not name the holder).
    """
    now = utcnow()
    found = _locked(session, found)
    university = session.get(Institution, found.institution_id)
    assert university is not None  # a foreign key
    presented = check_presentation(
        verifier, presentation, challenge=found.challenge, domain=found.domain
    )
    if found.answered_at is not None:
        if student is None and presented.holder_verified and presented.holder == found.holder:
            return _earlier(found, found.student_id)  # the wallet sent its answer again
        return _earlier(found, student.id if student is not None else None)
    refuse_expired(found, university, now)
    _require_answer(presented)
    owner_id, uuids = _owner(session, presented)
    if student is not None and owner_id != student.id:
        raise Invalid(_("The records presented are not yours."))
    learner = student or session.get(User, owner_id)
    assert learner is not None  # a foreign key
    result = send_records(
        session,
        learner,
        university,
        uuids,
        message="",
        verifier=verifier,
        base_url=base_url,
        today=today,
    )
    _keep_answer(session, found, presented, learner, result.request, fresh=result.created)
    return Answered(result.request, created=True)


def _require_answer(presented: PresentationReport) -> None:
    """Raises `Invalid` unless the holder signed for this request and presented a record."""
    if not presented.holder_verified:
        failed = next((c for c in presented.checks if c.status != "passed"), None)
        raise Invalid(
            _(
                "The presentation does not answer this request: %(reason)s",
                reason=failed.message if failed else "?",
            )
        )
    if not presented.credentials:
        raise Invalid(_("The presentation carries no record."))


def _keep_answer(
    session: Session,
    found: PresentationRequest,
    presented: PresentationReport,
    learner: User,
    request: TransferRequest,
    *,
    fresh: bool,
) -> None:
    """The answer on the request row, the holder's proof on each new item, and the audit."""
    bound = {
        "id": HOLDER_PROOF,
        "status": "passed",
        "message": (
            f"presented by {presented.holder}, signed for the challenge of request "
            f"{found.id} and the domain {found.domain}"
        )[:500],
    }
    if fresh:
        for item in request.items:
            item.checks = [*item.checks, bound]
    found.answered_at = utcnow()
    found.holder = presented.holder
    found.student_id = learner.id
    found.transfer_request_id = request.id
    session.flush()
    audit.record(
        session,
        institution_id=found.institution_id,
        actor_id=learner.id,
        action="answer",
        object_type="presentation-request",
        object_id=found.id,
        summary=f"request for records {found.id} answered by {presented.holder}",
        details={"request": request.id},
    )


def answer_with_records(
    session: Session,
    found: PresentationRequest,
    student: User,
    record_uuids: Sequence[str],
    *,
    kek: KeyEncryptionKey,
    verifier: PlatformVerifier,
    base_url: str,
    today: dt.date,
) -> Answered:
    """Answer from My records: the chosen records, presented and signed with the student's
    holder key, then `answer_presentation` as for a wallet.

    Raises what `answer_presentation` raises, `Invalid` when no record is chosen, `NotFound`
    for a record that is not the student's.
    """
    if found.answered_at is not None:
        return _earlier(found, student.id)
    university = session.get(Institution, found.institution_id)
    assert university is not None
    refuse_expired(found, university, utcnow())
    chosen = list(dict.fromkeys(record_uuids))
    if not chosen:
        raise Invalid(_("Choose at least one record."), field="records")
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.uuid.in_(chosen), IssuedCredential.user_id == student.id)
        .order_by(IssuedCredential.issued_at, IssuedCredential.id)
    ).all()
    if len(rows) != len(chosen):
        raise NotFound(_("There is no such record."))
    signer = holder_signer(session, student, kek)
    presentation = present_records(signer, rows, challenge=found.challenge, domain=found.domain)
    return answer_presentation(
        session,
        found,
        presentation,
        student=student,
        verifier=verifier,
        base_url=base_url,
        today=today,
    )


def presentation_request_body(found: PresentationRequest, university: Institution) -> Any:
    """What a wallet is asked for (VC API exchanges): any record, for this challenge and domain."""
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "QueryByExample",
                    "credentialQuery": [
                        {
                            "reason": f"{university.name}: {found.purpose}",
                            "example": {
                                "@context": ["https://www.w3.org/ns/credentials/v2"],
                                "type": "VerifiableCredential",
                            },
                        }
                    ],
                }
            ],
            "challenge": found.challenge,
            "domain": found.domain,
        }
    }
