"""RDFC-1.0 canonicalization with pyld's pitfalls handled, and work reused across a batch."""

from __future__ import annotations

import copy
import hashlib
import time
from typing import Any

import pytest
from pyld import jsonld

from mooc.credentials.core.canonical import (
    CanonicalizationError,
    Canonicalizer,
    UnsafeDocument,
)
from mooc.credentials.core.contexts import CREDENTIALS_V2, OB_V3, bundled_loader
from mooc.credentials.core.identity import LearnerDid
from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.records import LEGACY_RECORD_TERMS, achievement_credential
from mooc.credentials.core.status_list import Bitstring, status_list_credential

from .samples import (
    CONTEXT_URL,
    CREATED,
    KEY,
    NOW,
    STATUS_LIST,
    UNIVERSITY_DID,
    WEB_METHOD,
    completion,
    k12_course,
    signed_record,
    signed_transcript,
    university_did_document,
)

VOCAB = {"@vocab": "https://vocab.example/"}
XSD_FLOAT = "http://www.w3.org/2001/XMLSchema#float"


def test_control_characters_are_escaped_as_rdfc_1_0_says() -> None:
    document = {"@context": VOCAB, "@id": "https://x.example/s", "note": "a\fb\x01c\td\x7f\b"}
    assert Canonicalizer().canonicalize(document) == (
        '<https://x.example/s> <https://vocab.example/note> "a\\fb\\u0001c\\td\\u007F\\b" .\n'
    )


def test_blank_node_labels_follow_hashes_of_the_escaped_form() -> None:
    document = {"@context": VOCAB, "@graph": [{"note": "a\x01"}, {"note": "a\x02"}]}
    hashes = {
        char: hashlib.sha256(
            f'_:a <https://vocab.example/note> "a\\u000{char}" .\n'.encode()
        ).hexdigest()
        for char in "12"
    }
    first, second = sorted(hashes, key=hashes.__getitem__)
    assert Canonicalizer().canonicalize(document) == (
        f'_:c14n0 <https://vocab.example/note> "a\\u000{first}" .\n'
        f'_:c14n1 <https://vocab.example/note> "a\\u000{second}" .\n'
    )


def test_whole_number_floats_are_written_like_javascript_does() -> None:
    context = {"credits": {"@id": "https://vocab.example/credits", "@type": XSD_FLOAT}}
    canonical = Canonicalizer().canonicalize(
        {"@context": context, "@id": "https://x.example/s", "credits": [3.0, 7.5]}
    )
    assert f'"3"^^<{XSD_FLOAT}>' in canonical
    assert f'"7.5E0"^^<{XSD_FLOAT}>' in canonical


def test_undefined_terms_are_refused_not_dropped() -> None:
    record = achievement_credential(completion(), context_url=CONTEXT_URL)
    record["credentialSubject"]["nickname"] = "An"
    with pytest.raises(UnsafeDocument, match="'nickname' is not defined"):
        Canonicalizer().canonicalize(record)


def test_undefined_types_are_refused_not_resolved_against_a_made_up_base() -> None:
    record = achievement_credential(completion(), context_url=CONTEXT_URL)
    record["@context"] = [CREDENTIALS_V2, OB_V3, LEGACY_RECORD_TERMS]  # no OB extensions context
    with pytest.raises(UnsafeDocument, match="1EdTechJsonSchemaValidator2019"):
        Canonicalizer().canonicalize(record)


def test_relative_ids_are_refused() -> None:
    with pytest.raises(UnsafeDocument, match="not an absolute IRI"):
        Canonicalizer().canonicalize({"@context": VOCAB, "@id": "records/1", "note": "x"})


def test_poison_graphs_stop_at_the_work_limit() -> None:
    nodes = [f"_:n{i}" for i in range(9)]
    graph = [{"@id": n, "link": [{"@id": m} for m in nodes if m != n]} for n in nodes]
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError, match="work limit"):
        Canonicalizer(max_deep_iterations=500).canonicalize({"@context": VOCAB, "@graph": graph})
    assert time.perf_counter() - started < 20


class CountingCanonicalizer(Canonicalizer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def canonicalize(self, document: Any) -> str:
        self.calls += 1
        return super().canonicalize(document)


def test_a_batch_canonicalizes_its_proof_configuration_once() -> None:
    canonicalizer = CountingCanonicalizer()
    for number in range(5):
        record = achievement_credential(
            completion(credential_id=f"urn:uuid:batch-{number}"), context_url=CONTEXT_URL
        )
        create_proof(record, KEY, WEB_METHOD, CREATED, canonicalizer=canonicalizer)
    assert canonicalizer.calls == 5 + 1


def test_same_output_as_plain_pyld_whatever_was_canonicalized_before() -> None:
    """The speed-ups (remembered scoped contexts, no second expansion) change nothing."""
    loader = bundled_loader()
    documents = [
        achievement_credential(completion(), context_url=CONTEXT_URL),
        signed_transcript(),
        achievement_credential(
            completion(achievement=k12_course(), credits_earned=None), context_url=CONTEXT_URL
        ),
        signed_record(),
        university_did_document(),
        status_list_credential(STATUS_LIST, UNIVERSITY_DID, Bitstring.zeros(), NOW),
        achievement_credential(
            completion(recipient=LearnerDid("did:example:learner")), context_url=CONTEXT_URL
        ),
    ]
    canonicalizer = Canonicalizer()
    for document in [*documents, *reversed(documents), *documents]:
        plain = jsonld.normalize(
            copy.deepcopy(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "base": None,
                "documentLoader": loader,
            },
        )
        assert canonicalizer.canonicalize(document) == plain
