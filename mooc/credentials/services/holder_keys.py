"""Learners' holder keys and the presentations made with them from My records.

The platform holds one Ed25519 key per learner (sealed under MOOC_KEY_ENCRYPTION_KEY, as issuers'
keys are) so a learner without a wallet can still answer a verifier's request with a signed
presentation: its holder is the did:key of that key, and anyone can check the proof.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.core.contexts import CREDENTIALS_V2
from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import sign_presentation
from mooc.credentials.models import HolderKey, IssuedCredential
from mooc.credentials.services.issuing import signed_document
from mooc.credentials.services.keys import KeyEncryptionKey, KeyUnavailable
from mooc.db import utcnow


@dataclass(frozen=True)
class HolderSigner:
    """A learner's unsealed holder key, ready to sign as `verification_method`."""

    did: str
    seed: bytes

    def __repr__(self) -> str:  # never print key material
        return f"HolderSigner({self.did})"

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    def sign(self, data: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(data)


def _associated(user_id: int) -> bytes:
    """Binds a sealed key to its learner: a ciphertext copied onto another row will not open."""
    return f"mooc-holder-key:{user_id}".encode()


def holder_did(session: Session, user_id: int) -> str | None:
    """The learner's platform-held holder DID, if they have made a presentation yet."""
    return session.scalar(select(HolderKey.did).where(HolderKey.user_id == user_id))


def holder_owner(session: Session, did: str) -> int | None:
    """The learner whose platform-held key `did` is, if any."""
    return session.scalar(select(HolderKey.user_id).where(HolderKey.did == did))


def holder_signer(session: Session, user: User, kek: KeyEncryptionKey) -> HolderSigner:
    """The learner's holder key, made on first use (two first uses at once make one).

    Raises `KeyUnavailable` when the configured key-encryption key cannot open it.
    """
    row = session.scalar(select(HolderKey).where(HolderKey.user_id == user.id))
    if row is None:
        seed = secrets.token_bytes(32)
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        row = HolderKey(
            user_id=user.id,
            did=did_key(public),
            private_key_encrypted=kek.seal(seed, _associated(user.id)),
            kek_fingerprint=kek.fingerprint,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.scalars(select(HolderKey).where(HolderKey.user_id == user.id)).one()
    if row.kek_fingerprint != kek.fingerprint:
        raise KeyUnavailable("the holder key was sealed with another key-encryption key")
    try:
        seed = kek.unseal(row.private_key_encrypted, _associated(user.id))
    except InvalidTag:
        raise KeyUnavailable("the sealed holder key does not open: altered?") from None
    return HolderSigner(row.did, seed)


def present_records(
    signer: HolderSigner,
    records: Sequence[IssuedCredential],
    *,
    challenge: str,
    domain: str,
) -> dict[str, Any]:
    """A presentation of the learner's signed records, signed with their holder key for the
    verifier's challenge and domain."""
    unsigned = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": signer.did,
        "verifiableCredential": [signed_document(record) for record in records],
    }
    return sign_presentation(
        unsigned,
        signer,
        signer.verification_method,
        utcnow(),
        challenge=challenge,
        domain=domain,
    )
