"""Revoking a record: the reason is logged (append-only), the issuer's status list gets the
record's bit and is re-signed, so every verifier sees it revoked from then on (a record whose
one status entry is a suspension bit has that bit set for good: verifiers see it suspended,
never valid again; the platform's own verifier says revoked).

Revocation reaches what rests on the record, in the same transaction: a transcript including it
is revoked too (a transcript never carries a revoked record), and a record that can be suspended
(a university's recognition of it) is suspended until its issuer's staff confirm it (the
suspension is lifted) or revoke it; the holder and those staff are told.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Membership, Role, User
from mooc.credentials.models import CredentialKind, IssuedCredential, RevocationEntry
from mooc.credentials.queries import copies_of
from mooc.credentials.services.issuing import IssuingContext, signer_for
from mooc.credentials.services.status_lists import republish
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid
from mooc.notifications.kinds import RECORD_REVIEW, RECORD_SUSPENDED
from mooc.notifications.links import path_for
from mooc.notifications.services import notify

MAX_REASON = 500
# The page where a university's staff review what rests on a revoked record (their queue).
REVIEW_ENDPOINT = "transfer.staff.queue"


def revoke_record(
    session: Session,
    credential: IssuedCredential,
    *,
    reason: str,
    actor: User | None,
    context: IssuingContext,
) -> RevocationEntry:
    """Revoke `credential` for good, and reach what rests on it (see the module). Raises
    `Invalid` without a reason, `Conflict` when it is already revoked."""
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(_("Give the reason for revoking the record."), field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(_("The reason has more than %(n)d characters.", n=MAX_REASON), field="reason")
    if credential.is_revoked:
        raise Conflict(_("This record is already revoked."))
    credential.revoked_at = utcnow()
    credential.revocation_reason = reason
    credential.revoked_by_id = actor.id if actor else None
    entry = RevocationEntry(
        credential_id=credential.id, actor_id=actor.id if actor else None, reason=reason
    )
    session.add(entry)
    session.flush()
    signer = signer_for(session, context, credential.institution)
    republish(session, context.base_url, credential.status_list, signer)
    if credential.suspension_list is not None:
        # Its suspension bit is set for good: for a record whose one status entry is that bit,
        # the only way verifiers learn it; for an older record naming both, set as well.
        credential.suspended_at = None  # revoked outright: no longer waiting for a decision
        session.flush()
        republish(session, context.base_url, credential.suspension_list, signer)
    _reach_dependents(session, credential, actor=actor, context=context)
    return entry


def resting_on(session: Session, credential: IssuedCredential) -> list[IssuedCredential]:
    """The live records that rest on `credential` (include it): the same holder's, so few."""
    candidates = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.user_id == credential.user_id,
            IssuedCredential.id != credential.id,
            IssuedCredential.revoked_at.is_(None),
        )
    ).all()
    return [record for record in candidates if credential.id in (record.includes or [])]


def _reach_dependents(
    session: Session, credential: IssuedCredential, *, actor: User | None, context: IssuingContext
) -> None:
    for record in resting_on(session, credential):
        if record.copy_of_id == credential.id:  # a wallet's copy goes with its record
            revoke_record(
                session,
                record,
                reason=f"the record it copies was revoked: {credential.name}"[:MAX_REASON],
                actor=actor,
                context=context,
            )
        elif record.kind == CredentialKind.TRANSCRIPT:
            revoke_record(
                session,
                record,
                reason=f"a record it includes was revoked: {credential.name}"[:MAX_REASON],
                actor=actor,
                context=context,
            )
        else:
            suspend_record(
                session,
                record,
                source_name=credential.name,
                source_id=f"urn:uuid:{credential.uuid}",
                context=context,
            )


def _staff_ids(session: Session, institution_id: int) -> Sequence[int]:
    return session.scalars(
        select(Membership.user_id).where(
            Membership.institution_id == institution_id, Membership.role == Role.STAFF
        )
    ).all()


def suspend_record(
    session: Session,
    record: IssuedCredential,
    *,
    source_name: str,
    source_id: str,
    context: IssuingContext,
) -> None:
    """Suspend `record` because a record it rests on (`source_id`, named `source_name`; the
    platform's or another's) was revoked: its suspension bit is set and the list re-signed; the
    holder and the issuer's staff are told. Nothing happens to a record that cannot be
    suspended, is suspended already, or is revoked."""
    if record.suspension_list is None or record.suspended_at is not None or record.is_revoked:
        return
    for suspended in (record, *copies_of(session, record)):  # its wallets' copies with it
        if suspended.suspension_list is not None and suspended.suspended_at is None:
            suspended.suspended_at = utcnow()
            session.flush()
            signer = signer_for(session, context, suspended.institution)
            republish(session, context.base_url, suspended.suspension_list, signer)
    params = {"record": record.name, "source": source_name, "issuer": record.institution.name}
    notify(
        session,
        [record.user_id],
        RECORD_SUSPENDED,
        params,
        path_for("credentials.record", record_id=record.uuid),
        event_key=f"suspended:{record.uuid}:{source_id}"[:120],
    )
    notify(
        session,
        _staff_ids(session, record.institution_id),
        RECORD_REVIEW,
        params,
        path_for(REVIEW_ENDPOINT, slug=record.institution.slug),
        event_key=f"review:{record.uuid}:{source_id}"[:120],
    )


def refuse_revoked(record: IssuedCredential) -> None:
    """Raise `Conflict` for a revoked record: nothing brings it back into force."""
    if record.is_revoked:
        raise Conflict(_("This record was revoked: its suspension can never be lifted."))


def lift_suspension(session: Session, record: IssuedCredential, context: IssuingContext) -> None:
    """The issuer confirms a suspended record: the bit is cleared and the list re-signed.
    Raises `Conflict` when the record was revoked (its bit stays set for good) or is not
    suspended."""
    refuse_revoked(record)
    if not record.is_suspended or record.suspension_list is None:
        raise Conflict(_("This record is not suspended."))
    for lifted in (record, *copies_of(session, record)):  # its wallets' copies with it
        if lifted.suspension_list is not None and lifted.is_suspended:
            lifted.suspended_at = None
            lifted.suspension_lifted_at = utcnow()
            session.flush()
            signer = signer_for(session, context, lifted.institution)
            republish(session, context.base_url, lifted.suspension_list, signer)
