"""did:web identifiers of institutions and DID documents with rotated keys."""

from __future__ import annotations

import pytest

from mooc.credentials.core.did import (
    DidError,
    PublishedKey,
    did_document,
    did_web_document_url,
    find_verification_method,
    institution_did,
)
from mooc.credentials.core.multikey import InvalidKey

from .samples import KEY, OLD_KEY, UNIVERSITY_DID, university_did_document


def test_institution_did_from_base_url() -> None:
    assert institution_did("https://mooc.example.edu", "hcmus") == (
        "did:web:mooc.example.edu:institutions:hcmus"
    )
    assert institution_did("http://localhost:5000/", "demo-uni") == (
        "did:web:localhost%3A5000:institutions:demo-uni"
    )
    assert institution_did("https://Example.EDU/mooc", "x") == (
        "did:web:example.edu:mooc:institutions:x"
    )
    with pytest.raises(DidError):
        institution_did("https://mooc.example.edu", "a/b")
    with pytest.raises(DidError):
        institution_did("ftp://mooc.example.edu", "x")


def test_did_web_resolves_to_the_served_document_url() -> None:
    assert did_web_document_url("did:web:mooc.example.edu:institutions:hcmus") == (
        "https://mooc.example.edu/institutions/hcmus/did.json"
    )
    assert did_web_document_url("did:web:localhost%3A5000:institutions:x") == (
        "https://localhost:5000/institutions/x/did.json"
    )
    assert did_web_document_url("did:web:example.edu") == "https://example.edu/.well-known/did.json"


def test_did_document_keeps_rotated_keys_usable_for_assertions() -> None:
    document = university_did_document()
    assert document["id"] == UNIVERSITY_DID
    assert [m["id"] for m in document["verificationMethod"]] == [
        f"{UNIVERSITY_DID}#key-2024",
        f"{UNIVERSITY_DID}#key-2025",
    ]
    assert document["assertionMethod"] == [
        f"{UNIVERSITY_DID}#key-2024",
        f"{UNIVERSITY_DID}#key-2025",
    ]
    old = find_verification_method(document, f"{UNIVERSITY_DID}#key-2024")
    new = find_verification_method(document, f"{UNIVERSITY_DID}#key-2025")
    assert old.public_key == OLD_KEY.public_key()
    assert new.public_key == KEY.public_key()
    assert new.controller == UNIVERSITY_DID


def test_methods_not_allowed_for_assertions_or_foreign_are_refused() -> None:
    document = university_did_document()
    document["assertionMethod"] = [f"{UNIVERSITY_DID}#key-2025"]
    with pytest.raises(DidError, match="not an assertionMethod key"):
        find_verification_method(document, f"{UNIVERSITY_DID}#key-2024")
    with pytest.raises(DidError, match=r"is for .*, not .did:web:other"):
        find_verification_method(document, "did:web:other.example#key-2025")
    document["verificationMethod"][1]["controller"] = "did:web:attacker.example"
    with pytest.raises(DidError, match="controlled by"):
        find_verification_method(document, f"{UNIVERSITY_DID}#key-2025")


def test_did_document_needs_distinct_valid_keys() -> None:
    key = PublishedKey(
        "key-1", university_did_document()["verificationMethod"][0]["publicKeyMultibase"]
    )
    with pytest.raises(DidError, match="unique"):
        did_document(UNIVERSITY_DID, [key, key])
    with pytest.raises(DidError):
        did_document(UNIVERSITY_DID, [])
    with pytest.raises(InvalidKey):
        PublishedKey("key-1", "z6MkNotAKey")
