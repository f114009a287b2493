"""The proof suites other issuers sign with, each as the bytes it signs and the key it needs.

Our own records use `eddsa-rdfc-2022`; verifying everyone else's also needs `ecdsa-rdfc-2019`
(P-256, P-384), `eddsa-jcs-2022`, the VC 1.1 `Ed25519Signature2020` and the pre-standard
`eddsa-2022`. A suite is chosen by the proof's own words (its `type`, or its `cryptosuite` for a
`DataIntegrityProof`) before any key is read, so a person is told "unsupported proof suite X",
never what an unknown key lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ec import (
    ECDSA,
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from mooc.credentials.core.canonical import Canonicalizer, default_canonicalizer
from mooc.credentials.core.multikey import PublicKey

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_2022 = "eddsa-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
_EC_SIGNATURE_SIZES = {"secp256r1": 64, "secp384r1": 96}  # raw r ‖ s


class SuiteError(ValueError):
    """A proof whose own words do not fit its suite (a @context that is not the document's)."""


@dataclass(frozen=True)
class Suite:
    """One proof suite: how its signed bytes are made, and which keys may verify them."""

    name: str
    signed_data: Callable[[Mapping[str, Any], Mapping[str, Any], Canonicalizer, PublicKey], bytes]
    fits: Callable[[PublicKey], str | None]
    """Why a key cannot verify this suite, or None."""

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> None:
        """Raises `cryptography.exceptions.InvalidSignature` when the signature does not match."""
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
            return
        half = len(signature) // 2
        der = encode_dss_signature(
            int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        )
        key.verify(der, data, ECDSA(_ec_hash(key)))

    def signature_size(self, key: PublicKey) -> int:
        if isinstance(key, EllipticCurvePublicKey):
            return _EC_SIGNATURE_SIZES.get(key.curve.name, 0)
        return 64


def suite_name(proof: Mapping[str, Any]) -> str | None:
    """The name a proof is known by: its cryptosuite, or its type when it is a legacy suite."""
    kind = proof.get("type")
    if kind == DATA_INTEGRITY_PROOF:
        suite = proof.get("cryptosuite")
        return suite if isinstance(suite, str) and suite else None
    return kind if isinstance(kind, str) and kind else None


def find_suite(proof: Mapping[str, Any]) -> Suite | None:
    """The suite a proof is signed with, if it is one this module verifies."""
    name = suite_name(proof)
    suite = SUITES.get(name or "")
    if suite is None:
        return None
    # a legacy name given as a cryptosuite (or the reverse) is not that suite
    legacy = suite.name == ED25519_SIGNATURE_2020
    return suite if legacy == (proof.get("type") != DATA_INTEGRITY_PROOF) else None


def _with_context(unsecured: Mapping[str, Any], configuration: Mapping[str, Any]) -> dict[str, Any]:
    signed = {key: value for key, value in configuration.items() if key != "proofValue"}
    signed["@context"] = unsecured["@context"]
    return signed


def _rdfc_sha256(
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    canon: Canonicalizer,
    key: PublicKey,
) -> bytes:
    """SHA-256(canonical proof configuration) ‖ SHA-256(canonical document)."""
    return canon.hash_reused(_with_context(unsecured, configuration)) + canon.hash(unsecured)


def _rdfc_ecdsa(
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    canon: Canonicalizer,
    key: PublicKey,
) -> bytes:
    """As `_rdfc_sha256`, but P-384 keys hash with SHA-384 (ecdsa-rdfc-2019): the two hashes,
    and the RDFC-1.0 labelling of blank nodes too, as Digital Bazaar's reference suite does."""
    if isinstance(key, EllipticCurvePublicKey) and key.curve.name == "secp384r1":
        signed = _with_context(unsecured, configuration)
        return b"".join(
            hashlib.sha384(canon.canonicalize(part, "sha384").encode("utf-8")).digest()
            for part in (signed, unsecured)
        )
    return _rdfc_sha256(unsecured, configuration, canon, key)


def _jcs(
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    canon: Canonicalizer,
    key: PublicKey,
) -> bytes:
    """SHA-256(JCS proof configuration) ‖ SHA-256(JCS document) (eddsa-jcs-2022).

    The proof repeats the document's @context, which must begin the document's own.
    """
    document = dict(unsecured)
    if "@context" in configuration:
        wanted = _as_list(configuration["@context"])
        if _as_list(document.get("@context"))[: len(wanted)] != wanted:
            raise SuiteError("the proof's @context does not begin the document's")
        document["@context"] = configuration["@context"]
    signed = {k: value for k, value in configuration.items() if k != "proofValue"}
    if "@context" in document:
        signed["@context"] = document["@context"]
    return (
        hashlib.sha256(rfc8785.dumps(signed)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )


def _ed25519(key: PublicKey) -> str | None:
    return None if isinstance(key, Ed25519PublicKey) else "the key is not an Ed25519 key"


def _p256_or_p384(key: PublicKey) -> str | None:
    if isinstance(key, EllipticCurvePublicKey) and key.curve.name in _EC_SIGNATURE_SIZES:
        return None
    return "the key is not a P-256 or P-384 key"


def _ec_hash(key: EllipticCurvePublicKey) -> hashes.HashAlgorithm:
    return hashes.SHA384() if key.curve.name == "secp384r1" else hashes.SHA256()


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in (
        Suite(EDDSA_RDFC_2022, _rdfc_sha256, _ed25519),
        # the draft name of eddsa-rdfc-2022, with the same algorithm
        Suite(EDDSA_2022, _rdfc_sha256, _ed25519),
        Suite(EDDSA_JCS_2022, _jcs, _ed25519),
        Suite(ECDSA_RDFC_2019, _rdfc_ecdsa, _p256_or_p384),
        Suite(ED25519_SIGNATURE_2020, _rdfc_sha256, _ed25519),
    )
}


def signed_bytes(
    suite: Suite,
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    key: PublicKey,
    canonicalizer: Canonicalizer | None = None,
) -> bytes:
    """What `suite` signs for a document and its proof configuration."""
    canon = canonicalizer or default_canonicalizer()
    return suite.signed_data(unsecured, configuration, canon, key)


@dataclass(frozen=True)
class EcdsaSigner:
    """Signs as ecdsa-rdfc-2019 wants: the hash fits the curve, the signature is raw r ‖ s."""

    private_key: EllipticCurvePrivateKey

    def sign(self, data: bytes) -> bytes:
        public = self.private_key.public_key()
        r, s = decode_dss_signature(self.private_key.sign(data, ECDSA(_ec_hash(public))))
        half = _EC_SIGNATURE_SIZES[public.curve.name] // 2
        return r.to_bytes(half, "big") + s.to_bytes(half, "big")
