"""Transcripts: a learner gathers chosen course records into one CLR 2.0 `ClrCredential`, signed
by the platform's own issuer (MOOC_PLATFORM_ISSUER, the ministry by default)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.core.contexts import mooc_context_url
from mooc.credentials.core.identity import (
    NAME,
    hashed_recipient,
    new_salt,
    person_identities,
    shown_identities,
)
from mooc.credentials.core.records import Transcript, clr_credential
from mooc.credentials.issuers import institution_by_slug, issuer_profile
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.services.issuing import Holding, IssuingContext, Slot, issue
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
    learner's, and `Invalid` when one is revoked, suspended or about another email address.
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
            IssuedCredential.copy_of_id.is_(None),
        )
        .order_by(IssuedCredential.issued_at)
    ).all()
    if len(records) != len(chosen):
        raise NotFound(_("There is no such record."))
    if any(record.is_revoked for record in records):
        raise Invalid(_("A revoked record cannot go into a transcript."), field="records")
    if any(record.is_suspended for record in records):
        raise Invalid(
            _("A suspended record cannot go into a transcript until its issuer confirms it."),
            field="records",
        )
    title = " ".join(name.split())[:200] or ngettext(
        "Transcript of %(num)d course record", "Transcript of %(num)d course records", len(records)
    )
    repeated = _recent_twin(session, user.id, [record.id for record in records], title)
    if repeated is not None:  # the same request a moment ago (a double click)
        return repeated
    institution = institution_by_slug(session, context.platform_issuer)
    profile = issuer_profile(context.base_url, institution)
    salt = new_salt()
    recipient = hashed_recipient(user.email, user.username, salt)
    documents = tuple(json.loads(record.document) for record in records)
    # The name in clear only when every record it gathers shows it (university records).
    in_clear = all(NAME in shown_identities(doc.get("credentialSubject", {})) for doc in documents)
    holder = person_identities(user.name, None, in_clear=in_clear, salt=salt)

    def build(slot: Slot) -> dict[str, Any]:
        try:
            transcript = Transcript(
                credential_id=slot.credential_id,
                issuer=profile,
                name=title,
                recipient=recipient,
                credentials=documents,
                valid_from=slot.issued_at,
                status=slot.status,
                holder=holder,
            )
        except ValueError:  # a record names an earlier email address of the learner
            raise Invalid(
                _("These records were issued to different email addresses."), field="records"
            ) from None
        return clr_credential(transcript, context_url=mooc_context_url(context.base_url))

    holding = Holding(
        CredentialKind.TRANSCRIPT, user.id, includes=tuple(record.id for record in records)
    )
    return issue(session, context, institution, holding, build)
