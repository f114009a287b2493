"""Add to wallet: a VC API exchange for one record of one learner, which a wallet completes by
proving a DID; the platform then issues a copy of the record to that DID.

The exchange is made by the signed-in holder (from the record's page) and is its own secret: the
wallet that has its URL may start it, but only a presentation signed by a DID over the exchange's
challenge and the platform's domain completes it. It completes once: the same DID answering again
gets the same copy back; another DID is refused. The copy goes through the one issuing pipeline
(the record's issuer key, fresh status bits of the same kinds as the record's) and rests on the
record, so revoking or suspending the record reaches it (`services.revoking`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.core.wallet import did_authentication_request, holder_copy
from mooc.credentials.models import IssuedCredential, WalletExchange
from mooc.credentials.presentations import PresentationReport, check_presentation
from mooc.credentials.services.issuing import (
    Holding,
    IssuingContext,
    Slot,
    issue,
    signed_document,
)
from mooc.credentials.verification import PlatformVerifier
from mooc.db import utcnow
from mooc.errors import BadRequest, Conflict, Gone, NotFound

VALID_FOR = dt.timedelta(minutes=15)  # long enough to find the phone and open the wallet
ACCEPTED_METHODS = ("key", "web")  # the holder DIDs whose proofs the platform can verify
MAX_DID = 500


@dataclass(frozen=True)
class Completed:
    """The copy the wallet receives; `created` False when it was issued on an earlier answer."""

    copy: IssuedCredential
    created: bool


def platform_domain(base_url: str) -> str:
    """The platform origin: the `domain` a wallet's presentation must be signed for."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def refuse_unusable(record: IssuedCredential) -> None:
    """Raises `Conflict` for a record that cannot go to a wallet (revoked, suspended, a copy)."""
    if record.copy_of_id is not None:
        raise Conflict(_("This is already a wallet's copy of a record."))
    if record.is_revoked:
        raise Conflict(_("This record is revoked: it cannot be added to a wallet."))
    if record.is_suspended:
        raise Conflict(_("This record is suspended: it cannot be added to a wallet now."))


def create_exchange(
    session: Session, record: IssuedCredential, holder: User, *, base_url: str
) -> WalletExchange:
    """A new exchange for `record`, valid for `VALID_FOR`. Raises `NotFound` when the record is
    not `holder`'s, `Conflict` when it cannot go to a wallet."""
    if record.user_id != holder.id:
        raise NotFound(_("There is no such record."))
    refuse_unusable(record)
    exchange = WalletExchange(
        token=secrets.token_urlsafe(24),
        credential_id=record.id,
        user_id=holder.id,
        challenge=secrets.token_urlsafe(24),
        domain=platform_domain(base_url),
        expires_at=utcnow() + VALID_FOR,
    )
    session.add(exchange)
    session.flush()
    return exchange


def exchange_of(session: Session, record: IssuedCredential, exchange_id: int) -> WalletExchange:
    """One exchange of `record` (whose holder the caller checked); `NotFound` for any other."""
    found = session.scalar(
        select(WalletExchange).where(
            WalletExchange.id == exchange_id,
            WalletExchange.credential_id == record.id,
            WalletExchange.user_id == record.user_id,
        )
    )
    if found is None:
        raise NotFound(_("There is no such exchange."))
    return found


def exchange_by_token(session: Session, token: str) -> WalletExchange:
    found = session.scalar(select(WalletExchange).where(WalletExchange.token == token))
    if found is None:
        raise NotFound(_("There is no such exchange."))
    return found


def refuse_expired(exchange: WalletExchange, now: dt.datetime) -> None:
    if exchange.completed_at is None and exchange.is_expired(now):
        raise Gone(_("This exchange has expired: start a new one from the record's page."))


def presentation_request(exchange: WalletExchange, exchange_url: str) -> dict[str, Any]:
    """What a wallet starting the exchange is asked for. Raises `Gone` once it has expired."""
    refuse_expired(exchange, utcnow())
    return did_authentication_request(
        challenge=exchange.challenge,
        domain=exchange.domain,
        exchange_url=exchange_url,
        accepted_methods=ACCEPTED_METHODS,
    )


def _locked(session: Session, exchange: WalletExchange) -> WalletExchange:
    """The row again, locked until commit, so two answers never both issue a copy."""
    session.execute(
        select(WalletExchange.id).where(WalletExchange.id == exchange.id).with_for_update()
    )
    session.refresh(exchange)
    return exchange


def _proven_holder(presentation: dict[str, Any], presented: PresentationReport) -> str:
    """The DID the presentation proves; raises `BadRequest` unless its holder's proof passed."""
    if not presented.holder_verified:
        failed = next((c for c in presented.checks if c.status != "passed"), None)
        raise BadRequest(
            _(
                "The presentation does not prove a DID for this exchange: %(reason)s",
                reason=failed.message if failed else "?",
            )
        )
    holder = presented.holder
    if holder is None:  # no `holder` named: the DID whose key signed (the resolver checked it)
        proof = presentation.get("proof")
        proof = proof[0] if isinstance(proof, list) and proof else proof
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        holder = method.partition("#")[0] if isinstance(method, str) else None
    if not holder or not holder.startswith("did:") or len(holder) > MAX_DID:
        raise BadRequest(_("The presentation must be signed by a DID."))
    return holder


def _names_a_domain(presentation: dict[str, Any]) -> bool:
    proofs = presentation.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return any(isinstance(proof, dict) and "domain" in proof for proof in proofs)


def complete_exchange(
    session: Session,
    exchange: WalletExchange,
    presentation: dict[str, Any],
    *,
    verifier: PlatformVerifier,
    context: IssuingContext,
    require_domain: bool = True,
) -> Completed:
    """Check the wallet's DIDAuthentication presentation and issue the record's copy to its DID.

    The domain is required when the wallet was asked for it (the VC API request); a wallet that
    took the challenge from the deep link (`require_domain=False`, the LCW's direct request)
    may leave it out, but a domain it signs must be the platform's. Raises `BadRequest` (not
    signed by a DID for this challenge and domain), `Conflict` (the exchange was completed by
    another DID, or the record was revoked or suspended meanwhile), `Gone` (expired).
    """
    exchange = _locked(session, exchange)
    domain = exchange.domain if require_domain or _names_a_domain(presentation) else None
    presented = check_presentation(
        verifier, presentation, challenge=exchange.challenge, domain=domain
    )
    holder = _proven_holder(presentation, presented)
    if exchange.completed_at is not None:
        if exchange.holder == holder and exchange.copy is not None:
            return Completed(exchange.copy, created=False)
        raise Conflict(_("This exchange was already completed by another wallet."))
    refuse_expired(exchange, utcnow())
    record = exchange.credential
    refuse_unusable(record)
    copied = issue_copy(session, record, holder, context)
    exchange.completed_at = utcnow()
    exchange.holder = holder
    exchange.copy_id = copied.id
    session.flush()
    return Completed(copied, created=True)


def issue_copy(
    session: Session, record: IssuedCredential, holder: str, context: IssuingContext
) -> IssuedCredential:
    """`record` issued again to `holder` (its `credentialSubject.id`), by the same issuer, with
    status bits of its own of the same kinds, resting on `record`; its document names one status
    entry (`Slot.entry`), also when `record` is an older one naming two."""
    document = signed_document(record)
    holding = Holding(
        record.kind,
        record.user_id,
        includes=(record.id,),
        suspendable=record.suspension_list_id is not None,
        copy_of=record.id,
    )

    def build(slot: Slot) -> dict[str, Any]:
        return holder_copy(
            document,
            holder=holder,
            credential_id=slot.credential_id,
            statuses=[slot.entry.to_json()],
        )

    return issue(session, context, record.institution, holding, build)
