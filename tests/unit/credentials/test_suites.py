"""Other issuers' proof suites, checked against the official W3C test vectors: ecdsa-rdfc-2019
(P-256, P-384), eddsa-jcs-2022, Ed25519Signature2020, and the draft name eddsa-2022."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, SECP384R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.canonical import default_canonicalizer
from mooc.credentials.core.multibase import decode_base58btc, encode_base58btc
from mooc.credentials.core.multikey import (
    VerificationMethod,
    decode_multikey,
    decode_secret_key,
    did_key,
    resolve_did_key,
)
from mooc.credentials.core.proof import (
    check_one_proof,
    create_proof,
    unsupported_suite,
    verify_proof,
)
from mooc.credentials.core.status_list import Bitstring
from mooc.credentials.core.suites import SUITES, EcdsaSigner, signed_bytes
from mooc.credentials.core.verify import Verifier
from tests.interop.records import unsigned_record

VECTORS = Path(__file__).with_name("vectors")
ECDSA = VECTORS / "w3c-ecdsa-rdfc-2019"
JCS = VECTORS / "w3c-eddsa-jcs-2022"
EDSIG = VECTORS / "w3c-ed25519-signature-2020"
CREATED = "2025-01-01T00:00:00Z"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def fragment_key(method_id: str) -> VerificationMethod:
    """The W3C ECDSA vectors name their key as `<issuer>#<multikey>`."""
    controller, _, multibase = method_id.partition("#")
    return VerificationMethod(id=method_id, controller=controller, public_key_multibase=multibase)


def unsigned() -> dict[str, Any]:
    document = load(JCS / "signedJCS.json")
    del document["proof"]
    return document


@pytest.mark.parametrize(("curve", "digest"), [("P256", hashlib.sha256), ("P384", hashlib.sha384)])
def test_official_ecdsa_rdfc_2019_signatures_verify_over_our_canonical_document(
    curve: str, digest: Any
) -> None:
    """The vectors' proof canonical form is taken as given (see vectors/…/SOURCE.txt); the
    document's hash is ours, so a canonicalization or signature-format slip fails here."""
    signed = load(ECDSA / f"signedECDSA{curve}.json")
    proof = signed["proof"]
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    proof_canon = (ECDSA / f"proofCanonECDSA{curve}.txt").read_text(encoding="utf-8")
    document_canon = default_canonicalizer().canonicalize(unsecured)
    data = digest(proof_canon.encode()).digest() + digest(document_canon.encode()).digest()
    suite = SUITES["ecdsa-rdfc-2019"]
    key = fragment_key(proof["verificationMethod"]).key
    suite.verify(key, decode_base58btc(proof["proofValue"]), data)
    if curve == "P256":  # the official hashes of this vector
        assert digest(proof_canon.encode()).hexdigest().startswith("fd3a373a9e58c9e8")
        assert digest(document_canon.encode()).hexdigest().startswith("517744132ae165a5")
    with pytest.raises(InvalidSignature):
        suite.verify(key, decode_base58btc(proof["proofValue"]), data[:-1] + b"\0")


def test_ecdsa_keys_are_read_as_multikeys_and_did_keys() -> None:
    p256 = decode_multikey("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP")
    p384 = decode_multikey(
        "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"
    )
    assert [p256.curve.name, p384.curve.name] == ["secp256r1", "secp384r1"]  # type: ignore[union-attr]
    assert did_key(p256).startswith("did:key:zDn")
    assert did_key(p384).startswith("did:key:z82")
    assert resolve_did_key(did_key(p384)).key.public_numbers() == p384.public_numbers()


@pytest.mark.parametrize("curve", [SECP256R1(), SECP384R1()])
def test_ecdsa_round_trip_with_a_did_key_and_a_wrong_key_is_refused(curve: Any) -> None:
    private = generate_private_key(curve)
    issuer = did_key(private.public_key())
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    signed = create_proof(
        {**unsigned(), "issuer": issuer},
        EcdsaSigner(private),
        method,
        CREATED,
        cryptosuite="ecdsa-rdfc-2019",
        public_key=private.public_key(),
    )
    assert signed["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert verify_proof(signed, resolve_did_key).valid
    other = did_key(Ed25519PrivateKey.generate().public_key())
    wrong = VerificationMethod(method, issuer, other.removeprefix("did:key:"))
    assert "not a P-256 or P-384 key" in verify_proof(signed, lambda _: wrong).message


def test_official_eddsa_jcs_2022_vector_is_reproduced_byte_for_byte() -> None:
    signed = load(JCS / "signedJCS.json")
    proof = signed["proof"]
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    assert rfc8785.dumps(unsigned()).decode() == (JCS / "canonDocJCS.txt").read_text().strip()
    assert rfc8785.dumps(config).decode() == (JCS / "proofCanonJCS.txt").read_text().strip()
    key = resolve_did_key(proof["verificationMethod"]).key
    data = signed_bytes(SUITES["eddsa-jcs-2022"], unsigned(), proof, key)
    assert data.hex() == (JCS / "combinedHashJCS.txt").read_text().strip()
    assert verify_proof(signed, resolve_did_key).valid
    secret = decode_secret_key(load(JCS / "keyPair.json")["privateKeyMultibase"])
    again = create_proof(
        unsigned(),
        secret,
        proof["verificationMethod"],
        proof["created"],
        cryptosuite="eddsa-jcs-2022",
        public_key=secret.public_key(),
    )
    assert again["proof"] == proof  # Ed25519 is deterministic: the vector's proof, exactly


def test_jcs_detects_tampering_and_a_proof_context_that_is_not_the_documents() -> None:
    signed = load(JCS / "signedJCS.json")
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Changed"
    assert "altered" in verify_proof(tampered, resolve_did_key).message
    reordered = copy.deepcopy(signed)
    reordered["proof"]["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    assert "@context" in verify_proof(reordered, resolve_did_key).message


def test_official_ed25519_signature_2020_vector_verifies() -> None:
    signed = load(EDSIG / "signedEdSig.json")
    key = resolve_did_key(signed["proof"]["verificationMethod"]).key
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    data = signed_bytes(SUITES["Ed25519Signature2020"], unsecured, signed["proof"], key)
    assert data.hex() == (EDSIG / "combinedHashEdSig.txt").read_text().strip()
    assert verify_proof(signed, resolve_did_key).valid
    tampered = copy.deepcopy(signed)
    tampered["validFrom"] = "2024-01-01T00:00:00Z"
    assert "altered" in verify_proof(tampered, resolve_did_key).message


def test_eddsa_2022_is_the_draft_name_of_eddsa_rdfc_2022() -> None:
    secret = Ed25519PrivateKey.generate()
    issuer = did_key(secret.public_key())
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    document = {**unsigned(), "issuer": issuer}
    draft = create_proof(
        document, secret, method, CREATED, cryptosuite="eddsa-2022", public_key=secret.public_key()
    )
    current = create_proof(document, secret, method, CREATED)
    assert draft["proof"]["cryptosuite"] == "eddsa-2022"
    assert verify_proof(draft, resolve_did_key).valid
    # the same algorithm: only the suite's name in the proof configuration differs
    assert draft["proof"]["proofValue"] != current["proof"]["proofValue"]


def test_a_suite_is_named_by_the_proof_and_a_legacy_name_is_not_a_cryptosuite() -> None:
    assert unsupported_suite({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}) == (
        "unsupported proof suite bbs-2023"
    )
    assert unsupported_suite({"type": "Ed25519Signature2018"}) == (
        "unsupported proof suite Ed25519Signature2018"
    )
    wrong = {"type": "DataIntegrityProof", "cryptosuite": "Ed25519Signature2020"}
    assert unsupported_suite(wrong) == "unsupported proof suite Ed25519Signature2020"
    for name in ("ecdsa-rdfc-2019", "eddsa-jcs-2022", "eddsa-2022", "eddsa-rdfc-2022"):
        assert unsupported_suite({"type": "DataIntegrityProof", "cryptosuite": name}) is None
    assert unsupported_suite({"type": "Ed25519Signature2020"}) is None


def test_jcs_hash_is_sha256_of_both_canonical_forms() -> None:
    signed = load(JCS / "signedJCS.json")
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    expected = hashlib.sha256(rfc8785.dumps(proof)).digest()
    key = resolve_did_key(signed["proof"]["verificationMethod"]).key
    assert signed_bytes(SUITES["eddsa-jcs-2022"], unsigned(), proof, key)[:32] == expected


SETS = VECTORS / "w3c-proof-set-chain"


@pytest.mark.parametrize("name", ["signedProofSet2.json", "signedProofChain2.json"])
def test_official_proof_set_and_chain_vectors_verify(name: str) -> None:
    signed = load(SETS / name)
    outcome = verify_proof(signed, resolve_did_key)
    assert outcome.valid, outcome.message
    assert len(outcome.verification_methods) == len(signed["proof"])


def test_a_chain_breaks_when_a_proof_it_names_is_altered_or_missing() -> None:
    signed = load(SETS / "signedProofChain2.json")
    altered = copy.deepcopy(signed)
    altered["proof"][0]["created"] = "2023-02-25T23:36:38Z"  # proof 3 signed proof 1 as it was
    outcome = check_one_proof(altered, 2, resolve_did_key)
    assert not outcome.valid and "previousProof" in outcome.message
    missing = copy.deepcopy(signed)
    del missing["proof"][2]
    outcome = check_one_proof(missing, 2, resolve_did_key)
    assert "is not among the proofs" in outcome.message
    looped = copy.deepcopy(signed)
    looped["proof"][0]["previousProof"] = looped["proof"][2]["id"]
    assert "loop" in check_one_proof(looped, 2, resolve_did_key).message


def test_a_proof_set_needs_the_issuers_proof_and_reports_the_others_as_endorsements() -> None:
    issuer_key, endorser_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    issuer, endorser = did_key(issuer_key.public_key()), did_key(endorser_key.public_key())
    document = {**unsigned(), "issuer": issuer}
    document.pop("id")
    first = create_proof(document, issuer_key, f"{issuer}#{issuer[8:]}", CREATED)
    both = create_proof(first, endorser_key, f"{endorser}#{endorser[8:]}", CREATED)
    verifier = Verifier()
    outcome = verifier.verify(both)
    assert outcome.check("signature").status == "passed"
    assert [e.status for e in outcome.endorsements] == ["passed"]
    assert outcome.endorsements[0].message.startswith(f"endorsement by {endorser}")
    assert outcome.to_json()["endorsements"][0]["id"] == "endorsement"

    bad_endorsement = copy.deepcopy(both)
    bad_endorsement["proof"][1]["created"] = "2025-01-02T00:00:00Z"
    outcome = verifier.verify(bad_endorsement)
    assert outcome.check("signature").status == "passed"
    assert [e.status for e in outcome.endorsements] == ["failed"]

    only_endorser = {**both, "proof": [both["proof"][1]]}
    assert verifier.verify(only_endorser).check("signature").status == "failed"
    swapped = {**both, "proof": [both["proof"][1], {**both["proof"][1], "id": "urn:x"}]}
    assert "no proof is signed by the issuer" in verifier.verify(swapped).check("signature").message


def proof_by(
    key: Ed25519PrivateKey, unsecured: dict[str, Any], earlier: list[Any], **extra: Any
) -> dict[str, Any]:
    """An eddsa-rdfc-2022 proof with `extra` options, signing `earlier` proofs with the document."""
    did = did_key(key.public_key())
    config = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": f"{did}#{did[8:]}",
        "proofPurpose": "assertionMethod",
        **extra,
    }
    signed = {**unsecured, "proof": earlier} if earlier else unsecured
    data = signed_bytes(SUITES["eddsa-rdfc-2022"], signed, config, key.public_key())
    return {**config, "proofValue": encode_base58btc(key.sign(data))}


def test_an_issuer_proof_chained_on_an_endorsement_needs_that_endorsement_intact() -> None:
    issuer_key, endorser_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    document = {**unsigned(), "issuer": did_key(issuer_key.public_key())}
    endorsement = proof_by(endorser_key, document, [], id="urn:uuid:endorsement-1")
    chained_proof = proof_by(
        issuer_key, document, [endorsement], previousProof="urn:uuid:endorsement-1"
    )
    chained = {**document, "proof": [endorsement, chained_proof]}
    outcome = Verifier().verify(chained)
    assert outcome.check("signature").status == "passed", outcome.check("signature").message
    assert [e.status for e in outcome.endorsements] == ["passed"]
    broken = copy.deepcopy(chained)
    broken["proof"][0]["created"] = "2025-01-03T00:00:00Z"
    assert "previousProof" in Verifier().verify(broken).check("signature").message


def test_an_issuer_named_by_an_https_url_is_resolved_only_through_the_callers_lookup() -> None:
    private = generate_private_key(SECP384R1())
    issuer = "https://vc.example/issuers/5678"
    multikey = did_key(private.public_key()).removeprefix("did:key:")
    method = f"{issuer}#{multikey}"
    key_document = {
        "id": issuer,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": issuer, "publicKeyMultibase": multikey}
        ],
        "assertionMethod": [method],
    }
    record = create_proof(
        {**unsigned(), "issuer": issuer},
        EcdsaSigner(private),
        method,
        CREATED,
        cryptosuite="ecdsa-rdfc-2019",
        public_key=private.public_key(),
    )
    documents = {issuer: key_document}
    outcome = Verifier(resolve_url_issuer=documents.__getitem__).verify(record)
    assert outcome.check("issuer-resolved").status == "passed"
    assert outcome.check("signature").status == "passed"
    unresolved = Verifier().verify(record).check("issuer-resolved")
    assert "no https issuer resolver" in unresolved.message
    other = Verifier(resolve_url_issuer=lambda _: {**key_document, "id": "https://x.example"})
    assert "another issuer" in other.verify(record).check("issuer-resolved").message


LIST_URL = "https://issuer.example/status/1"


def _issued(key: Ed25519PrivateKey, document: dict[str, Any]) -> dict[str, Any]:
    did = did_key(key.public_key())
    return create_proof({**document, "issuer": did}, key, f"{did}#{did[8:]}", CREATED)


@pytest.mark.parametrize("revoked", [True, False])
def test_a_status_list_2021_entry_is_read_from_its_signed_list(revoked: bool) -> None:
    key = Ed25519PrivateKey.generate()
    contexts = [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    record = _issued(
        key,
        {
            "@context": contexts,
            "type": ["VerifiableCredential"],
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {
                "id": f"{LIST_URL}#42",
                "type": "StatusList2021Entry",
                "statusPurpose": "revocation",
                "statusListIndex": "42",
                "statusListCredential": LIST_URL,
            },
        },
    )
    bits = Bitstring.zeros().set(42, revoked)
    listing = _issued(
        key,
        {
            "@context": contexts,
            "id": LIST_URL,
            "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{LIST_URL}#list",
                "type": "StatusList2021",
                "statusPurpose": "revocation",
                "encodedList": bits.encode().removeprefix("u"),  # no multibase prefix in 2021
            },
        },
    )
    outcome = Verifier(fetch_status_list={LIST_URL: listing}.__getitem__).verify(record)
    assert outcome.check("signature").status == "passed"
    status = outcome.check("status")
    assert status.status == ("failed" if revoked else "passed"), status.message
    assert ("revoked" if revoked else "not revoked") in status.message


def test_a_1edtech_revocation_list_revokes_by_naming_the_record() -> None:
    key = Ed25519PrivateKey.generate()
    record = _issued(
        key,
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
            ],
            "id": "urn:uuid:6a9d3c2e-4b1f-4c55-9d0e-2f3a4b5c6d7e",
            "type": ["VerifiableCredential"],
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {"id": LIST_URL, "type": "1EdTechRevocationList"},
        },
    )

    def listing(*revoked: str, issuer: str = record["issuer"]) -> dict[str, Any]:
        items = [{"id": item, "revocationReason": "issued in error"} for item in revoked]
        return {"id": LIST_URL, "issuer": {"id": issuer}, "revokedCredentials": items}

    def status(answer: dict[str, Any]) -> Any:
        return Verifier(fetch_status_list=lambda _: answer).verify(record).check("status")

    assert status(listing(record["id"])).status == "failed"
    assert status(listing(record["id"])).reason == "revoked"
    assert status(listing("urn:uuid:another")).status == "passed"
    assert "not issued by the record's issuer" in status(listing(issuer="did:key:z6Mkx")).message
    assert status({"id": LIST_URL, "issuer": record["issuer"]}).status == "unknown"


def test_a_dense_chain_verifies_each_proof_once_and_too_many_proofs_are_refused() -> None:
    key = Ed25519PrivateKey.generate()
    document = {**unsigned(), "issuer": did_key(key.public_key())}
    proofs: list[dict[str, Any]] = []
    for number in range(12):  # each proof names every earlier one
        extra: dict[str, Any] = {"id": f"urn:proof:{number}"}
        if proofs:
            extra["previousProof"] = [proof["id"] for proof in proofs]
        proofs.append(proof_by(key, document, list(proofs), **extra))
    resolved: list[str] = []

    def counting(method_id: str) -> VerificationMethod:
        resolved.append(method_id)
        return resolve_did_key(method_id)

    assert verify_proof({**document, "proof": proofs}, counting).valid
    assert len(resolved) == 12  # not 2^11: outcomes are remembered along the chain
    many = {**document, "proof": [proofs[0]] * 17}
    assert "more than 16 proofs" in verify_proof(many, resolve_did_key).message


def test_p384_labels_blank_nodes_with_sha384_and_only_the_labels_change() -> None:
    """ecdsa-rdfc-2019 on P-384 runs RDFC-1.0 with SHA-384 (Digital Bazaar's suite passes it
    as the hash algorithm; the interop test checks a P-384 record against it). Same quads, other
    blank-node labels on a record with many blank nodes."""
    record = unsigned_record(7)
    canon = default_canonicalizer()
    by_sha256, by_sha384 = canon.canonicalize(record), canon.canonicalize(record, "sha384")
    assert by_sha256 != by_sha384

    def unlabelled(nquads: str) -> list[str]:
        return sorted(re.sub(r"_:c14n\d+", "_:b", line) for line in nquads.splitlines())

    assert unlabelled(by_sha256) == unlabelled(by_sha384)
