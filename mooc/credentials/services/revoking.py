"""Revoking a record: the reason is logged (append-only), the issuer's status list gets the
record's bit and is re-signed, so every verifier sees it revoked from then on."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.models import IssuedCredential, RevocationEntry
from mooc.credentials.services.issuing import IssuingContext, signer_for
from mooc.credentials.services.status_lists import republish
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid

MAX_REASON = 500


def revoke_record(
    session: Session,
    credential: IssuedCredential,
    *,
    reason: str,
    actor: User | None,
    context: IssuingContext,
) -> RevocationEntry:
    """Revoke `credential` for good. Raises `Invalid` without a reason, `Conflict` when it is
    already revoked."""
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
    return entry
