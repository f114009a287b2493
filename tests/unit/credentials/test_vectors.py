"""Official test vectors reproduced byte for byte: W3C vc-di-eddsa (eddsa-rdfc-2022) and the
1EdTech Open Badges 3.0 / CLR 2.0 linked-data-proof vectors."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.canonical import Canonicalizer
from mooc.credentials.core.contexts import bundled_loader
from mooc.credentials.core.multibase import encode_base58btc
from mooc.credentials.core.multikey import (
    VerificationMethod,
    decode_secret_key,
    encode_public_key,
    encode_secret_key,
    resolve_did_key,
)
from mooc.credentials.core.proof import create_proof, hash_data, proof_configuration, verify_proof

VECTORS = Path(__file__).with_name("vectors")
W3C = VECTORS / "w3c-eddsa-rdfc-2022"
EDTECH = VECTORS / "1edtech"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(path: Path) -> Any:
    return json.loads(text(path))


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def w3c() -> Canonicalizer:
    """The bundled contexts, which include the W3C examples context the vectors use (the W3C
    test suites need it too); the bundled copy is the vectors' own."""
    assert bundled_loader().document(EXAMPLES_V2) == load(W3C / "credentials-examples-v2.jsonld")
    return Canonicalizer(bundled_loader())


@pytest.fixture(scope="module")
def edtech_key() -> Ed25519PrivateKey:
    private_hex = re.search(r"Private key \(hex\): ([0-9a-f]+)", text(EDTECH / "clr-ldp.txt"))
    assert private_hex is not None
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex[1])[:32])


def edtech_method() -> VerificationMethod:
    expected = load(EDTECH / "obv3p0_expected.json")
    controller, _, multibase = expected["verificationMethod"].partition("#")
    return VerificationMethod(expected["verificationMethod"], controller, multibase)


# W3C vc-di-eddsa, eddsa-rdfc-2022


def test_w3c_key_pair_round_trips_through_multikey() -> None:
    pair = load(W3C / "keyPair.json")
    key = decode_secret_key(pair["privateKeyMultibase"])
    assert encode_public_key(key.public_key()) == pair["publicKeyMultibase"]
    assert encode_secret_key(key) == pair["privateKeyMultibase"]


def test_w3c_canonical_document_and_proof_configuration(w3c: Canonicalizer) -> None:
    assert w3c.canonicalize(load(W3C / "unsigned.json")) == text(W3C / "canonDocDataInt.txt")
    configuration = load(W3C / "proofConfigDataInt.json")
    assert w3c.canonicalize(configuration) == text(W3C / "proofCanonDataInt.txt")
    assert sha256_hex(text(W3C / "canonDocDataInt.txt")) == text(W3C / "docHashDataInt.txt")
    assert sha256_hex(text(W3C / "proofCanonDataInt.txt")) == text(W3C / "proofHashDataInt.txt")


def test_w3c_hash_data_signature_and_signed_document(w3c: Canonicalizer) -> None:
    expected = load(W3C / "signedDataInt.json")
    options = expected["proof"]
    unsigned = load(W3C / "unsigned.json")
    configuration = proof_configuration(options["verificationMethod"], options["created"])
    data = hash_data(unsigned, configuration, w3c)
    assert data.hex() == text(W3C / "combinedHashDataInt.txt")
    key = decode_secret_key(load(W3C / "keyPair.json")["privateKeyMultibase"])
    assert key.sign(data).hex() == text(W3C / "sigHexDataInt.txt")
    signed = create_proof(
        unsigned, key, options["verificationMethod"], options["created"], canonicalizer=w3c
    )
    assert signed["proof"]["proofValue"] == text(W3C / "sigBTC58DataInt.txt")
    assert json.dumps(signed, indent=2) == json.dumps(expected, indent=2)
    assert verify_proof(expected, resolve_did_key, canonicalizer=w3c).valid


def test_w3c_employment_vector_hashes_and_signature_from_its_canonical_forms() -> None:
    """Its citizenship context is not bundled, so start from the canonical N-Quads it gives."""
    folder = W3C / "employ"
    document, configuration = (
        text(folder / "canonDocDataInt.txt"),
        text(folder / "proofCanonDataInt.txt"),
    )
    assert sha256_hex(document) == text(folder / "docHashDataInt.txt")
    assert sha256_hex(configuration) == text(folder / "proofHashDataInt.txt")
    data = bytes.fromhex(sha256_hex(configuration) + sha256_hex(document))
    assert data.hex() == text(folder / "combinedHashDataInt.txt")
    key = decode_secret_key(load(W3C / "keyPair.json")["privateKeyMultibase"])
    signature = key.sign(data)
    assert signature.hex() == text(folder / "sigHexDataInt.txt")
    assert encode_base58btc(signature) == text(folder / "sigBTC58DataInt.txt")
    assert load(folder / "signedDataInt.json")["proof"]["proofValue"] == encode_base58btc(signature)


# 1EdTech Open Badges 3.0 and CLR 2.0


def test_1edtech_legacy_secret_key_and_multikey(edtech_key: Ed25519PrivateKey) -> None:
    legacy = re.search(r"secretKeyMultibase: '(z\w+)'", text(EDTECH / "clr-ldp.txt"))
    public = re.search(r"publicKeyMultibase: '(z\w+)'", text(EDTECH / "clr-ldp.txt"))
    assert legacy is not None and public is not None
    assert encode_public_key(edtech_key.public_key()) == public[1]
    assert encode_public_key(decode_secret_key(legacy[1]).public_key()) == public[1]


def test_1edtech_open_badge_vector(edtech_key: Ed25519PrivateKey) -> None:
    canonicalizer = Canonicalizer()
    expected = load(EDTECH / "obv3p0_expected.json")
    credential = load(EDTECH / "obv3p0_unsigned.json")
    configuration = proof_configuration(expected["verificationMethod"], expected["created"])
    document_canon = canonicalizer.canonicalize(credential)
    proof_canon = canonicalizer.canonicalize({**configuration, "@context": credential["@context"]})
    assert document_canon == text(EDTECH / "obv3p0_document-canon.txt")
    assert proof_canon == text(EDTECH / "obv3p0_proof-canon.txt")
    assert sha256_hex(document_canon) == expected["documentHash"]
    assert sha256_hex(proof_canon) == expected["proofHash"]
    signed = create_proof(
        credential, edtech_key, expected["verificationMethod"], expected["created"]
    )
    assert signed["proof"]["proofValue"] == expected["proofValue"]
    assert verify_proof(signed, lambda method_id: edtech_method()).valid


def test_1edtech_clr_vector(edtech_key: Ed25519PrivateKey) -> None:
    canonicalizer = Canonicalizer()
    listing = text(EDTECH / "clr-ldp.txt")
    document_hash = re.search(r"Document hash \(hex\)\s+([0-9a-f]{64})", listing)
    proof_hash = re.search(r"Proof hash \(hex\)\s+([0-9a-f]{64})", listing)
    proof_value = re.search(r"Proof value \(hex\)\s+(z\w+)", listing)
    assert document_hash and proof_hash and proof_value
    method = edtech_method()
    clr = load(EDTECH / "clr_unsigned.json")
    configuration = proof_configuration(method.id, "2010-01-01T19:23:24Z")
    document_canon = canonicalizer.canonicalize(clr)
    proof_canon = canonicalizer.canonicalize({**configuration, "@context": clr["@context"]})
    assert document_canon == text(EDTECH / "clrv2p0_document-canon.txt")
    assert proof_canon == text(EDTECH / "clrv2p0_proof-canon.txt")
    assert sha256_hex(document_canon) == document_hash[1]
    assert sha256_hex(proof_canon) == proof_hash[1]
    signed = create_proof(clr, edtech_key, method.id, "2010-01-01T19:23:24Z")
    assert signed["proof"]["proofValue"] == proof_value[1]
    embedded = clr["credentialSubject"]["verifiableCredential"][0]
    assert verify_proof(embedded, lambda method_id: method).valid
    assert verify_proof(signed, lambda method_id: method).valid
