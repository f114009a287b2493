"""The W3C VC API for institutions' own systems: sign a posted credential with the institution's
key (eddsa-rdfc-2022), with Bitstring Status List entries when asked, and set their status.

The credential is issued as the institution's did:web, or as the did:key of its active key (what
the W3C test suites resolve); its status lists are issued as the same identifier and signed by
the same key, so verifiers accept them. These lists are apart from the platform records' lists:
a posted credential has no learner, and its suspension can be lifted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.audit import record_entry
from mooc.credentials.core.canonical import CanonicalizationError
from mooc.credentials.core.contexts import DATA_INTEGRITY_V2, UnknownContext
from mooc.credentials.core.multikey import did_key, did_key_verification_method
from mooc.credentials.core.proof import ProofError, create_proof
from mooc.credentials.core.status_list import (
    MIN_BITS,
    PURPOSES,
    Bitstring,
    StatusListEntry,
    status_list_credential,
)
from mooc.credentials.core.structure import check_structure, is_vc_1_1
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import (
    IssuerKey,
    VcApiAuditEntry,
    VcApiCredential,
    VcApiStatusEntry,
    VcApiStatusList,
)
from mooc.credentials.services.issuing import IssuingContext, signer_for
from mooc.credentials.services.keys import SigningKey, unseal
from mooc.credentials.services.signing import serialize
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


def _signer(
    session: Session, context: IssuingContext, institution: Institution, issuer: str
) -> Signer:
    key = signer_for(session, context, institution)
    web = issuer_did(context.base_url, institution)
    if issuer == web:
        return Signer(web, key.verification_method, key)
    own_key = did_key(key.private_key.public_key())
    if issuer == own_key:
        return Signer(own_key, did_key_verification_method(own_key).id, key)
    raise Invalid(
        _(
            "The credential's issuer must be %(web)s or %(key)s (the institution's key).",
            web=web,
            key=own_key,
        ),
        field="issuer",
    )


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _signed(document: Mapping[str, Any], signer: Signer, at: dt.datetime) -> dict[str, Any]:
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
    return json.dumps(_signed(unsigned, signer, now), ensure_ascii=False, indent=2)


def _current_list(
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


def _allocate(
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


def _audit(
    session: Session, institution_id: int, actor_id: int | None, action: str, row_id: int, **kw: Any
) -> None:
    summary = f"{action} {kw.get('credential_id') or row_id}"[:300]
    record_entry(
        session,
        VcApiAuditEntry,
        actor_id=actor_id,
        action=action,
        object_type="vc-api-credential",
        object_id=row_id,
        summary=summary,
        details=kw,
        institution_id=institution_id,
    )


def _signed_row(
    session: Session,
    context: IssuingContext,
    institution: Institution,
    document: dict[str, Any],
    signer: Signer,
    purposes: Sequence[str],
) -> VcApiCredential:
    """The stored row of `document` signed, with its status entries drawn first."""
    row = VcApiCredential(
        institution_id=institution.id,
        key_id=signer.key.key_id,
        credential_id=str(document["id"])[:500] if isinstance(document.get("id"), str) else None,
        document="",
        issued_at=utcnow().replace(microsecond=0),
    )
    session.add(row)
    session.flush()
    entries = []
    for purpose in dict.fromkeys(purposes):
        status_list = _current_list(session, context.base_url, institution, purpose, signer)
        entry = _allocate(session, row, status_list)
        url = list_url(context.base_url, institution.slug, purpose, status_list.number)
        entries.append(StatusListEntry(url, entry.status_index, purpose).to_json())
    if entries:
        document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    row.document = serialize(_signed(document, signer, row.issued_at))
    session.flush()
    return row


def issue_posted(
    session: Session,
    context: IssuingContext,
    institution: Institution,
    credential: Mapping[str, Any],
    *,
    purposes: Sequence[str] = (),
    actor_id: int | None,
    token: str,
) -> VcApiCredential:
    """Sign a credential posted by the institution's system, with one status entry per purpose.

    Raises `Invalid` when the issuer is not the institution, the credential is already secured,
    does not follow the VC data model, or uses terms its contexts do not define;
    `KeyUnavailable` when the issuer's key cannot be unsealed; `Conflict` on repeated clashes.
    """
    unknown = [purpose for purpose in purposes if purpose not in PURPOSES]
    if unknown:
        raise Invalid(_("A status purpose is revocation or suspension."), field="options")
    if "proof" in credential:
        raise Invalid(_("The credential is already secured: send it without a proof."))
    if not isinstance(credential.get("@context"), list):
        raise Invalid(_("The credential needs an @context list."), field="@context")
    signer = _signer(session, context, institution, str(_issuer_id(credential)))
    document = dict(credential)
    if is_vc_1_1(document) and DATA_INTEGRITY_V2 not in document["@context"]:
        # VC 1.1 defines no DataIntegrityProof terms: the proof's own context is added
        document["@context"] = [*document["@context"], DATA_INTEGRITY_V2]
    if purposes and "credentialStatus" in document:
        raise Invalid(_("The credential already has a credentialStatus."))
    structure = check_structure({**document, "proof": {}})
    if not structure.well_formed:
        raise Invalid("; ".join(structure.errors))
    with session.begin_nested():  # a credential that cannot be signed leaves nothing behind
        row = _signed_row(session, context, institution, document, signer, purposes)
    _audit(
        session,
        institution.id,
        actor_id,
        "issue",
        row.id,
        credential_id=row.credential_id,
        token=token,
        status=list(dict.fromkeys(purposes)),
    )
    return row


def signed_credential(row: VcApiCredential) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row.document)
    return document


def _entry_by_status_id(
    session: Session, base_url: str, institution: Institution, entry_id: str
) -> VcApiStatusEntry | None:
    url, _sep, index = entry_id.partition("#")
    place = list_place(base_url, url)
    if place is None or place[0] != institution.slug or not index.isdigit() or len(index) > 9:
        return None
    return session.scalar(
        select(VcApiStatusEntry)
        .join(VcApiStatusList, VcApiStatusList.id == VcApiStatusEntry.status_list_id)
        .where(
            VcApiStatusList.institution_id == institution.id,
            VcApiStatusList.purpose == place[1],
            VcApiStatusList.number == place[2],
            VcApiStatusEntry.status_index == int(index),
        )
    )


def _entry_of_credential(
    session: Session, institution: Institution, credential_id: str, purpose: str
) -> VcApiStatusEntry | None:
    return session.scalar(
        select(VcApiStatusEntry)
        .join(VcApiCredential, VcApiCredential.id == VcApiStatusEntry.credential_ref)
        .join(VcApiStatusList, VcApiStatusList.id == VcApiStatusEntry.status_list_id)
        .where(
            VcApiCredential.institution_id == institution.id,
            VcApiCredential.credential_id == credential_id,
            VcApiStatusList.purpose == purpose,
        )
        .order_by(VcApiCredential.id.desc())
        .limit(1)
    )


def set_status(
    session: Session,
    context: IssuingContext,
    institution: Institution,
    *,
    credential_id: str | None,
    entry_id: str | None,
    purpose: str,
    value: bool,
    actor_id: int | None,
    token: str,
) -> VcApiStatusEntry:
    """Set (or, for suspension, clear) the status bit of a credential this institution signed
    through the VC API, found by its `id` or by its status entry's `id`; the list is re-signed.

    Raises `Invalid` for an unknown purpose, `NotFound` when the institution signed no such
    credential with such an entry, `Conflict` when asked to undo a revocation.
    """
    if purpose not in PURPOSES:
        raise Invalid(_("statusPurpose must be revocation or suspension."), field="statusPurpose")
    entry = None
    if credential_id:
        entry = _entry_of_credential(session, institution, credential_id, purpose)
    elif entry_id:
        entry = _entry_by_status_id(session, context.base_url, institution, entry_id)
    if entry is None or entry.status_list.purpose != purpose:
        raise NotFound(
            _(
                "This institution signed no such credential with a %(purpose)s entry.",
                purpose=purpose,
            )
        )
    if purpose == "revocation" and entry.is_set and not value:
        raise Conflict(_("A revoked credential cannot be reinstated."))
    status_list = session.scalar(
        select(VcApiStatusList).where(VcApiStatusList.id == entry.status_list_id).with_for_update()
    )
    assert status_list is not None  # the entry's foreign key
    changed = entry.is_set != value
    entry.is_set = value
    session.flush()
    if changed:
        republish(session, context, status_list)
    _audit(
        session,
        institution.id,
        actor_id,
        f"{'set' if value else 'clear'}-{purpose}",
        entry.credential_ref,
        credential_id=entry.credential.credential_id,
        token=token,
        index=entry.status_index,
    )
    return entry


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
