"""The W3C VC API for institutions' own systems: sign a posted credential with the institution's
key (eddsa-rdfc-2022), with Bitstring Status List entries when asked, and set their status.

The credential is issued as the institution's did:web, or as the did:key of its active key (what
the W3C test suites resolve); its status lists (`vcapi_status_lists`) are issued as the same
identifier and signed by the same key, so verifiers accept them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.audit import record_entry
from mooc.credentials.core.contexts import DATA_INTEGRITY_V2
from mooc.credentials.core.multikey import did_key, did_key_verification_method
from mooc.credentials.core.status_list import PURPOSES, StatusListEntry
from mooc.credentials.core.structure import check_structure, is_vc_1_1
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import (
    VcApiAuditEntry,
    VcApiCredential,
    VcApiStatusEntry,
    VcApiStatusList,
)
from mooc.credentials.services.issuing import IssuingContext, signer_for
from mooc.credentials.services.signing import serialize
from mooc.credentials.services.vcapi_status_lists import (
    Signer,
    allocate,
    current_list,
    list_place,
    list_url,
    republish,
    signed_with,
)
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound

MAX_ID = 500  # the stored credential_id, by which its status is set later


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
        credential_id=document["id"] if isinstance(document.get("id"), str) else None,
        document="",
        issued_at=utcnow().replace(microsecond=0),
    )
    session.add(row)
    session.flush()
    entries = []
    for purpose in dict.fromkeys(purposes):
        status_list = current_list(session, context.base_url, institution, purpose, signer)
        entry = allocate(session, row, status_list)
        url = list_url(context.base_url, institution.slug, purpose, status_list.number)
        entries.append(StatusListEntry(url, entry.status_index, purpose).to_json())
    if entries:
        document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    row.document = serialize(signed_with(document, signer, row.issued_at))
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
    if len(str(credential.get("id", ""))) > MAX_ID:
        raise Invalid(_("The credential's id has more than %(n)d characters.", n=MAX_ID))
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
