"""Structural rules: VC Data Model 2.0, then Open Badges 3.0 and CLR 2.0."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mooc.credentials.core.structure import check_structure

from .samples import signed_record, signed_transcript

Mutation = Callable[[dict[str, Any]], None]


def test_our_records_are_well_formed() -> None:
    for record in (signed_record(), signed_transcript()):
        structure = check_structure(record)
        assert structure.well_formed, structure.errors
        assert structure.warnings == ()


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(record: dict[str, Any]) -> None:
        node = record
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _drop(path: tuple[Any, ...]) -> Mutation:
    def mutate(record: dict[str, Any]) -> None:
        node = record
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return mutate


RULES: list[tuple[str, Mutation, str]] = [
    (
        "v2 context first",
        _set(("@context", 0), "https://www.w3.org/2018/credentials/v3"),
        "first item",
    ),
    (
        "context is a list",
        _set(("@context",), "https://www.w3.org/ns/credentials/v2"),
        "ordered list",
    ),
    ("context items", _set(("@context", 3), 42), "URLs or objects"),
    ("id is a URL", _set(("id",), "not a url"), "id must be a single URL"),
    ("VerifiableCredential type", _set(("type",), ["OpenBadgeCredential"]), "VerifiableCredential"),
    ("name is text", _set(("name",), 5), "name must be a string"),
    ("issuer is a URL", _set(("issuer", "id"), "Trường ĐH"), "issuer must be a URL"),
    ("subject not empty", _set(("credentialSubject",), {}), "non-empty objects"),
    ("validFrom stamp", _set(("validFrom",), "2025-06-30"), "dateTimeStamp"),
    ("validity order", _set(("validUntil",), "2020-01-01T00:00:00Z"), "after validUntil"),
    ("status has a type", _drop(("credentialStatus", "type")), "credentialStatus needs a type"),
    ("schema has an id", _drop(("credentialSchema", 0, "id")), "credentialSchema needs an id"),
    ("evidence typed", _set(("evidence",), [{"id": "https://x.example/e"}]), "evidence needs"),
    ("related digest", _set(("relatedResource",), [{"id": "https://x.example"}]), "digestSRI"),
    ("secured", _drop(("proof",)), "no proof"),
    (
        "OB context second",
        _set(("@context", 1), "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"),
        "Open Badges 3.0 context",
    ),
    ("OB validFrom", _drop(("validFrom",)), "needs validFrom"),
    ("subject type", _set(("credentialSubject", "type"), ["Person"]), "AchievementSubject"),
    ("subject identity", _drop(("credentialSubject", "identifier")), "an id or identifier"),
    ("criteria", _drop(("credentialSubject", "achievement", "criteria")), "needs criteria"),
    ("achievement name", _drop(("credentialSubject", "achievement", "name")), "needs a name"),
    (
        "result link",
        _set(("credentialSubject", "result", 0, "resultDescription"), "https://x.example/r"),
        "unknown resultDescription",
    ),
    ("credits number", _set(("credentialSubject", "creditsEarned"), "3"), "creditsEarned"),
    ("status id", _drop(("credentialStatus", "id")), "credentialStatus needs an id"),
    (
        "alignment url",
        _drop(("credentialSubject", "achievement", "alignment", 0, "targetUrl")),
        "targetUrl",
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "message"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_reports_its_breach(rule: str, mutate: Mutation, message: str) -> None:
    record = copy.deepcopy(signed_record())
    mutate(record)
    structure = check_structure(record)
    assert not structure.well_formed
    assert any(message in error for error in structure.errors), structure.errors


def test_transcript_rules_reach_into_embedded_records() -> None:
    transcript = signed_transcript()
    del transcript["credentialSubject"]["verifiableCredential"][1]["proof"]
    errors = check_structure(transcript).errors
    assert errors == ("verifiableCredential[1]: the record is not secured: it has no proof",)
    transcript["credentialSubject"]["verifiableCredential"] = []
    assert "at least one verifiableCredential" in check_structure(transcript).errors[0]


def test_bare_issuer_url_is_allowed_with_a_warning() -> None:
    record = signed_record()
    record["issuer"] = record["issuer"]["id"]
    structure = check_structure(record)
    assert structure.well_formed
    assert "bare URL" in structure.warnings[0]


def test_non_objects_are_malformed() -> None:
    assert check_structure(["not", "a", "credential"]).errors == (
        "a credential must be a JSON object",
    )
