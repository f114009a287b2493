"""The interop course record signed with each proof suite the platform verifies.

Our own records use eddsa-rdfc-2022 (the university's did:web); other issuers sign with
ecdsa-rdfc-2019 on P-256 or P-384, eddsa-jcs-2022, or (VC 1.1, as the DCC issuers did)
Ed25519Signature2020. Each suite here has a fixed key and a did:key issuer, so the benchmark and
the interop test judge the same records on both sides. The did:key records carry no status
entry: the university's status list is not theirs to point at.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    SECP384R1,
    EllipticCurve,
    EllipticCurvePrivateKey,
    derive_private_key,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.contexts import CREDENTIALS_V1, CREDENTIALS_V2
from mooc.credentials.core.did import find_verification_method
from mooc.credentials.core.multikey import (
    DID_KEY_PREFIX,
    PublicKey,
    VerificationMethod,
    did_key,
    resolve_did_key,
)
from mooc.credentials.core.proof import Signer, create_proof
from mooc.credentials.core.suites import EcdsaSigner

from . import records

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


@dataclass(frozen=True)
class SuiteCase:
    """One suite, the key it signs with, and the verification method it names."""

    label: str
    cryptosuite: str
    signer: Signer
    public_key: PublicKey
    method: str
    vc_1_1: bool = False
    js_reference: bool = True  # False: no JavaScript implementation on the registry to ask

    @property
    def issuer(self) -> str:
        return self.method.partition("#")[0]


def _ec_key(label: str, curve: EllipticCurve) -> EllipticCurvePrivateKey:
    # a 248-bit secret from the label: below both curves' orders, the same on every run
    secret = int.from_bytes(hashlib.sha256(label.encode()).digest()[:31], "big")
    return derive_private_key(secret, curve)


def _did_key_method(public_key: PublicKey) -> str:
    did = did_key(public_key)
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


def _cases() -> tuple[SuiteCase, ...]:
    p256 = _ec_key("mooc interop: P-256 issuer", SECP256R1())
    p384 = _ec_key("mooc interop: P-384 issuer", SECP384R1())
    jcs = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"mooc interop: eddsa-jcs-2022 issuer").digest()
    )
    legacy = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"mooc interop: Ed25519Signature2020 issuer").digest()
    )
    return (
        SuiteCase(
            "eddsa-rdfc-2022",
            "eddsa-rdfc-2022",
            records.ISSUER_KEY,
            records.ISSUER_KEY.public_key(),
            records.WEB_METHOD,
        ),
        SuiteCase(
            "eddsa-jcs-2022",
            "eddsa-jcs-2022",
            jcs,
            jcs.public_key(),
            _did_key_method(jcs.public_key()),
            js_reference=False,
        ),
        SuiteCase(
            "ecdsa-rdfc-2019 P-256",
            "ecdsa-rdfc-2019",
            EcdsaSigner(p256),
            p256.public_key(),
            _did_key_method(p256.public_key()),
        ),
        SuiteCase(
            "ecdsa-rdfc-2019 P-384",
            "ecdsa-rdfc-2019",
            EcdsaSigner(p384),
            p384.public_key(),
            _did_key_method(p384.public_key()),
        ),
        SuiteCase(
            "Ed25519Signature2020 VC 1.1",
            "Ed25519Signature2020",
            legacy,
            legacy.public_key(),
            _did_key_method(legacy.public_key()),
            vc_1_1=True,
        ),
    )


CASES = _cases()


def unsigned_record(case: SuiteCase, number: int | None = None) -> dict[str, Any]:
    """The interop course record as `case`'s issuer states it (VC 1.1 for the legacy suite)."""
    record = records.unsigned_record(number)
    if case.issuer == records.UNIVERSITY_DID:
        return record
    record = {key: value for key, value in record.items() if key != "credentialStatus"}
    record["issuer"] = {**record["issuer"], "id": case.issuer}
    if case.vc_1_1:
        contexts = [CREDENTIALS_V1 if c == CREDENTIALS_V2 else c for c in record["@context"]]
        record["@context"] = [*contexts, ED25519_2020_CONTEXT]
        record["issuanceDate"] = record.pop("validFrom")
    return record


def sign(case: SuiteCase, unsigned: Mapping[str, Any]) -> dict[str, Any]:
    """`unsigned` secured by `case` (a proof array, except the lone VC 1.1 proof DCC issues)."""
    return create_proof(
        unsigned,
        case.signer,
        case.method,
        records.CREATED,
        cryptosuite=case.cryptosuite,
        public_key=case.public_key,
        as_set=not case.vc_1_1,
    )


def resolve_key(method_id: str) -> VerificationMethod:
    """Keys of every case: a did:key from itself, the university's from its DID document."""
    if method_id.startswith(DID_KEY_PREFIX):
        return resolve_did_key(method_id)
    return find_verification_method(_university_did_document(), method_id)


@functools.cache
def _university_did_document() -> dict[str, Any]:
    return records.university_did_document()
