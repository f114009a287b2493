"""Issuing signed records: the one pipeline every kind of record goes through (`issue`), and the
course record of a completion built on it (`issue_completion_record`, one per completion).

A kind of record is a builder of its unsigned document plus what is stored beside it; the
pipeline does the rest: the issuer's key, a random free bit of its status list, an id, signing,
and storing — trying a fresh bit when a concurrent issuer took the same one. The batch job over
completions still without a record (`mooc.credentials.services.pending`) reuses its steps.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.accounts.queries import student_number
from mooc.credentials.achievements import completion_record
from mooc.credentials.core.contexts import mooc_context_url
from mooc.credentials.core.records import IssuerProfile, achievement_credential
from mooc.credentials.core.status_list import StatusListEntry
from mooc.credentials.core.timestamps import format_timestamp
from mooc.credentials.issuers import issuer_did, issuer_profile
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.services.keys import KeyEncryptionKey, SigningKey, ensure_active_key, unseal
from mooc.credentials.services.signing import sign_document
from mooc.credentials.services.status_lists import (
    SUSPENSION,
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

# Fresh status bits tried when concurrent issuers keep taking the one drawn (each clash is a
# 1-in-65,536 lottery at worst, so running out means something else is wrong).
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


@dataclass(frozen=True)
class Slot:
    """Where a new record goes, given to its builder: its id, its status bits, when it is issued.

    Every record holds a revocation bit (`status`) in the platform's books, but its document
    names exactly one status entry (`entry`), as OB 3.0 allows one `credentialStatus`: the
    revocation bit, or for a record that rests on others the suspension bit, which then also
    tells its revocation (set for good). The unnamed revocation bit is kept, not dropped: the
    column stays NOT NULL (no rebuild of the table on SQLite, no record without the bit every
    query and list count expects), and the revocation list still states every revoked record.
    """

    uuid: str
    status: StatusListEntry
    issued_at: dt.datetime
    suspension: StatusListEntry | None = None  # for records that rest on others

    @property
    def entry(self) -> StatusListEntry:
        """The one status entry the record's document carries (see the class)."""
        return self.status if self.suspension is None else self.suspension

    @property
    def credential_id(self) -> str:
        return f"urn:uuid:{self.uuid}"


@dataclass(frozen=True)
class Holding:
    """What is stored beside a signed document: whose record it is, of which kind, linked to what
    (its completion, or a transcript's records)."""

    kind: CredentialKind
    user_id: int
    completion_id: int | None = None
    includes: tuple[int, ...] = ()
    # Suspended (not revoked) when a record it includes is revoked, until its issuer decides:
    # such a record gets a bit of a suspension list too.
    suspendable: bool = False
    copy_of: int | None = None  # a holder's copy (for their wallet) of this record


# Builds the unsigned document of a record in its slot; raises a domain error when it cannot.
Builder = Callable[[Slot], dict[str, Any]]


def signer_for(session: Session, context: IssuingContext, institution: Institution) -> SigningKey:
    """The institution's active key, unsealed (generated on first need)."""
    key = ensure_active_key(session, institution, context.kek)
    return unseal(key, context.kek, issuer_did(context.base_url, institution))


def new_slot(
    status: StatusListEntry, issued_at: dt.datetime, suspension: StatusListEntry | None = None
) -> Slot:
    return Slot(str(uuid.uuid4()), status, issued_at, suspension)


def unsigned_row(
    holding: Holding,
    signer: SigningKey,
    status_list_id: int,
    slot: Slot,
    unsigned: dict[str, Any],
) -> IssuedCredential:
    """The row of a record, its document still to be signed into `document`."""
    return IssuedCredential(
        uuid=slot.uuid,
        kind=holding.kind,
        user_id=holding.user_id,
        completion_id=holding.completion_id,
        institution_id=signer.institution_id,
        key_id=signer.key_id,
        name=str(unsigned.get("name", ""))[:300],
        document="",
        includes=list(holding.includes),
        copy_of_id=holding.copy_of,
        status_list_id=status_list_id,
        status_index=slot.status.index,
        suspension_index=slot.suspension.index if slot.suspension else None,
        issued_at=slot.issued_at,
    )


def signed_text(unsigned: dict[str, Any], signer: SigningKey, issued_at: dt.datetime) -> str:
    return sign_document(
        unsigned, signer.seed, signer.verification_method, format_timestamp(issued_at)
    )


def store(session: Session, row: IssuedCredential) -> IssuedCredential | None:
    """Insert the signed record. When a concurrent issuer won: the record already there for the
    same completion, or None when only its status bit (or uuid) was taken — draw again."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        if row.completion_id is None:
            return None
        return record_of_completion(session, row.completion_id)
    if row.completion_id is not None:
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


def issue(
    session: Session,
    context: IssuingContext,
    institution: Institution,
    holding: Holding,
    build: Builder,
) -> IssuedCredential:
    """Sign and store a new record of `institution`, built by `build` in a fresh slot.

    Raises `KeyUnavailable` when the configured key-encryption key cannot open the issuer's key,
    `Conflict` when no free status bit could be secured, and whatever `build` raises.
    """
    signer = signer_for(session, context, institution)
    status_list = current_list(session, context.base_url, institution, signer)
    suspension_list = (
        current_list(session, context.base_url, institution, signer, SUSPENSION)
        if holding.suspendable
        else None
    )
    for _attempt in range(MAX_INDEX_CLASHES):
        index = random_free_index(session, status_list)
        suspension = (
            entry_for(
                context.base_url, suspension_list, random_free_index(session, suspension_list)
            )
            if suspension_list is not None
            else None
        )
        slot = new_slot(
            entry_for(context.base_url, status_list, index),
            utcnow().replace(microsecond=0),
            suspension,
        )
        unsigned = build(slot)
        row = unsigned_row(holding, signer, status_list.id, slot, unsigned)
        row.suspension_list_id = suspension_list.id if suspension_list is not None else None
        row.document = signed_text(unsigned, signer, slot.issued_at)
        saved = store(session, row)
        if saved is not None:
            return saved
    raise Conflict(_("Another record was issued at the same moment. Please try again."))


def record_of_completion(session: Session, completion_id: int) -> IssuedCredential | None:
    return session.scalar(
        select(IssuedCredential).where(IssuedCredential.completion_id == completion_id)
    )


def enrolled_at(session: Session, completion: Completion) -> dt.datetime | None:
    return session.scalar(
        select(Enrolment.enrolled_at).where(
            Enrolment.user_id == completion.user_id, Enrolment.course_id == completion.course_id
        )
    )


def completion_holding(completion: Completion) -> Holding:
    return Holding(CredentialKind.ACHIEVEMENT, completion.user_id, completion_id=completion.id)


def completion_builder(
    context: IssuingContext,
    completion: Completion,
    profile: IssuerProfile,
    started_at: dt.datetime | None,
    student_number: str | None = None,
) -> Builder:
    """The builder of the OB 3.0 record of `completion`; `student_number` is the number the
    issuing university knows the learner by, stated beside the name when known."""

    def build(slot: Slot) -> dict[str, Any]:
        return achievement_credential(
            completion_record(
                base_url=context.base_url,
                completion=completion,
                course=completion.course,
                user=completion.user,
                issuer=profile,
                status=slot.status,
                started_at=started_at,
                issued_at=slot.issued_at,
                credential_uuid=slot.uuid,
                student_number=student_number,
            ),
            context_url=mooc_context_url(context.base_url),
        )

    return build


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
    build = completion_builder(
        context,
        completion,
        issuer_profile(context.base_url, institution),
        enrolled_at(session, completion),
        student_number(session, completion.user_id, institution.id),
    )
    return issue(session, context, institution, completion_holding(completion), build)


def signed_document(credential: IssuedCredential) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(credential.document)
    return document
