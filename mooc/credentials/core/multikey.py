"""Public keys as Multikey text, and did:key identifiers derived from them.

A record names its signing key by a verification method; verifiers everywhere expect Ed25519
public keys as `publicKeyMultibase` (z6Mk…, multicodec 0xed01) and reject any other spelling.
Other issuers' records may be signed with P-256 (zDn…) or P-384 (z82…) keys, which are read
for verification only. did:key needs no server at all, the identifier of choice for tests and CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    SECP384R1,
    EllipticCurve,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from mooc.credentials.core.contexts import DID_V1, MULTIKEY_V1
from mooc.credentials.core.multibase import MultibaseError, decode_base58btc, encode_base58btc

ED25519_PUBLIC_PREFIX = b"\xed\x01"  # multicodec ed25519-pub as a varint
ED25519_SECRET_PREFIX = b"\x80\x26"  # multicodec ed25519-priv as a varint
DID_KEY_PREFIX = "did:key:"
# multicodec p256-pub (0x1200) and p384-pub (0x1201) as varints, then the compressed point
_EC_PREFIXES: dict[bytes, tuple[EllipticCurve, int]] = {
    b"\x80\x24": (SECP256R1(), 33),
    b"\x81\x24": (SECP384R1(), 49),
}

PublicKey = Ed25519PublicKey | EllipticCurvePublicKey


class InvalidKey(ValueError):
    """Text that is not an Ed25519 Multikey, or a DID URL that does not name one."""


def encode_public_key(key: Ed25519PublicKey) -> str:
    """`publicKeyMultibase` of an Ed25519 public key: 'z' + base58btc(0xed01 ‖ 32 bytes)."""
    return encode_base58btc(
        ED25519_PUBLIC_PREFIX + key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def decode_public_key(text: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a `publicKeyMultibase`; any other header or length is refused."""
    try:
        raw = decode_base58btc(text)
    except MultibaseError as error:
        raise InvalidKey(f"publicKeyMultibase: {error}") from error
    if len(raw) != 34 or not raw.startswith(ED25519_PUBLIC_PREFIX):
        raise InvalidKey("publicKeyMultibase is not an Ed25519 Multikey (0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def decode_multikey(text: str) -> PublicKey:
    """The public key of a `publicKeyMultibase`: Ed25519, P-256 or P-384; others are refused."""
    try:
        raw = decode_base58btc(text)
    except MultibaseError as error:
        raise InvalidKey(f"publicKeyMultibase: {error}") from error
    if raw.startswith(ED25519_PUBLIC_PREFIX):
        return decode_public_key(text)
    curve, size = _EC_PREFIXES.get(raw[:2], (None, 0))
    if curve is None or len(raw) != 2 + size:
        raise InvalidKey("publicKeyMultibase is not an Ed25519, P-256 or P-384 Multikey")
    try:
        return EllipticCurvePublicKey.from_encoded_point(curve, raw[2:])
    except ValueError as error:
        raise InvalidKey(f"publicKeyMultibase: not a point on {curve.name}") from error


def encode_ec_public_key(key: EllipticCurvePublicKey) -> str:
    """`publicKeyMultibase` of a P-256 or P-384 key: the compressed point after its multicodec."""
    point = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    for prefix, (curve, size) in _EC_PREFIXES.items():
        if curve.name == key.curve.name and len(point) == size:
            return encode_base58btc(prefix + point)
    raise InvalidKey(f"{key.curve.name} keys have no Multikey form here")


def encode_secret_key(key: Ed25519PrivateKey) -> str:
    """`secretKeyMultibase`: 'z' + base58btc(0x8026 ‖ 32-byte seed), the current Multikey form."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_base58btc(ED25519_SECRET_PREFIX + seed)


def decode_secret_key(text: str) -> Ed25519PrivateKey:
    """The key of a `secretKeyMultibase`; also reads the legacy 64-byte seed ‖ public form."""
    try:
        raw = decode_base58btc(text)
    except MultibaseError as error:
        raise InvalidKey(f"secretKeyMultibase: {error}") from error
    if not raw.startswith(ED25519_SECRET_PREFIX) or len(raw) not in (34, 66):
        raise InvalidKey("secretKeyMultibase is not an Ed25519 secret key (0x8026 + 32 bytes)")
    key = Ed25519PrivateKey.from_private_bytes(raw[2:34])
    if len(raw) == 66 and raw[34:] != key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw):
        raise InvalidKey("secretKeyMultibase: the public half does not match the seed")
    return key


@dataclass(frozen=True)
class VerificationMethod:
    """A Multikey verification method: where a proof's key comes from and who controls it."""

    id: str
    controller: str
    public_key_multibase: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return decode_public_key(self.public_key_multibase)

    @property
    def key(self) -> PublicKey:
        """The key whatever its curve; the proof's suite decides whether it fits."""
        return decode_multikey(self.public_key_multibase)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }


def did_key(public_key: PublicKey) -> str:
    """The did:key of an Ed25519, P-256 or P-384 public key."""
    if isinstance(public_key, EllipticCurvePublicKey):
        return DID_KEY_PREFIX + encode_ec_public_key(public_key)
    return DID_KEY_PREFIX + encode_public_key(public_key)


def did_key_verification_method(did: str) -> VerificationMethod:
    """The single verification method of a did:key (its id repeats the key after '#')."""
    if not did.startswith(DID_KEY_PREFIX):
        raise InvalidKey(f"{did!r} is not a did:key")
    multibase = did[len(DID_KEY_PREFIX) :]
    decode_multikey(multibase)
    return VerificationMethod(
        id=f"{did}#{multibase}", controller=did, public_key_multibase=multibase
    )


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key resolves to; nothing is published, it is derived."""
    method = did_key_verification_method(did)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [method.to_json()],
        "authentication": [method.id],
        "assertionMethod": [method.id],
        "capabilityDelegation": [method.id],
        "capabilityInvocation": [method.id],
    }


def resolve_did_key(did_url: str) -> VerificationMethod:
    """The verification method a did:key URL (`did:key:z6Mk…#z6Mk…`) names.

    Raises `InvalidKey` when the fragment is not the key itself.
    """
    did, _, fragment = did_url.partition("#")
    method = did_key_verification_method(did)
    if fragment and fragment != method.public_key_multibase:
        raise InvalidKey(f"{did_url!r}: a did:key has only the verification method #{did[8:]}")
    return method
