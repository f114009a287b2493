"""Institutions' signing keys: generated on first need, rotated on demand, private halves sealed
with AES-256-GCM under the key-encryption key (MOOC_KEY_ENCRYPTION_KEY), which is never stored
in the database.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.core.did import PublishedKey
from mooc.credentials.core.multikey import encode_public_key
from mooc.credentials.models import IssuerKey
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid

NONCE_BYTES = 12


class KeyUnavailable(Conflict):
    """A private key that cannot be unsealed with the configured key-encryption key."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    """The 32-byte AES key that seals issuers' private keys, from MOOC_KEY_ENCRYPTION_KEY."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise Invalid("the key-encryption key must be 32 bytes")

    def __repr__(self) -> str:
        return f"KeyEncryptionKey({self.fingerprint})"

    @classmethod
    def from_setting(cls, text: str) -> KeyEncryptionKey:
        if not text:
            raise Invalid("MOOC_KEY_ENCRYPTION_KEY is not set: issuer keys cannot be used")
        padded = text.strip() + "=" * (-len(text.strip()) % 4)
        return cls(base64.urlsafe_b64decode(padded))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(b"mooc-kek:" + self.key).hexdigest()[:16]

    def seal(self, seed: bytes, associated: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, seed, associated)

    def unseal(self, sealed: bytes, associated: bytes) -> bytes:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return AESGCM(self.key).decrypt(nonce, body, associated)


def _associated(institution_id: int, fragment: str) -> bytes:
    """Binds a sealed key to its row: a ciphertext copied onto another issuer will not open."""
    return f"mooc-issuer-key:{institution_id}:{fragment}".encode()


@dataclass(frozen=True)
class SigningKey:
    """An unsealed key, ready to sign as `verification_method`."""

    key_id: int
    institution_id: int
    verification_method: str
    seed: bytes

    def __repr__(self) -> str:  # never print key material
        return f"SigningKey({self.verification_method})"

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def active_key(session: Session, institution_id: int) -> IssuerKey | None:
    return session.scalar(
        select(IssuerKey).where(
            IssuerKey.institution_id == institution_id, IssuerKey.active.is_(True)
        )
    )


def institution_keys(session: Session, institution_id: int) -> list[IssuerKey]:
    """Every key an institution ever used, oldest first (all stay in its DID document)."""
    return list(
        session.scalars(
            select(IssuerKey)
            .where(IssuerKey.institution_id == institution_id)
            .order_by(IssuerKey.created_at, IssuerKey.id)
        )
    )


def keys_by_institution(
    session: Session, institution_ids: Collection[int]
) -> dict[int, list[IssuerKey]]:
    """`institution_keys` of several institutions in one statement (every id is a key)."""
    found: dict[int, list[IssuerKey]] = {i: [] for i in institution_ids}
    if found:
        for key in session.scalars(
            select(IssuerKey)
            .where(IssuerKey.institution_id.in_(found))
            .order_by(IssuerKey.created_at, IssuerKey.id)
        ):
            found[key.institution_id].append(key)
    return found


def published_keys(keys: list[IssuerKey]) -> list[PublishedKey]:
    return [PublishedKey(key.fragment, key.public_key_multibase) for key in keys]


def _new_key(institution: Institution, kek: KeyEncryptionKey) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    fragment = f"key-{utcnow():%Y%m%d}-{secrets.token_hex(3)}"
    return IssuerKey(
        institution_id=institution.id,
        fragment=fragment,
        public_key_multibase=encode_public_key(private.public_key()),
        private_key_encrypted=kek.seal(seed, _associated(institution.id, fragment)),
        kek_fingerprint=kek.fingerprint,
        active=True,
    )


def ensure_active_key(
    session: Session, institution: Institution, kek: KeyEncryptionKey
) -> IssuerKey:
    """The institution's active key, generated on first need (once, also when processes race)."""
    existing = active_key(session, institution.id)
    if existing is not None:
        return existing
    key = _new_key(institution, kek)
    try:
        with session.begin_nested():
            session.add(key)
            session.flush()
    except IntegrityError:  # another process generated it first
        found = active_key(session, institution.id)
        if found is None:
            raise
        return found
    return key


def rotate_key(session: Session, institution: Institution, kek: KeyEncryptionKey) -> IssuerKey:
    """Start signing with a new key; the old ones stay published, so their records verify."""
    for key in session.scalars(
        select(IssuerKey)
        .where(IssuerKey.institution_id == institution.id, IssuerKey.active.is_(True))
        .with_for_update()
    ):
        key.active = False
    session.flush()
    key = _new_key(institution, kek)
    session.add(key)
    session.flush()
    return key


def unseal(key: IssuerKey, kek: KeyEncryptionKey, did: str) -> SigningKey:
    """The usable key; raises `KeyUnavailable` when MOOC_KEY_ENCRYPTION_KEY is not the one
    that sealed it."""
    if key.kek_fingerprint != kek.fingerprint:
        raise KeyUnavailable(
            f"the key {key.fragment} was sealed with another MOOC_KEY_ENCRYPTION_KEY "
            f"(fingerprint {key.kek_fingerprint}, configured {kek.fingerprint})"
        )
    try:
        seed = kek.unseal(key.private_key_encrypted, _associated(key.institution_id, key.fragment))
    except InvalidTag:
        raise KeyUnavailable(f"the sealed key {key.fragment} does not open: altered?") from None
    return SigningKey(
        key_id=key.id,
        institution_id=key.institution_id,
        verification_method=f"{did}#{key.fragment}",
        seed=seed,
    )
