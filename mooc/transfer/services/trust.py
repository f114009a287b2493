"""The issuers a university trusts: first copied from the platform's trust list, then kept by its
staff (external did:web / did:key issuers added with a name, any issuer removed). Every change
is audited; removed issuers stay as history and are not copied back on their own."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.credentials.core.multikey import InvalidKey, did_key_verification_method
from mooc.credentials.issuers import issuer_did, issuing_institutions
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound
from mooc.transfer import audit
from mooc.transfer.models import IssuerOrigin, TrustedIssuer
from mooc.transfer.queries import live_issuers

_DID_WEB = re.compile(r"^did:web:[A-Za-z0-9.%-]+(:[A-Za-z0-9._~%-]+)*$")
MAX_NAME = 200


def normalize_did(did: str) -> str:
    """A did:web or did:key issuer DID, checked; `Invalid` for anything else."""
    did = did.strip()
    if did.startswith("did:key:"):
        try:
            did_key_verification_method(did)
        except (InvalidKey, ValueError):
            raise Invalid(_("This did:key is not a valid Ed25519 key."), field="did") from None
        return did
    if _DID_WEB.match(did) and len(did) <= 500:
        return did
    raise Invalid(_("Give an issuer DID: did:web:example.edu or did:key:z6Mk…"), field="did")


def _live(session: Session, university_id: int, did: str) -> TrustedIssuer | None:
    return session.scalar(
        select(TrustedIssuer).where(
            TrustedIssuer.institution_id == university_id,
            TrustedIssuer.did == did,
            TrustedIssuer.removed_at.is_(None),
        )
    )


def _insert(session: Session, row: TrustedIssuer) -> bool:
    """Insert unless the issuer is already trusted (also when added at the same moment)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def add_platform_issuers(
    session: Session, university: Institution, base_url: str, actor: User | None
) -> list[TrustedIssuer]:
    """Trust every issuer of the platform's trust list not trusted yet; returns those added."""
    added = []
    for institution in issuing_institutions(session):
        did = issuer_did(base_url, institution)
        if _live(session, university.id, did) is not None:
            continue
        row = TrustedIssuer(
            institution_id=university.id,
            did=did,
            name=institution.name[:MAX_NAME],
            origin=IssuerOrigin.PLATFORM,
            added_by_id=actor.id if actor else None,
        )
        if _insert(session, row):
            added.append(row)
    if added:
        audit.record(
            session,
            institution_id=university.id,
            actor_id=actor.id if actor else None,
            action="trust",
            object_type="issuer",
            object_id=None,
            summary=f"trusted the platform's issuers: {', '.join(r.name for r in added)}",
            details={"dids": [r.did for r in added]},
        )
    return added


def ensure_trust_list(session: Session, university: Institution, base_url: str) -> None:
    """On first use, the university trusts the platform's issuers (never again on its own)."""
    ever = session.scalar(select(func.count()).where(TrustedIssuer.institution_id == university.id))
    if not ever:
        add_platform_issuers(session, university, base_url, None)


def trusted_dids(session: Session, university: Institution, base_url: str) -> frozenset[str]:
    ensure_trust_list(session, university, base_url)
    return frozenset(issuer.did for issuer in live_issuers(session, university.id))


def add_trusted_issuer(
    session: Session, university: Institution, actor: User, *, did: str, name: str
) -> TrustedIssuer:
    """Trust an issuer. Raises `Invalid` for a malformed DID or no name, `Conflict` when it is
    trusted already."""
    did = normalize_did(did)
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise Invalid(_("Give the issuer's name."), field="name")
    row = TrustedIssuer(
        institution_id=university.id,
        did=did,
        name=name,
        origin=IssuerOrigin.ADDED,
        added_by_id=actor.id,
    )
    if not _insert(session, row):
        raise Conflict(_("This issuer is trusted already."))
    audit.record(
        session,
        institution_id=university.id,
        actor_id=actor.id,
        action="trust",
        object_type="issuer",
        object_id=row.id,
        summary=f"trusted {name} ({did})",
        details={"did": did, "name": name},
    )
    return row


def remove_trusted_issuer(
    session: Session, university: Institution, actor: User, issuer_id: int
) -> TrustedIssuer:
    """Stop trusting an issuer (kept as history). Raises `NotFound` for another university's
    or an already removed issuer."""
    row = session.get(TrustedIssuer, issuer_id)
    if row is None or row.institution_id != university.id or row.removed_at is not None:
        raise NotFound(_("This issuer is not on your list."))
    row.removed_at = utcnow()
    row.removed_by_id = actor.id
    audit.record(
        session,
        institution_id=university.id,
        actor_id=actor.id,
        action="distrust",
        object_type="issuer",
        object_id=row.id,
        summary=f"stopped trusting {row.name} ({row.did})",
        details={"did": row.did},
    )
    session.flush()
    return row
