"""Who issues: an institution's did:web (from MOOC_BASE_URL), its DID document with every key it
ever used, the platform's own issuer, and the published trust list of the platform's issuers.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.core.did import did_document, did_web, institution_did
from mooc.credentials.core.records import IssuerProfile
from mooc.credentials.models import IssuerKey
from mooc.credentials.services.keys import institution_keys, published_keys
from mooc.errors import NotFound

_SLUG = re.compile(r"^[A-Za-z0-9._~-]+$")


def issuer_did(base_url: str, institution: Institution) -> str:
    return institution_did(base_url, institution.slug)


def issuer_profile(base_url: str, institution: Institution) -> IssuerProfile:
    return IssuerProfile(id=issuer_did(base_url, institution), name=institution.name, url=base_url)


def own_slug(base_url: str, did: str) -> str | None:
    """The institution slug of one of the platform's own did:web issuers, or None."""
    prefix = did_web(base_url, "institutions") + ":"
    if not did.startswith(prefix):
        return None
    slug = did[len(prefix) :]
    return slug if _SLUG.match(slug) else None


def institution_by_slug(session: Session, slug: str) -> Institution:
    found = session.scalar(select(Institution).where(Institution.slug == slug))
    if found is None:
        raise NotFound(_("There is no institution %(slug)s.", slug=slug))
    return found


def issuer_document(session: Session, base_url: str, institution: Institution) -> dict[str, Any]:
    """The DID document of an institution, listing every key (rotated ones too).

    Raises `NotFound` when the institution has never had a key (it has issued nothing).
    """
    keys = institution_keys(session, institution.id)
    if not keys:
        raise NotFound(_("%(name)s has not issued records yet.", name=institution.name))
    return did_document(issuer_did(base_url, institution), published_keys(keys))


def own_did_document(session: Session, base_url: str, did: str) -> dict[str, Any]:
    """The DID document of one of the platform's issuers, read from the database (no HTTP)."""
    slug = own_slug(base_url, did)
    if slug is None:
        raise NotFound(_("%(did)s is not an issuer of this platform.", did=did))
    return issuer_document(session, base_url, institution_by_slug(session, slug))


def issuing_institutions(session: Session) -> list[Institution]:
    """Institutions that hold keys, i.e. that have a DID document."""
    with_keys = select(IssuerKey.institution_id).distinct()
    return list(
        session.scalars(
            select(Institution).where(Institution.id.in_(with_keys)).order_by(Institution.slug)
        )
    )


def is_own_issuer(session: Session, base_url: str, did: str) -> bool:
    slug = own_slug(base_url, did)
    if slug is None:
        return False
    return bool(
        session.scalar(
            select(IssuerKey.id)
            .join(Institution, Institution.id == IssuerKey.institution_id)
            .where(Institution.slug == slug)
            .limit(1)
        )
    )


def trust_list(session: Session, base_url: str) -> dict[str, Any]:
    """The issuers whose records this platform vouches for, with where their keys are."""
    issuers = []
    for institution in issuing_institutions(session):
        issuers.append(
            {
                "id": issuer_did(base_url, institution),
                "name": institution.name,
                "kind": institution.kind.value,
                "didDocument": f"{base_url}/institutions/{institution.slug}/did.json",
            }
        )
    return {
        "name": "mooc trust list",
        "url": f"{base_url}/trust-list.json",
        "host": urlsplit(base_url).netloc,
        "issuers": issuers,
    }
