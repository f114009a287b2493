"""Verifiable presentations: the holder's proof, then every credential it carries.

The holder signs with the `authentication` purpose over the verifier's `challenge` and `domain`
(both are inside the signed proof options, so a replayed presentation fails). Each credential is
checked by the caller's credential verifier, the same one a lone record goes through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mooc.credentials.core.canonical import Canonicalizer
from mooc.credentials.core.contexts import CREDENTIALS_V1, CREDENTIALS_V2
from mooc.credentials.core.did import DID_WEB_PREFIX, find_verification_method
from mooc.credentials.core.multibase import encode_base58btc
from mooc.credentials.core.multikey import DID_KEY_PREFIX, VerificationMethod, resolve_did_key
from mooc.credentials.core.proof import Signer, hash_data, proof_configuration, verify_proof
from mooc.credentials.core.verify import Check, DidWebResolver, Verification

HOLDER_PROOF = "holder-proof"
PRESENTATION_WELL_FORMED = "presentation-well-formed"
CREDENTIALS = "credentials"
AUTHENTICATION = "authentication"
MAX_CREDENTIALS = 50  # a wallet presents a handful; more is a way to make us work


@dataclass(frozen=True)
class PresentationVerification:
    """The presentation's own checks, then one `Verification` per credential, in order."""

    checks: tuple[Check, ...]
    credentials: tuple[Verification, ...]

    @property
    def verified(self) -> bool:
        return all(check.status == "passed" for check in self.checks) and all(
            credential.verified for credential in self.credentials
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else value


def structure_problems(presentation: Mapping[str, Any]) -> list[str]:
    """The VC Data Model rules of a presentation's shape (its credentials are checked apart)."""
    problems = []
    contexts = presentation.get("@context")
    if (
        not isinstance(contexts, list)
        or not contexts
        or contexts[0]
        not in (
            CREDENTIALS_V2,
            CREDENTIALS_V1,
        )
    ):
        problems.append(f"@context must be an ordered list whose first item is {CREDENTIALS_V2}")
    types = _as_list(presentation.get("type"))
    if "VerifiablePresentation" not in types:
        problems.append("type must include VerifiablePresentation")
    if "id" in presentation and not _is_url(presentation["id"]):
        problems.append("id must be a single URL")
    if "holder" in presentation and not _is_url(_id_of(presentation["holder"])):
        problems.append("holder must be a URL or an object whose id is a URL")
    credentials = presentation.get("verifiableCredential", [])
    if not all(isinstance(item, Mapping) for item in _as_list(credentials)):
        problems.append("verifiableCredential must be objects")
    elif len(_as_list(credentials)) > MAX_CREDENTIALS:
        problems.append(f"a presentation carries at most {MAX_CREDENTIALS} credentials here")
    return problems


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and ":" in value and not any(c.isspace() for c in value)


def holder_key_resolver(
    holder: str | None, resolve_did_web: DidWebResolver | None
) -> Callable[[str], VerificationMethod]:
    """Resolves the key of the holder's proof: a did:key, or a did:web `authentication` key;
    when the presentation names its holder, the key must be the holder's."""

    def resolve(method_id: str) -> VerificationMethod:
        did = method_id.partition("#")[0]
        if holder is not None and did != holder:
            raise ValueError(f"the key belongs to {did}, not the holder {holder}")
        if did.startswith(DID_KEY_PREFIX):
            return resolve_did_key(method_id)
        if did.startswith(DID_WEB_PREFIX) and resolve_did_web is not None:
            return find_verification_method(resolve_did_web(did), method_id, AUTHENTICATION)
        raise ValueError(f"cannot resolve the holder's key {method_id}")

    return resolve


def holder_proof(
    presentation: Mapping[str, Any],
    *,
    challenge: str | None,
    domain: str | None,
    resolve_did_web: DidWebResolver | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> Check:
    """The holder's proof: authentication, over the challenge and domain the verifier gave."""
    proofs = presentation.get("proof")
    if proofs is None:
        return Check(HOLDER_PROOF, "failed", "the presentation is not signed by its holder")
    for proof in _as_list(proofs):
        if not isinstance(proof, Mapping):
            return Check(HOLDER_PROOF, "failed", "a proof must be an object")
        if challenge is not None and proof.get("challenge") != challenge:
            return Check(HOLDER_PROOF, "failed", "the proof does not answer the challenge given")
        if domain is not None and domain not in _as_list(proof.get("domain")):
            return Check(HOLDER_PROOF, "failed", "the proof is for another domain")
    holder = _id_of(presentation.get("holder"))
    resolve = holder_key_resolver(holder if isinstance(holder, str) else None, resolve_did_web)
    outcome = verify_proof(
        presentation, resolve, proof_purpose=AUTHENTICATION, canonicalizer=canonicalizer
    )
    return Check(HOLDER_PROOF, "passed" if outcome.valid else "failed", outcome.message)


def verify_presentation(
    presentation: Any,
    verify_credential: Callable[[Any], Verification],
    *,
    challenge: str | None = None,
    domain: str | None = None,
    resolve_did_web: DidWebResolver | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> PresentationVerification:
    """Every check of a presentation and of each credential in it; never raises."""
    if not isinstance(presentation, Mapping):
        failed = Check(PRESENTATION_WELL_FORMED, "failed", "a presentation must be a JSON object")
        return PresentationVerification((failed,), ())
    problems = structure_problems(presentation)
    if problems:
        failed = Check(PRESENTATION_WELL_FORMED, "failed", "malformed: " + "; ".join(problems))
        return PresentationVerification((failed,), ())
    checks = [Check(PRESENTATION_WELL_FORMED, "passed", "the presentation is well-formed")]
    checks.append(
        holder_proof(
            presentation,
            challenge=challenge,
            domain=domain,
            resolve_did_web=resolve_did_web,
            canonicalizer=canonicalizer,
        )
    )
    credentials = tuple(
        verify_credential(item) for item in _as_list(presentation.get("verifiableCredential", []))
    )
    return PresentationVerification(tuple(checks), credentials)


def sign_presentation(
    presentation: Mapping[str, Any],
    signer: Signer,
    verification_method: str,
    created: datetime,
    *,
    challenge: str,
    domain: str,
    canonicalizer: Canonicalizer | None = None,
) -> dict[str, Any]:
    """`presentation` signed by its holder for the verifier's `challenge` and `domain`
    (authentication; both are inside the signed options, so the answer fits one request only)."""
    unsecured = {key: value for key, value in presentation.items() if key != "proof"}
    configuration = {
        **proof_configuration(verification_method, created, AUTHENTICATION),
        "challenge": challenge,
        "domain": domain,
    }
    signature = signer.sign(hash_data(unsecured, configuration, canonicalizer))
    return {**unsecured, "proof": {**configuration, "proofValue": encode_base58btc(signature)}}


def is_presentation(document: Any) -> bool:
    """Whether a submitted document says it is a presentation (rather than a credential)."""
    return isinstance(document, Mapping) and "VerifiablePresentation" in _as_list(
        document.get("type")
    )
