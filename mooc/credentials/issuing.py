"""Issuing a course record: one signed OB 3.0 record per completion (`issue_completion_record`),
idempotent by the unique completion column. The batch job over completions still without one
is `mooc.credentials.pending`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.achievements import completion_record
from mooc.credentials.core.records import IssuerProfile, achievement_credential
from mooc.credentials.core.status_list import StatusListEntry
from mooc.credentials.core.timestamps import format_timestamp
from mooc.credentials.issuers import issuer_did, issuer_profile
from mooc.credentials.keys import KeyEncryptionKey, SigningKey, ensure_active_key, unseal
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.signing import sign_document
from mooc.credentials.status import (
    current_list,
    entry_for,
    random_free_index,
)
from mooc.db import utcnow
from mooc.errors import Conflict
from mooc.learning.models import Completion, Enrolment
from mooc.notifications.kinds import RECORD_ISSUED
from mooc.notifications.links import path_for
from mooc.notifications.services import notify
from mooc.settings import Settings

MAX_INDEX_CLASHES = 8


@dataclass(frozen=True)
class IssuingContext:
    """What issuing needs from the configuration."""

    base_url: str
    kek: KeyEncryptionKey
    platform_issuer: str

    @classmethod
    def from_settings(cls, settings: Settings) -> IssuingContext:
        return cls(
            base_url=settings.base_url,
            kek=KeyEncryptionKey.from_setting(settings.key_encryption_key),
            platform_issuer=settings.platform_issuer,
        )


def signer_for(session: Session, context: IssuingContext, institution: Institution) -> SigningKey:
    """The institution's active key, unsealed (generated on first need)."""
    key = ensure_active_key(session, institution, context.kek)
    return unseal(key, context.kek, issuer_did(context.base_url, institution))


def record_of_completion(session: Session, completion_id: int) -> IssuedCredential | None:
    return session.scalar(
        select(IssuedCredential).where(IssuedCredential.completion_id == completion_id)
    )


def _started_at(session: Session, completion: Completion) -> dt.datetime | None:
    return session.scalar(
        select(Enrolment.enrolled_at).where(
            Enrolment.user_id == completion.user_id, Enrolment.course_id == completion.course_id
        )
    )


def unsigned_record(
    context: IssuingContext,
    completion: Completion,
    profile: IssuerProfile,
    entry: StatusListEntry,
    started_at: dt.datetime | None,
    issued_at: dt.datetime,
) -> tuple[str, dict[str, Any]]:
    credential_uuid = str(uuid.uuid4())
    record = completion_record(
        base_url=context.base_url,
        completion=completion,
        course=completion.course,
        user=completion.user,
        issuer=profile,
        status=entry,
        started_at=started_at,
        issued_at=issued_at,
        credential_uuid=credential_uuid,
    )
    return credential_uuid, achievement_credential(record)


def record_row(
    completion: Completion,
    credential_uuid: str,
    signer: SigningKey,
    status_list_id: int,
    index: int,
    name: str,
    issued_at: dt.datetime,
) -> IssuedCredential:
    return IssuedCredential(
        uuid=credential_uuid,
        kind=CredentialKind.ACHIEVEMENT,
        user_id=completion.user_id,
        completion_id=completion.id,
        institution_id=signer.institution_id,
        key_id=signer.key_id,
        name=name[:300],
        document="",
        includes=[],
        status_list_id=status_list_id,
        status_index=index,
        issued_at=issued_at,
    )


def save_record(session: Session, row: IssuedCredential) -> IssuedCredential | None:
    """Insert the record; the one already there if the completion has one; None if its status
    index (or uuid) was just taken by a concurrent issuer."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        assert row.completion_id is not None
        return record_of_completion(session, row.completion_id)
    # Told once, by whoever stored it (a request or the batch job), in the same transaction.
    notify(
        session,
        [row.user_id],
        RECORD_ISSUED,
        {"record": row.name},
        path_for("credentials.record", record_id=row.uuid),
        event_key=f"record:{row.uuid}",
    )
    return row


def store_signed(session: Session, row: IssuedCredential) -> IssuedCredential:
    """Insert a newly signed record (a transcript, a recognition …).

    Raises `Conflict` when its status index was taken by a record issued at the same moment;
    the caller may try again with a fresh index.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            _("Another record was issued at the same moment. Please try again.")
        ) from None
    return row


def issue_completion_record(
    session: Session, completion: Completion, context: IssuingContext
) -> IssuedCredential:
    """The signed record of `completion`: issued now, or the one issued before (exactly one
    per completion, also when issuers race).

    Raises `KeyUnavailable` when the configured key-encryption key cannot open the issuer's
    key, `Conflict` when no free status index could be secured.
    """
    existing = record_of_completion(session, completion.id)
    if existing is not None:
        return existing
    institution = completion.course.institution
    signer = signer_for(session, context, institution)
    profile = issuer_profile(context.base_url, institution)
    status_list = current_list(session, context.base_url, institution, signer)
    started_at = _started_at(session, completion)
    for _attempt in range(MAX_INDEX_CLASHES):
        issued_at = utcnow().replace(microsecond=0)
        index = random_free_index(session, status_list)
        credential_uuid, unsigned = unsigned_record(
            context,
            completion,
            profile,
            entry_for(context.base_url, status_list, index),
            started_at,
            issued_at,
        )
        row = record_row(
            completion, credential_uuid, signer, status_list.id, index, unsigned["name"], issued_at
        )
        row.document = sign_document(
            unsigned, signer.seed, signer.verification_method, format_timestamp(issued_at)
        )
        saved = save_record(session, row)
        if saved is not None:
            return saved
    raise Conflict("no free status-list index could be secured; try again")


def signed_document(credential: IssuedCredential) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(credential.document)
    return document
