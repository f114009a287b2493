"""Verification of a record as a list of named checks a person can read.

Every outside lookup is a callback the caller chooses: did:web documents (the platform resolves
its own issuers locally, others only from an allowlist), the trust list, and status lists. What
cannot be looked up is reported as such ("cannot resolve issuer", "status unknown") and never
passes: a record is verified only when every check passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mooc.credentials.core.bounds import Bounds, measure
from mooc.credentials.core.canonical import Canonicalizer
from mooc.credentials.core.checks import (
    EMBEDDED,
    ENDORSEMENT,
    ISSUER_RESOLVED,
    ISSUER_TRUSTED,
    MAX_EMBEDDING,
    SIGNATURE,
    STATUS,
    VALIDITY,
    WELL_FORMED,
    Check,
    CheckStatus,
    Verification,
)
from mooc.credentials.core.did import DID_WEB_PREFIX, find_verification_method
from mooc.credentials.core.multikey import DID_KEY_PREFIX, VerificationMethod, resolve_did_key
from mooc.credentials.core.proof import (
    KeyResolver,
    ProofCheck,
    all_proofs,
    check_one_proof,
    unsupported_suite,
    verify_proof,
)
from mooc.credentials.core.status_check import StatusChecker, StatusListFetcher
from mooc.credentials.core.structure import check_structure, is_vc_1_1
from mooc.credentials.core.timestamps import parse_timestamp

# the checks and their names live in `checks`; importing them from here keeps working
__all__ = [
    "EMBEDDED",
    "ENDORSEMENT",
    "ISSUER_RESOLVED",
    "ISSUER_TRUSTED",
    "MAX_EMBEDDING",
    "SIGNATURE",
    "STATUS",
    "VALIDITY",
    "WELL_FORMED",
    "Check",
    "CheckStatus",
    "DidWebResolver",
    "StatusListFetcher",
    "TrustList",
    "UrlIssuerResolver",
    "Verification",
    "Verifier",
    "verify_credential",
]

DidWebResolver = Callable[[str], Mapping[str, Any]]
"""did:web → its DID document; raises (with a reason) for issuers it will not or cannot resolve."""
UrlIssuerResolver = Callable[[str], Mapping[str, Any]]
"""An issuer's https URL → its key document (a controller document listing its keys, `id` the
URL); raises (with a reason) for URLs it will not or cannot fetch."""
TrustList = Callable[[str], bool]
"""Whether an issuer DID is on the verifier's trust list."""


@dataclass(frozen=True)
class _Issuer:
    id: str | None
    check: Check
    resolve_key: KeyResolver | None


class Verifier:
    """Verifies records with the caller's lookups; reusable across a batch of records."""

    def __init__(
        self,
        *,
        resolve_did_web: DidWebResolver | None = None,
        is_trusted_issuer: TrustList | None = None,
        fetch_status_list: StatusListFetcher | None = None,
        now: Callable[[], datetime] | None = None,
        canonicalizer: Canonicalizer | None = None,
        bounds: Bounds | None = None,
        resolve_url_issuer: UrlIssuerResolver | None = None,
    ) -> None:
        self._resolve_did_web = resolve_did_web
        self._resolve_url_issuer = resolve_url_issuer
        self._is_trusted_issuer = is_trusted_issuer
        self._fetch_status_list = fetch_status_list
        self._now = now or (lambda: datetime.now(UTC))
        self._canonicalizer = canonicalizer
        self._bounds = bounds or Bounds()
        self._statuses = StatusChecker(
            fetch_status_list, now=self._now, canonicalizer=canonicalizer, bounds=self._bounds
        )

    def verify(self, credential: Any) -> Verification:
        """Run every check on a record; never raises for a malformed one.

        A record past the verifier's `Bounds` fails as not well-formed, unread: its size would
        make canonicalization take minutes.
        """
        too_complex = measure(credential, self._bounds)
        if too_complex is not None:
            return Verification((Check(WELL_FORMED, "failed", too_complex.message),))
        return self._verify(credential, depth=0)

    def _verify(self, credential: Any, depth: int) -> Verification:
        structure = check_structure(credential)
        if not isinstance(credential, Mapping):
            return Verification((Check(WELL_FORMED, "failed", structure.errors[0]),))
        checks = [
            Check(WELL_FORMED, "passed", "the record follows VC 2.0 and its kind's rules")
            if structure.well_formed
            else Check(WELL_FORMED, "failed", "malformed: " + "; ".join(structure.errors))
        ]
        issuer = self._issuer(credential)
        checks.append(issuer.check)
        signature, endorsements = self._signatures(credential, issuer)
        checks.append(signature)
        checks.append(self._trust(issuer.id))
        checks.append(self._statuses.check(credential, issuer.id, issuer.resolve_key))
        checks.append(self._validity(credential))
        subject = credential.get("credentialSubject")
        if isinstance(subject, Mapping) and "verifiableCredential" in subject:
            checks.append(self._embedded(subject["verifiableCredential"], depth + 1))
        return Verification(tuple(checks), structure.warnings, endorsements)

    def _issuer(self, credential: Mapping[str, Any]) -> _Issuer:
        issuer = credential.get("issuer")
        did = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        if not isinstance(did, str) or not did:
            nobody = Check(ISSUER_RESOLVED, "failed", "the record names no issuer")
            return _Issuer(None, nobody, None)
        if did.startswith(DID_KEY_PREFIX):
            try:
                resolve_did_key(did)
            except ValueError as error:
                unsupported = _unsupported_suite(credential)
                if unsupported:  # another suite's key: say which suite, not what the key lacks
                    unread = Check(ISSUER_RESOLVED, "unknown", f"issuer not read: {unsupported}")
                    return _Issuer(did, unread, None)
                return _Issuer(did, Check(ISSUER_RESOLVED, "failed", str(error)), None)
            passed = Check(ISSUER_RESOLVED, "passed", f"issuer {did} resolved (did:key)")
            return _Issuer(did, passed, _did_key_resolver(did))
        is_url = did.startswith(("https://", "http://"))
        if not did.startswith(DID_WEB_PREFIX) and not is_url:
            reason = "only did:key, did:web and https issuers can be resolved"
            return _Issuer(did, _cannot_resolve(did, reason), None)
        resolver = self._resolve_url_issuer if is_url else self._resolve_did_web
        if resolver is None:
            kind = "https issuer" if is_url else "did:web"
            return _Issuer(did, _cannot_resolve(did, f"no {kind} resolver was given"), None)
        try:
            document = resolver(did)
        except Exception as error:  # the resolver's refusal or failure is the reason shown
            return _Issuer(did, _cannot_resolve(did, str(error) or type(error).__name__), None)
        if not isinstance(document, Mapping) or document.get("id") != did:
            reason = "the key document is for another issuer"
            return _Issuer(did, _cannot_resolve(did, reason), None)
        method = "key document" if is_url else "did:web"
        passed = Check(ISSUER_RESOLVED, "passed", f"issuer {did} resolved ({method})")
        return _Issuer(did, passed, _did_document_resolver(did, document))

    def _signatures(
        self, credential: Mapping[str, Any], issuer: _Issuer
    ) -> tuple[Check, tuple[Check, ...]]:
        """The issuer's signature check, and one endorsement check per other signer's proof."""
        proofs = all_proofs(credential)
        if len(proofs) <= 1 or issuer.id is None:
            return self._signature(credential, issuer), ()
        own = [i for i, proof in enumerate(proofs) if _signer(proof) == issuer.id]
        if not own:
            return Check(SIGNATURE, "failed", f"no proof is signed by the issuer {issuer.id}"), ()
        unsupported = next(filter(None, (unsupported_suite(proofs[i]) for i in own)), None)
        if unsupported:
            return Check(SIGNATURE, "failed", unsupported), ()
        if issuer.resolve_key is None:
            message = "signature not checked: the issuer's keys are unknown"
            return Check(SIGNATURE, "unknown", message), ()
        resolve = self._any_key(issuer)
        checked: dict[int, ProofCheck] = {}  # each proof verified once, however chained
        messages = []
        for index in own:
            outcome = check_one_proof(
                credential, index, resolve, canonicalizer=self._canonicalizer, checked=checked
            )
            if not outcome.valid:
                return Check(SIGNATURE, "failed", outcome.message), ()
            messages.append(outcome.message)
        endorsements = tuple(
            self._endorsement(credential, index, resolve, checked)
            for index in range(len(proofs))
            if index not in own
        )
        return Check(SIGNATURE, "passed", "; ".join(messages)), endorsements

    def _endorsement(
        self,
        credential: Mapping[str, Any],
        index: int,
        resolve: KeyResolver,
        checked: dict[int, ProofCheck],
    ) -> Check:
        signer = _signer(all_proofs(credential)[index]) or "an unnamed signer"
        unsupported = unsupported_suite(all_proofs(credential)[index])
        if unsupported:
            return Check(ENDORSEMENT, "unknown", f"endorsement by {signer}: {unsupported}")
        outcome = check_one_proof(
            credential, index, resolve, canonicalizer=self._canonicalizer, checked=checked
        )
        status: CheckStatus = "passed" if outcome.valid else "failed"
        return Check(ENDORSEMENT, status, f"endorsement by {signer}: {outcome.message}")

    def _any_key(self, issuer: _Issuer) -> KeyResolver:
        """The issuer's keys from its resolver; others' from did:key or an allowlisted did:web."""

        def resolve(method_id: str) -> VerificationMethod:
            did = method_id.partition("#")[0]
            if did == issuer.id and issuer.resolve_key is not None:
                return issuer.resolve_key(method_id)
            if did.startswith(DID_KEY_PREFIX):
                return resolve_did_key(method_id)
            if did.startswith(DID_WEB_PREFIX) and self._resolve_did_web is not None:
                document = self._resolve_did_web(did)
                return find_verification_method(document, method_id, "assertionMethod")
            raise ValueError(f"cannot resolve {did}")

        return resolve

    def _signature(self, credential: Mapping[str, Any], issuer: _Issuer) -> Check:
        unsupported = _unsupported_suite(credential)
        if unsupported:
            return Check(SIGNATURE, "failed", unsupported)
        if issuer.resolve_key is None:
            return Check(
                SIGNATURE, "unknown", "signature not checked: the issuer's keys are unknown"
            )
        outcome = verify_proof(credential, issuer.resolve_key, canonicalizer=self._canonicalizer)
        return Check(SIGNATURE, "passed" if outcome.valid else "failed", outcome.message)

    def _trust(self, issuer_id: str | None) -> Check:
        if issuer_id is None:
            return Check(ISSUER_TRUSTED, "failed", "the record names no issuer")
        if self._is_trusted_issuer is None:
            return Check(ISSUER_TRUSTED, "unknown", "no trust list was consulted")
        try:
            trusted = self._is_trusted_issuer(issuer_id)
        except Exception as error:  # a trust list that cannot answer leaves trust unknown
            return Check(ISSUER_TRUSTED, "unknown", f"the trust list could not answer: {error}")
        if trusted:
            return Check(ISSUER_TRUSTED, "passed", f"issuer {issuer_id} is on the trust list")
        return Check(ISSUER_TRUSTED, "failed", f"issuer {issuer_id} is not on the trust list")

    def _validity(self, credential: Mapping[str, Any]) -> Check:
        now = self._now()
        # VC 1.1 names the same period issuanceDate … expirationDate
        begins, ends = ("issuanceDate", "expirationDate") if is_vc_1_1(credential) else ("", "")
        begins = "validFrom" if "validFrom" in credential else begins
        ends = "validUntil" if "validUntil" in credential else ends
        try:
            start = parse_timestamp(credential[begins]) if begins in credential else None
            end = parse_timestamp(credential[ends]) if ends in credential else None
        except ValueError as error:
            return Check(VALIDITY, "failed", str(error))
        if start is not None and now < start:
            message = f"not valid before {credential[begins]}"
            return Check(VALIDITY, "failed", message, "not-yet-valid")
        if end is not None and now > end:
            return Check(VALIDITY, "failed", f"expired on {credential[ends]}", "expired")
        until = f"until {credential[ends]}" if end else "with no end"
        since = f"from {credential[begins]} " if start else ""
        return Check(VALIDITY, "passed", f"valid {since}{until}")

    def _embedded(self, embedded: Any, depth: int) -> Check:
        if depth > MAX_EMBEDDING:
            return Check(EMBEDDED, "failed", "records embedded this deep are not verified")
        failures = []
        credentials = _as_list(embedded)
        for index, credential in enumerate(credentials):
            outcome = self._verify(credential, depth)
            if not outcome.verified:
                problems = [c.message for c in outcome.checks if c.status != "passed"]
                failures.append(f"verifiableCredential[{index}]: " + "; ".join(problems))
        if failures:
            return Check(EMBEDDED, "failed", " | ".join(failures))
        return Check(EMBEDDED, "passed", f"all {len(credentials)} embedded records verified")


def _signer(proof: Any) -> str | None:
    """The DID (or URL) whose key made a proof."""
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    return method.partition("#")[0] if isinstance(method, str) else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unsupported_suite(credential: Mapping[str, Any]) -> str | None:
    proofs = credential.get("proof")
    found = (unsupported_suite(proof) for proof in _as_list(proofs) if proofs is not None)
    return next((problem for problem in found if problem), None)


def _cannot_resolve(did: str, reason: str) -> Check:
    return Check(ISSUER_RESOLVED, "failed", f"cannot resolve issuer {did}: {reason}")


def _did_key_resolver(did: str) -> KeyResolver:
    def resolve(method_id: str) -> VerificationMethod:
        if method_id.partition("#")[0] != did:
            raise ValueError(f"the key belongs to {method_id.partition('#')[0]}, not the issuer")
        return resolve_did_key(method_id)

    return resolve


def _did_document_resolver(did: str, document: Mapping[str, Any]) -> KeyResolver:
    def resolve(method_id: str) -> VerificationMethod:
        if method_id.partition("#")[0] != did:
            raise ValueError(f"the key belongs to {method_id.partition('#')[0]}, not the issuer")
        return find_verification_method(document, method_id, "assertionMethod")

    return resolve


def verify_credential(
    credential: Any,
    *,
    resolve_did_web: DidWebResolver | None = None,
    is_trusted_issuer: TrustList | None = None,
    fetch_status_list: StatusListFetcher | None = None,
    now: Callable[[], datetime] | None = None,
    resolve_url_issuer: UrlIssuerResolver | None = None,
) -> Verification:
    """One-off verification of a record; a `Verifier` does the same for a batch."""
    verifier = Verifier(
        resolve_did_web=resolve_did_web,
        is_trusted_issuer=is_trusted_issuer,
        fetch_status_list=fetch_status_list,
        now=now,
        resolve_url_issuer=resolve_url_issuer,
    )
    return verifier.verify(credential)
