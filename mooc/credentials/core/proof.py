"""Data Integrity proofs: ours with `eddsa-rdfc-2022` (Ed25519 over canonical N-Quads); others'
with any suite of `suites`.

Signed data = SHA-256(canonical proof configuration) ‖ SHA-256(canonical document). The proof
configuration (type, cryptosuite, created, key, purpose, and the document's @context) is the
same for every record of a batch, so its hash is computed once and reused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature

from mooc.credentials.core.canonical import Canonicalizer, default_canonicalizer
from mooc.credentials.core.contexts import UnknownContext
from mooc.credentials.core.multibase import MultibaseError, decode_base58btc, encode_base58btc
from mooc.credentials.core.multikey import InvalidKey, PublicKey, VerificationMethod
from mooc.credentials.core.suites import (
    DATA_INTEGRITY_PROOF,
    ED25519_SIGNATURE_2020,
    EDDSA_JCS_2022,
    SUITES,
    SuiteError,
    find_suite,
    signed_bytes,
    suite_name,
)
from mooc.credentials.core.timestamps import format_timestamp, is_timestamp

PROOF_TYPE = DATA_INTEGRITY_PROOF
CRYPTOSUITE = "eddsa-rdfc-2022"
MAX_PROOFS = 16  # each proof costs a canonicalization: a record with more is not verified


class Signer(Protocol):
    """Anything that signs bytes with Ed25519: a `cryptography` private key, or a KMS client."""

    def sign(self, data: bytes) -> bytes: ...


KeyResolver = Callable[[str], VerificationMethod]
"""Gives the verification method a proof names, or raises with a reason."""


class ProofError(ValueError):
    """A document that cannot be signed as asked."""


def proof_configuration(
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    cryptosuite: str = CRYPTOSUITE,
) -> dict[str, Any]:
    """The proof's options, as they are signed (without `proofValue`)."""
    created_text = created if isinstance(created, str) else format_timestamp(created)
    if not is_timestamp(created_text):
        raise ProofError(f"created {created_text!r} is not an XML Schema dateTimeStamp")
    if cryptosuite not in SUITES:
        raise ProofError(f"unsupported proof suite {cryptosuite}")
    kind = {"type": cryptosuite}
    if cryptosuite != ED25519_SIGNATURE_2020:
        kind = {"type": PROOF_TYPE, "cryptosuite": cryptosuite}
    return {
        **kind,
        "created": created_text,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ProofError("only a JSON-LD object with an @context can carry this proof")
    return {key: value for key, value in document.items() if key != "proof"}


def hash_data(
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
    canonicalizer: Canonicalizer | None = None,
) -> bytes:
    """The 64 bytes that are signed: proof-configuration hash first, then document hash."""
    canon = canonicalizer or default_canonicalizer()
    signed_configuration = {
        key: value for key, value in configuration.items() if key != "proofValue"
    }
    signed_configuration["@context"] = unsecured["@context"]
    return canon.hash_reused(signed_configuration) + canon.hash(unsecured)


def create_proof(
    document: Mapping[str, Any],
    signer: Signer,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    *,
    canonicalizer: Canonicalizer | None = None,
    as_set: bool = False,
    cryptosuite: str = CRYPTOSUITE,
    public_key: PublicKey | None = None,
) -> dict[str, Any]:
    """A copy of `document` secured with a proof by `signer` (eddsa-rdfc-2022 unless told).

    Other suites are for tests and for universities using the core as a library; ECDSA needs
    `public_key` (its curve picks the hash) and an `EcdsaSigner`.
    Proofs already on the document stay (a proof set); none of them is covered by the new one.
    `as_set` puts even a lone proof in an array, as the OB 3.0 JSON Schema requires of records.
    Raises `ProofError`, `UnknownContext`, or `UnsafeDocument` (terms its contexts lack).
    """
    unsecured = _unsecured(document)
    configuration = proof_configuration(verification_method, created, proof_purpose, cryptosuite)
    if cryptosuite == EDDSA_JCS_2022:  # JCS signs the proof's own copy of the @context
        configuration["@context"] = unsecured["@context"]
    if cryptosuite == CRYPTOSUITE:
        data = hash_data(unsecured, configuration, canonicalizer)
    else:
        suite = SUITES[cryptosuite]
        if public_key is None or suite.fits(public_key):
            raise ProofError(f"{cryptosuite} needs the signer's public key of the right kind")
        data = signed_bytes(suite, unsecured, configuration, public_key, canonicalizer)
    signature = signer.sign(data)
    expected = 64 if public_key is None else SUITES[cryptosuite].signature_size(public_key)
    if len(signature) != expected:
        raise ProofError(f"the signer did not give a {expected}-byte signature")
    proof = {**configuration, "proofValue": encode_base58btc(signature)}
    existing = document.get("proof")
    if existing is None:
        return {**unsecured, "proof": [proof] if as_set else proof}
    proofs = list(existing) if isinstance(existing, list) else [existing]
    return {**unsecured, "proof": [*proofs, proof]}


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a document's proofs: every one must verify."""

    valid: bool
    message: str
    verification_methods: tuple[VerificationMethod, ...] = ()


def verify_proof(
    document: Mapping[str, Any],
    resolve_key: KeyResolver,
    *,
    proof_purpose: str = "assertionMethod",
    canonicalizer: Canonicalizer | None = None,
) -> ProofCheck:
    """Check every proof of a document, whatever its suite; never raises for a bad document."""
    proofs = document.get("proof") if isinstance(document, Mapping) else None
    if proofs is None:
        return ProofCheck(False, "the document has no proof")
    methods: list[VerificationMethod] = []
    checked: dict[int, ProofCheck] = {}
    for index in range(len(proofs) if isinstance(proofs, list) else 1):
        outcome = check_one_proof(
            document,
            index,
            resolve_key,
            proof_purpose=proof_purpose,
            canonicalizer=canonicalizer,
            checked=checked,
        )
        if not outcome.valid:
            return outcome
        methods.extend(m for m in outcome.verification_methods if m not in methods)
    return ProofCheck(True, f"signed by {', '.join(m.id for m in methods)}", tuple(methods))


def all_proofs(document: Mapping[str, Any]) -> list[Any]:
    """The proofs of a document as a list (a proof set is a list; one proof may stand alone)."""
    proofs = document.get("proof")
    if proofs is None:
        return []
    return list(proofs) if isinstance(proofs, list) else [proofs]


def check_one_proof(
    document: Mapping[str, Any],
    index: int,
    resolve_key: KeyResolver,
    *,
    proof_purpose: str = "assertionMethod",
    canonicalizer: Canonicalizer | None = None,
    checked: dict[int, ProofCheck] | None = None,
) -> ProofCheck:
    """Check proof `index` of a document, and the proofs it chains on (`previousProof`) first.

    In a chain, a proof signs the document together with the proofs it names, so none of them
    can be removed or altered without breaking it. `checked` keeps outcomes by index across
    calls on the same document and key resolver, so no proof is verified twice.
    """
    if not isinstance(document, Mapping):
        return ProofCheck(False, "the document is not a JSON object")
    proofs = all_proofs(document)
    if not proofs:
        return ProofCheck(False, "the document has no proof")
    if len(proofs) > MAX_PROOFS:
        return ProofCheck(False, f"records with more than {MAX_PROOFS} proofs are not verified")
    try:
        unsecured = _unsecured(document)
    except ProofError as error:
        return ProofCheck(False, str(error))
    memo = {} if checked is None else checked
    return _check_chain(
        unsecured, proofs, index, resolve_key, proof_purpose, canonicalizer, (), memo
    )


def _check_chain(
    unsecured: Mapping[str, Any],
    proofs: list[Any],
    index: int,
    resolve_key: KeyResolver,
    proof_purpose: str,
    canonicalizer: Canonicalizer | None,
    seen: tuple[int, ...],
    memo: dict[int, ProofCheck],
) -> ProofCheck:
    if index in seen or len(seen) > len(proofs):
        return ProofCheck(False, "the proofs' previousProof references form a loop")
    if index not in memo:
        memo[index] = _check_linked(
            unsecured, proofs, index, resolve_key, proof_purpose, canonicalizer, seen, memo
        )
    return memo[index]


def _check_linked(
    unsecured: Mapping[str, Any],
    proofs: list[Any],
    index: int,
    resolve_key: KeyResolver,
    proof_purpose: str,
    canonicalizer: Canonicalizer | None,
    seen: tuple[int, ...],
    memo: dict[int, ProofCheck],
) -> ProofCheck:
    """One proof, after the proofs it names; `_check_chain` remembers the outcome."""
    proof = proofs[index]
    problem = _proof_shape_problem(proof, proof_purpose)
    if problem:
        return ProofCheck(False, problem)
    methods: list[VerificationMethod] = []
    previous = proof.get("previousProof")
    signed_document = unsecured
    if previous is not None:
        wanted = previous if isinstance(previous, list) else [previous]
        found = []
        for proof_id in wanted:
            matches = [
                i
                for i, other in enumerate(proofs)
                if isinstance(other, Mapping) and other.get("id") == proof_id and i != index
            ]
            if not isinstance(proof_id, str) or not matches:
                return ProofCheck(False, f"previousProof {proof_id!r} is not among the proofs")
            before = _check_chain(
                unsecured,
                proofs,
                matches[0],
                resolve_key,
                proof_purpose,
                canonicalizer,
                (*seen, index),
                memo,
            )
            if not before.valid:
                return ProofCheck(False, f"previousProof {proof_id}: {before.message}")
            methods.extend(before.verification_methods)
            found.append(proofs[matches[0]])
        signed_document = {**unsecured, "proof": found}
    method_id = proof["verificationMethod"]
    try:
        method = resolve_key(method_id)
    except Exception as error:  # a resolver's failure is a reason, not a crash
        return ProofCheck(False, f"cannot resolve the key {method_id}: {error}")
    if method.id != method_id:
        return ProofCheck(False, f"the key resolved for {method_id} is {method.id}")
    problem = _check_signature(signed_document, proof, method, canonicalizer)
    if problem:
        return ProofCheck(False, problem)
    return ProofCheck(True, f"signed by {method.id}", (*methods, method))


def _check_signature(
    unsecured: Mapping[str, Any],
    proof: Mapping[str, Any],
    method: VerificationMethod,
    canonicalizer: Canonicalizer | None,
) -> str | None:
    """Why one proof's signature does not verify with `method`, or None."""
    suite = find_suite(proof)
    if suite is None:
        return f"unsupported proof suite {suite_name(proof)}"
    try:
        key = method.key
    except InvalidKey as error:
        return f"{method.id}: {error}"
    unfit = suite.fits(key)
    signature = decode_base58btc(proof["proofValue"])
    if unfit:
        return f"{method.id} cannot verify {suite.name}: {unfit}"
    if len(signature) != suite.signature_size(key):
        return f"proofValue is not a {suite.signature_size(key)}-byte {suite.name} signature"
    try:
        suite.verify(key, signature, signed_bytes(suite, unsecured, proof, key, canonicalizer))
    except InvalidSignature:
        return "the signature does not match: the record was altered"
    except SuiteError as error:
        return str(error)
    except (ValueError, UnknownContext) as error:
        return f"the record cannot be canonicalized: {error}"
    return None


def unsupported_suite(proof: Any) -> str | None:
    """Why a proof is not one this module verifies ("unsupported proof suite X"), else None.

    Checked before any key is read, so another suite's key format is never what a person is told.
    """
    if not isinstance(proof, Mapping):
        return None
    kind = proof.get("type")
    if not isinstance(kind, str) or not kind:
        return "the proof names no type"
    if kind == PROOF_TYPE and not suite_name(proof):
        return "the DataIntegrityProof names no cryptosuite"
    if find_suite(proof) is None:
        return f"unsupported proof suite {suite_name(proof)}"
    return None


def _proof_shape_problem(proof: Any, proof_purpose: str) -> str | None:
    if not isinstance(proof, Mapping):
        return "a proof must be an object"
    unsupported = unsupported_suite(proof)
    if unsupported:
        return unsupported
    if proof.get("proofPurpose") != proof_purpose:
        return f"the proof purpose is {proof.get('proofPurpose')!r}, expected {proof_purpose!r}"
    if not isinstance(proof.get("verificationMethod"), str):
        return "the proof names no verificationMethod"
    if "created" in proof and not is_timestamp(proof["created"]):
        return f"proof created {proof.get('created')!r} is not an XML Schema dateTimeStamp"
    value = proof.get("proofValue")
    try:
        signature = decode_base58btc(value) if isinstance(value, str) else b""
    except MultibaseError:
        signature = b""
    if len(signature) not in (64, 96):  # Ed25519 and P-256: 64; P-384: 96
        return "proofValue is not a base58btc (z…) signature of 64 or 96 bytes"
    return None
