"""Bitstring Status Lists of the credentials institutions' systems sign through the VC API:
one list per issuer identifier and purpose (revocation or suspension), a random free bit per
entry, the list re-signed by the key it names whenever a bit changes.

Apart from the platform records' lists (`status_lists`): a posted credential has no learner, and
its suspension can be lifted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.core.canonical import CanonicalizationError
from mooc.credentials.core.contexts import UnknownContext
from mooc.credentials.core.multikey import did_key_verification_method
from mooc.credentials.core.proof import ProofError, create_proof
from mooc.credentials.core.status_list import MIN_BITS, Bitstring, status_list_credential
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import IssuerKey, VcApiCredential, VcApiStatusEntry, VcApiStatusList
from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.services.keys import SigningKey, unseal
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound

LIST_LENGTH = MIN_BITS
FILL_LIMIT = LIST_LENGTH // 2  # a random free index stays a lottery (see status_lists)
MAX_INDEX_CLASHES = 8
STATUS_PATH = "/api/v1/vc-api/status-lists"
_LIST_URL = re.compile(r"/([A-Za-z0-9._~-]+)/(revocation|suspension)/(\d{1,9})")


def list_url(base_url: str, slug: str, purpose: str, number: int) -> str:
    return f"{base_url}{STATUS_PATH}/{slug}/{purpose}/{number}"


def list_place(base_url: str, url: str) -> tuple[str, str, int] | None:
    """(slug, purpose, number) of one of these lists' URLs on this platform, else None."""
    prefix = base_url + STATUS_PATH
    match = _LIST_URL.fullmatch(url.removeprefix(prefix)) if url.startswith(prefix) else None
    return (match[1], match[2], int(match[3])) if match else None


@dataclass(frozen=True)
class Signer:
    """The issuer identifier a credential is signed as, and the unsealed key signing it."""

    issuer: str
    verification_method: str
    key: SigningKey


def signed_with(document: Mapping[str, Any], signer: Signer, at: dt.datetime) -> dict[str, Any]:
    """`document` with the institution's proof; `Invalid` names what JSON-LD refused."""
    try:
        return create_proof(document, signer.key.private_key, signer.verification_method, at)
    except (UnknownContext, CanonicalizationError, ProofError) as error:
        raise Invalid(_("The credential cannot be signed: %(reason)s", reason=str(error))) from None


def _latest(session: Session, institution_id: int, purpose: str) -> int:
    return (
        session.scalar(
            select(func.max(VcApiStatusList.number)).where(
                VcApiStatusList.institution_id == institution_id,
                VcApiStatusList.purpose == purpose,
            )
        )
        or 0
    )


def _list_document(
    base_url: str, status_list: VcApiStatusList, bits: Bitstring, signer: Signer
) -> str:
    now = utcnow().replace(microsecond=0)
    unsigned = status_list_credential(
        list_url(base_url, status_list.institution.slug, status_list.purpose, status_list.number),
        signer.issuer,
        bits,
        now,
        purpose=status_list.purpose,
    )
    return json.dumps(signed_with(unsigned, signer, now), ensure_ascii=False, indent=2)


def current_list(
    session: Session, base_url: str, institution: Institution, purpose: str, signer: Signer
) -> VcApiStatusList:
    """The list of this issuer identifier and purpose new entries go on (a new one when half
    full); a concurrent starter of the same list wins, and its list is used."""
    latest = session.scalar(
        select(VcApiStatusList)
        .where(
            VcApiStatusList.institution_id == institution.id,
            VcApiStatusList.purpose == purpose,
            VcApiStatusList.issuer == signer.issuer,
        )
        .order_by(VcApiStatusList.number.desc())
        .limit(1)
    )
    if latest is not None:
        used = session.scalar(
            select(func.count()).where(VcApiStatusEntry.status_list_id == latest.id)
        )
        if (used or 0) < FILL_LIMIT:
            return latest
    for _attempt in range(MAX_INDEX_CLASHES):
        status_list = VcApiStatusList(
            institution=institution,
            institution_id=institution.id,
            issuer=signer.issuer,
            key_id=signer.key.key_id,
            purpose=purpose,
            number=_latest(session, institution.id, purpose) + 1,
            length=LIST_LENGTH,
            credential="",
            version=1,
        )
        status_list.credential = _list_document(
            base_url, status_list, Bitstring.zeros(LIST_LENGTH), signer
        )
        try:
            with session.begin_nested():
                session.add(status_list)
                session.flush()
        except IntegrityError:  # another issuer took this number a moment ago
            continue
        return status_list
    raise Conflict(_("Another credential was issued at the same moment. Please try again."))


def allocate(
    session: Session, row: VcApiCredential, status_list: VcApiStatusList
) -> VcApiStatusEntry:
    for _attempt in range(MAX_INDEX_CLASHES):
        entry = VcApiStatusEntry(
            credential_ref=row.id,
            status_list_id=status_list.id,
            status_index=secrets.randbelow(status_list.length),
            is_set=False,
        )
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:  # the bit was taken: draw again
            continue
        return entry
    raise Conflict(_("Another credential was issued at the same moment. Please try again."))


def republish(session: Session, context: IssuingContext, status_list: VcApiStatusList) -> None:
    """Sign the list again with the bits of its set entries, with the key it names."""
    indexes = session.scalars(
        select(VcApiStatusEntry.status_index).where(
            VcApiStatusEntry.status_list_id == status_list.id, VcApiStatusEntry.is_set.is_(True)
        )
    ).all()
    key = session.get(IssuerKey, status_list.key_id)
    assert key is not None  # the list's foreign key
    unsealed = unseal(key, context.kek, issuer_did(context.base_url, status_list.institution))
    if status_list.issuer.startswith("did:key:"):
        method = did_key_verification_method(status_list.issuer).id
    else:
        method = unsealed.verification_method
    signer = Signer(status_list.issuer, method, unsealed)
    bits = Bitstring.zeros(status_list.length).set_many(indexes)
    status_list.credential = _list_document(context.base_url, status_list, bits, signer)
    status_list.version += 1
    session.flush()


def published_list(session: Session, slug: str, purpose: str, number: int) -> VcApiStatusList:
    found = session.scalar(
        select(VcApiStatusList)
        .join(Institution, Institution.id == VcApiStatusList.institution_id)
        .where(
            Institution.slug == slug,
            VcApiStatusList.purpose == purpose,
            VcApiStatusList.number == number,
        )
    )
    if found is None:
        raise NotFound(_("There is no such status list."))
    return found


def local_list(session: Session, base_url: str, url: str) -> dict[str, Any] | None:
    """The signed list at `url` when it is one of these lists of this platform (read from the
    database, no HTTP); None for any other URL. Raises `NotFound` for a missing one."""
    place = list_place(base_url, url)
    if place is None:
        return None
    document: dict[str, Any] = json.loads(published_list(session, *place).credential)
    return document
