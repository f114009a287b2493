"""Status lists of the platform's issuers: revocation lists (every record has a bit) and
suspension lists (records that rest on others: a recognition record is suspended while its source
record is revoked); random free indexes for new records, and the signed list credential, re-signed
whenever a bit changes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.status_list import (
    MIN_BITS,
    Bitstring,
    StatusListEntry,
    status_list_credential,
)
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import IssuedCredential, StatusList
from mooc.credentials.services.keys import SigningKey
from mooc.db import utcnow
from mooc.errors import NotFound

PURPOSE = "revocation"
SUSPENSION = "suspension"
# The path segment each purpose's lists are published under (revocation kept its first URL).
_SEGMENTS = {PURPOSE: "status", SUSPENSION: "suspension"}
LIST_LENGTH = MIN_BITS
# A new list is started once half the bits are taken, so a random free index stays a real
# lottery (an index says nothing about when, or to whom, a record was issued).
FILL_LIMIT = LIST_LENGTH // 2


def list_url(base_url: str, slug: str, number: int, purpose: str = PURPOSE) -> str:
    return f"{base_url}/institutions/{slug}/{_SEGMENTS[purpose]}/{number}"


def entry_for(base_url: str, status_list: StatusList, index: int) -> StatusListEntry:
    url = list_url(base_url, status_list.institution.slug, status_list.number, status_list.purpose)
    return StatusListEntry(url, index, status_list.purpose)


def _signed_list(
    base_url: str,
    institution: Institution,
    number: int,
    bits: Bitstring,
    signer: SigningKey,
    purpose: str = PURPOSE,
) -> str:
    now = utcnow()
    unsigned = status_list_credential(
        list_url(base_url, institution.slug, number, purpose),
        issuer_did(base_url, institution),
        bits,
        now,
        purpose=purpose,
    )
    signed = create_proof(unsigned, signer.private_key, signer.verification_method, now)
    return json.dumps(signed, ensure_ascii=False, indent=2)


def _bit_columns(purpose: str) -> tuple[Any, Any]:
    """The columns of a record's list and index for lists of `purpose`."""
    if purpose == SUSPENSION:
        return IssuedCredential.suspension_list_id, IssuedCredential.suspension_index
    return IssuedCredential.status_list_id, IssuedCredential.status_index


def used_count(session: Session, status_list_id: int, purpose: str = PURPOSE) -> int:
    list_column, _index = _bit_columns(purpose)
    return session.scalar(select(func.count()).where(list_column == status_list_id)) or 0


def used_indexes(session: Session, status_list_id: int) -> set[int]:
    return set(
        session.scalars(
            select(IssuedCredential.status_index).where(
                IssuedCredential.status_list_id == status_list_id
            )
        )
    )


def latest_list(session: Session, institution_id: int, purpose: str = PURPOSE) -> StatusList | None:
    return session.scalar(
        select(StatusList)
        .where(StatusList.institution_id == institution_id, StatusList.purpose == purpose)
        .order_by(StatusList.number.desc())
        .limit(1)
    )


def new_list(
    session: Session,
    base_url: str,
    institution: Institution,
    signer: SigningKey,
    purpose: str = PURPOSE,
) -> StatusList:
    """Start the institution's next list (all bits clear), published signed at once."""
    latest = latest_list(session, institution.id, purpose)
    number = latest.number + 1 if latest else 1
    bits = Bitstring.zeros(LIST_LENGTH)
    status_list = StatusList(
        institution_id=institution.id,
        institution=institution,
        purpose=purpose,
        number=number,
        length=LIST_LENGTH,
        encoded_list=bits.encode(),
        credential=_signed_list(base_url, institution, number, bits, signer, purpose),
        version=1,
    )
    try:
        with session.begin_nested():
            session.add(status_list)
            session.flush()
    except IntegrityError:  # a parallel issuer started this list a moment ago
        found = latest_list(session, institution.id, purpose)
        if found is None:
            raise
        return found
    return status_list


def current_list(
    session: Session,
    base_url: str,
    institution: Institution,
    signer: SigningKey,
    purpose: str = PURPOSE,
) -> StatusList:
    """The list new records of `institution` go on: the newest one, unless half full."""
    latest = latest_list(session, institution.id, purpose)
    if latest is not None and used_count(session, latest.id, purpose) < FILL_LIMIT:
        return latest
    return new_list(session, base_url, institution, signer, purpose)


def random_free_index(session: Session, status_list: StatusList) -> int:
    """A random index not yet given to a record (the list is at most half full)."""
    list_column, index_column = _bit_columns(status_list.purpose)
    while True:
        index = secrets.randbelow(status_list.length)
        taken = session.scalar(
            select(IssuedCredential.id).where(list_column == status_list.id, index_column == index)
        )
        if taken is None:
            return index


@dataclass
class IndexPool:
    """Free indexes of one list for a batch: what is taken is read once, then kept in memory."""

    length: int
    taken: set[int]

    @property
    def is_full(self) -> bool:
        return len(self.taken) >= min(FILL_LIMIT, self.length // 2)

    def take(self) -> int:
        while True:
            index = secrets.randbelow(self.length)
            if index not in self.taken:
                self.taken.add(index)
                return index


def republish(session: Session, base_url: str, status_list: StatusList, signer: SigningKey) -> None:
    """Set the bits of every revoked record of the list (on a suspension list, of every
    suspended or revoked one: a revoked record is never lifted) and re-sign it (a new version).

    The row is locked first, so two changes at once cannot publish a list missing either.
    """
    session.scalar(select(StatusList).where(StatusList.id == status_list.id).with_for_update())
    if status_list.purpose == SUSPENSION:
        condition = or_(
            IssuedCredential.suspended_at.is_not(None), IssuedCredential.revoked_at.is_not(None)
        )
    else:
        condition = IssuedCredential.revoked_at.is_not(None)
    list_column, index_column = _bit_columns(status_list.purpose)
    set_bits = session.scalars(
        select(index_column).where(list_column == status_list.id, condition)
    ).all()
    bits = Bitstring.zeros(status_list.length).set_many([i for i in set_bits if i is not None])
    status_list.encoded_list = bits.encode()
    status_list.credential = _signed_list(
        base_url,
        status_list.institution,
        status_list.number,
        bits,
        signer,
        status_list.purpose,
    )
    status_list.version += 1
    session.flush()


def published_list(session: Session, slug: str, number: int, purpose: str = PURPOSE) -> StatusList:
    found = session.scalar(
        select(StatusList)
        .join(Institution, Institution.id == StatusList.institution_id)
        .where(
            Institution.slug == slug,
            StatusList.number == number,
            StatusList.purpose == purpose,
        )
    )
    if found is None:
        raise NotFound(_("There is no such status list."))
    return found


def list_document(status_list: StatusList) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(status_list.credential)
    return document
