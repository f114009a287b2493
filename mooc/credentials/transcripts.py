"""Transcripts: a learner gathers chosen course records into one CLR 2.0 `ClrCredential`, signed
by the platform's own issuer (MOOC_PLATFORM_ISSUER, the ministry by default)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.core.identity import hashed_recipient, new_salt
from mooc.credentials.core.records import Transcript, clr_credential
from mooc.credentials.core.timestamps import format_timestamp
from mooc.credentials.issuers import institution_by_slug, issuer_profile
from mooc.credentials.issuing import IssuingContext, signer_for, store_signed
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.signing import sign_document
from mooc.credentials.status import current_list, entry_for, random_free_index
from mooc.db import utcnow
from mooc.errors import Invalid, NotFound

MAX_RECORDS = 50
REPEAT_WINDOW = dt.timedelta(minutes=10)


def _recent_twin(
    session: Session, user_id: int, record_ids: list[int], title: str
) -> IssuedCredential | None:
    """A transcript of the same records and title issued moments ago, still valid."""
    since = utcnow() - REPEAT_WINDOW
    for transcript in session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.user_id == user_id,
            IssuedCredential.kind == CredentialKind.TRANSCRIPT,
            IssuedCredential.issued_at >= since,
            IssuedCredential.revoked_at.is_(None),
        )
    ):
        if sorted(transcript.includes) == sorted(record_ids) and transcript.name == title:
            return transcript
    return None


def issue_transcript(
    session: Session,
    user: User,
    record_uuids: Sequence[str],
    context: IssuingContext,
    *,
    name: str = "",
) -> IssuedCredential:
    """A signed transcript of the learner's chosen records.

    Raises `Invalid` when none (or too many) are chosen, `NotFound` when one is not the
    learner's, and `Invalid` when one is revoked or about another email address.
    """
    chosen = list(dict.fromkeys(record_uuids))
    if not chosen:
        raise Invalid(_("Choose at least one record."), field="records")
    if len(chosen) > MAX_RECORDS:
        raise Invalid(_("A transcript gathers at most %(n)d records.", n=MAX_RECORDS))
    records = session.scalars(
        select(IssuedCredential)
        .where(
            IssuedCredential.uuid.in_(chosen),
            IssuedCredential.user_id == user.id,
            IssuedCredential.kind == CredentialKind.ACHIEVEMENT,
        )
        .order_by(IssuedCredential.issued_at)
    ).all()
    if len(records) != len(chosen):
        raise NotFound(_("There is no such record."))
    if any(record.is_revoked for record in records):
        raise Invalid(_("A revoked record cannot go into a transcript."), field="records")
    title = " ".join(name.split())[:200] or ngettext(
        "Transcript of %(num)d course record", "Transcript of %(num)d course records", len(records)
    )
    repeated = _recent_twin(session, user.id, [record.id for record in records], title)
    if repeated is not None:  # the same request a moment ago (a double click)
        return repeated
    institution = institution_by_slug(session, context.platform_issuer)
    signer = signer_for(session, context, institution)
    status_list = current_list(session, context.base_url, institution, signer)
    index = random_free_index(session, status_list)
    issued_at = utcnow().replace(microsecond=0)
    credential_uuid = str(uuid.uuid4())
    try:
        transcript = Transcript(
            credential_id=f"urn:uuid:{credential_uuid}",
            issuer=issuer_profile(context.base_url, institution),
            name=title,
            recipient=hashed_recipient(user.email, user.username, new_salt()),
            credentials=tuple(json.loads(record.document) for record in records),
            valid_from=issued_at,
            status=entry_for(context.base_url, status_list, index),
        )
    except ValueError:  # a record names an earlier email address of the learner
        raise Invalid(
            _("These records were issued to different email addresses."), field="records"
        ) from None
    document = sign_document(
        clr_credential(transcript),
        signer.seed,
        signer.verification_method,
        format_timestamp(issued_at),
    )
    row = IssuedCredential(
        uuid=credential_uuid,
        kind=CredentialKind.TRANSCRIPT,
        user_id=user.id,
        completion_id=None,
        institution_id=institution.id,
        key_id=signer.key_id,
        name=title,
        document=document,
        includes=[record.id for record in records],
        status_list_id=status_list.id,
        status_index=index,
        issued_at=issued_at,
    )
    return store_signed(session, row)
