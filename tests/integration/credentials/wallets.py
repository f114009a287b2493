"""A learner's wallet for tests: its did:key, the DIDAuthentication presentation it answers an
exchange with, and a record's copy issued to it through a completed exchange."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy.orm import Session

from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import sign_presentation
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.wallet import complete_exchange, create_exchange
from mooc.db import utcnow
from tests.helpers import BASE_URL, context, platform_verifier

WALLET_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(40, 72)))
WALLET = did_key(WALLET_KEY.public_key())


def did_auth(
    challenge: str,
    domain: str,
    key: Ed25519PrivateKey = WALLET_KEY,
    *,
    holder: str | None = None,
) -> dict[str, Any]:
    did = did_key(key.public_key())
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder or did,
    }
    method = f"{did}#{did.removeprefix('did:key:')}"
    return sign_presentation(unsigned, key, method, utcnow(), challenge=challenge, domain=domain)


def copy_to_wallet(app: Flask, session: Session, record: IssuedCredential) -> IssuedCredential:
    """The holder adds `record` to the wallet: an exchange, answered; the copy issued."""
    exchange = create_exchange(session, record, record.user, base_url=BASE_URL)
    done = complete_exchange(
        session,
        exchange,
        did_auth(exchange.challenge, exchange.domain),
        verifier=platform_verifier(app, session),
        context=context(app),
    )
    return done.copy
