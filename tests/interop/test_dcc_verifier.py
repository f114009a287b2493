"""The platform's records judged by the Digital Credentials Consortium's verifier-core.

verifier-core (@digitalcredentials/verifier-core, the verifier of the DCC's Learner Credential
Wallet and VerifierPlus) runs offline: it loads the contexts its packages bundle, and everything
else it asks for (the platform's context, the CLR context, did:web documents, status lists, the
OB 3.0 JSON Schema, issuer registries) is served from here or refused (tests/interop/dcc).

What it checks, per credential: the signature (fatal when it fails), expiration, each status
entry (revocation, suspension), whether the issuer is in one of the known registries, and the
record against the JSON Schema its `credentialSchema` names. The registry step cannot pass
offline: DCC's registries are fetched from the DCC's sites, which the loader refuses; so it is
asserted to be the one step that fails, with every registry listed as unchecked.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mooc.credentials.core.records import LEGACY_RECORD_TERMS, OB_SCHEMA, achievement_credential
from tests.ob_schema import schema_problems

from .dccref import (
    DccInstallation,
    DccJob,
    DccResult,
    DccRun,
    DccVerifierError,
    dcc_verify,
    dcc_verify_jobs,
)
from .dccref import ensure_installed as ensure_dcc_installed
from .records import (
    CONTEXT_URL,
    DID_KEY,
    LIFTED_AT,
    REVOKED_AT,
    REVOKED_INDEX,
    ROTATED_KEY,
    ROTATED_WEB_METHOD,
    STATUS_LIST_URL,
    SUSPENDED_AT,
    SUSPENSION_LIST_URL,
    UNIVERSITY_DID,
    Json,
    bundled_contexts,
    completion,
    course_record,
    did_key_course_record,
    hashed_holder_record,
    recognition_record,
    revoked_course_record,
    sign,
    status_list,
    transcript,
    university_did_document,
)

pytestmark = pytest.mark.interop

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_WEB_DOCUMENT = "https://learn.mooc.example.edu/institutions/bach-khoa/did.json"

# The DCC's known registries as issuer-registry-client's README reproduces them (22 April 2025):
# what the Learner Credential Wallet checks issuers against. Its OIDF member registry is left out:
# that entry has no `trustAnchorEC`, which client 3.2 needs (it would look up "undefined").
DCC_REGISTRIES: tuple[Json, ...] = (
    {
        "type": "dcc-legacy",
        "name": "DCC Sandbox Registry",
        "url": "https://digitalcredentials.github.io/sandbox-registry/registry.json",
    },
    {
        "type": "dcc-legacy",
        "name": "DCC Community Registry",
        "url": "https://digitalcredentials.github.io/community-registry/registry.json",
    },
    {
        "type": "dcc-legacy",
        "name": "MSP Registry",
        "url": "https://sandbox-issuer.myskillspocket.com/registry.json",
    },
)
DCC_REGISTRY_URLS = {entry["url"] for entry in DCC_REGISTRIES}

# Every check a valid record with one revocation entry passes; the registry one cannot offline.
PASSED = {"valid_signature": True, "expiration": True, "revocation_status": True}
OFFLINE = {"registered_issuer": False}


@pytest.fixture(scope="session")
def dcc_verifier() -> DccInstallation:
    """Node packages from tests/interop/dcc/package-lock.json (`npm ci` if not installed yet).

    Fails, never skips, when node or npm is missing, as the other interop tests do.
    """
    try:
        return ensure_dcc_installed()
    except DccVerifierError as error:
        pytest.fail(str(error), pytrace=False)


def documents(*extra: Mapping[str, Json]) -> dict[str, Json]:
    """The bundled contexts, the vendored OB 3.0 JSON Schema (at the URL records name), then
    `extra` (DID documents, status lists)."""
    schema = json.loads((SCHEMAS / "ob_v3p0_achievementcredential.json").read_text("utf-8"))
    merged: dict[str, Json] = {**bundled_contexts(), OB_SCHEMA: schema}
    for more in extra:
        merged.update(more)
    return merged


def assert_offline_verdict(result: DccResult, statuses: Mapping[str, bool] | None = None) -> None:
    """Everything passes but the registry lookup, which found nothing it could reach."""
    assert result.errors == ()
    assert result.step_errors == {}
    assert dict(result.checks) == {**PASSED, **(statuses or {}), **OFFLINE}
    assert set(result.unchecked_registries) == DCC_REGISTRY_URLS


# --- the university's records, one run -----------------------------------------------------------

Tamper = Callable[[Json], None]


def _set(path: tuple[str | int, ...], value: Any) -> Tamper:
    def tamper(record: Json) -> None:
        node: Any = record
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return tamper


def _change_one_proof_character(record: Json) -> None:
    proof = record["proof"][0]
    value: str = proof["proofValue"]
    middle = len(value) // 2
    proof["proofValue"] = (
        value[:middle] + ("2" if value[middle] != "2" else "3") + value[middle + 1 :]
    )


SUBJECT = ("credentialSubject",)
INVALID_SIGNATURE = "invalid_signature: The signature is not valid."
UNDEFINED_TERM = "jsonld.ValidationError: Safe mode validation error."
TAMPERINGS: dict[str, tuple[Tamper, str]] = {
    "grade": (_set((*SUBJECT, "result", 0, "value"), "9.5"), INVALID_SIGNATURE),
    "credits-earned": (_set((*SUBJECT, "creditsEarned"), 5.0), INVALID_SIGNATURE),
    "holder-name": (
        _set((*SUBJECT, "identifier", 1, "identityHash"), "Lò Văn Nam"),
        INVALID_SIGNATURE,
    ),
    "student-number": (
        _set((*SUBJECT, "identifier", 2, "identityHash"), "SV20260518"),
        INVALID_SIGNATURE,
    ),
    "issuer-name": (_set(("issuer", "name"), "Another University"), INVALID_SIGNATURE),
    "status-index": (_set(("credentialStatus", "statusListIndex"), "48214"), INVALID_SIGNATURE),
    "proof-value": (_change_one_proof_character, INVALID_SIGNATURE),
    "added-undefined-property": (_set((*SUBJECT, "honours"), True), UNDEFINED_TERM),
}


def _tampered(name: str) -> Json:
    record = copy.deepcopy(course_record().credential)
    TAMPERINGS[name][0](record)
    return record


@cache
def _tampered_recognition() -> Json:
    record = copy.deepcopy(recognition_record(suspended=False).credential)
    record["credentialSubject"]["creditsEarned"] = 30
    return record


def _university_job() -> tuple[list[str], DccJob]:
    """The university's records: course, revoked, transcript and the records it embeds,
    recognition, a record signed with the rotated key, and each tampered record."""
    whole = transcript().credential
    rotated = sign(
        achievement_credential(completion(), context_url=CONTEXT_URL),
        ROTATED_WEB_METHOD,
        ROTATED_KEY,
    )
    named: dict[str, Json] = {
        "course": course_record().credential,
        "revoked": revoked_course_record().credential,
        "transcript": whole,
        **{
            f"transcript-record-{n}": record
            for n, record in enumerate(whole["credentialSubject"]["verifiableCredential"])
        },
        "recognition": recognition_record(suspended=False).credential,
        "recognition-two-entries": recognition_record(suspended=False, two_entries=True).credential,
        "tampered-recognition": _tampered_recognition(),
        "rotated-key": rotated,
        **{f"tampered-{name}": _tampered(name) for name in TAMPERINGS},
    }
    # One revocation list serves them all: only the revoked record's bit is set.
    served = documents(
        recognition_record(suspended=False).documents, revoked_course_record().documents
    )
    assert served[STATUS_LIST_URL] == status_list(revoked=[REVOKED_INDEX])
    return list(named), DccJob(list(named.values()), served, DCC_REGISTRIES)


def _other_jobs() -> dict[str, DccJob]:
    """Other issuers, states and documents, each job with documents of its own."""
    did_key, hashed = did_key_course_record(), hashed_holder_record()
    suspended = recognition_record(suspended=True, listed_at=SUSPENDED_AT)
    lifted = recognition_record(suspended=False, listed_at=LIFTED_AT)
    revoked_recognition = recognition_record(suspended=True, listed_at=REVOKED_AT)
    course, revoked = course_record(), revoked_course_record()
    forged = copy.deepcopy(revoked.documents[STATUS_LIST_URL])
    forged["credentialSubject"]["encodedList"] = status_list()["credentialSubject"]["encodedList"]
    unsigned = achievement_credential(completion(), context_url=CONTEXT_URL)
    unsigned["@context"] = [*unsigned["@context"][:-1], LEGACY_RECORD_TERMS]
    return {
        "did-key": DccJob(
            [did_key.credential, hashed.credential], documents(did_key.documents), DCC_REGISTRIES
        ),
        "suspended": DccJob([suspended.credential], documents(suspended.documents)),
        "lifted": DccJob([lifted.credential], documents(lifted.documents)),
        "revoked-recognition": DccJob(
            [revoked_recognition.credential], documents(revoked_recognition.documents)
        ),
        "own-registry": DccJob(
            [course.credential],
            documents(course.documents, {OWN_REGISTRY["url"]: OWN_REGISTRY_LISTING}),
            [OWN_REGISTRY, *DCC_REGISTRIES],
        ),
        "no-status-list": DccJob(
            [course.credential], documents({UNIVERSITY_DID: university_did_document()})
        ),
        "forged-status-list": DccJob(
            [revoked.credential], documents(revoked.documents, {STATUS_LIST_URL: forged})
        ),
        "foreign-status-list": DccJob(
            [revoked.credential],
            documents(
                revoked.documents,
                {STATUS_LIST_URL: status_list(revoked=[REVOKED_INDEX], did=DID_KEY)},
            ),
        ),
        "old-style": DccJob([sign(unsigned, as_set=False)], documents(course.documents)),
    }


@pytest.fixture(scope="module")
def runs(dcc_verifier: DccInstallation) -> dict[str, DccRun]:
    """Every job of this module in one node process (the DID documents are the same in all)."""
    others = _other_jobs()
    _, university = _university_job()
    done = dcc_verify_jobs([university, *others.values()])
    return dict(zip(["university", *others], done, strict=True))


@pytest.fixture(scope="module")
def university_run(runs: dict[str, DccRun]) -> dict[str, DccResult]:
    names, _ = _university_job()
    run = runs["university"]
    # Offline: it fetched only documents served here and was refused only the DCC registries
    # and the CLR schema (not vendored).
    assert run.fetched == {
        CONTEXT_URL,
        CLR_CONTEXT,
        DID_WEB_DOCUMENT,
        STATUS_LIST_URL,
        SUSPENSION_LIST_URL,
        OB_SCHEMA,
    }
    assert run.refused == DCC_REGISTRY_URLS | {CLR_SCHEMA}
    assert run.versions["@digitalcredentials/verifier-core"] == "1.0.0-beta.11"
    return dict(zip(names, run.results, strict=True))


def test_course_record_with_identity_objects_verifies(university_run: dict[str, DccResult]) -> None:
    record = course_record().credential
    assert [i["identityType"] for i in record["credentialSubject"]["identifier"]] == [
        "emailAddress",
        "name",
        "ext:studentId",
    ]
    result = university_run["course"]
    assert_offline_verdict(result)
    assert result.schema_errors == []
    assert result.schemas_checked == [OB_SCHEMA]


def test_record_signed_with_the_rotated_published_key_verifies(
    university_run: dict[str, DccResult],
) -> None:
    assert_offline_verdict(university_run["rotated-key"])


def test_revoked_record_says_revoked(university_run: dict[str, DccResult]) -> None:
    result = university_run["revoked"]
    assert result.errors == ()
    assert dict(result.checks) == {**PASSED, "revocation_status": False, **OFFLINE}
    assert result.schema_errors == []


def test_transcript_verifies_and_so_does_each_record_it_embeds(
    university_run: dict[str, DccResult],
) -> None:
    """verifier-core checks a CLR's own proof only; a wallet holding the embedded records checks
    each on its own, so each is verified separately here too."""
    result = university_run["transcript"]
    assert result.errors == ()
    # no status entry on the transcript itself (its records carry theirs)
    assert dict(result.checks) == {"valid_signature": True, "expiration": True, **OFFLINE}
    # the CLR 2.0 schema is not vendored, so the schema check could not load it
    assert result.schema == "INVALID_SCHEMA - possibly not a valid url"
    for n in (0, 1):
        inner = university_run[f"transcript-record-{n}"]
        assert_offline_verdict(inner)
        assert inner.schemas_checked == [OB_SCHEMA]
        assert inner.schema_errors == []


# A recognition record names one entry, its suspension bit: no revocation step.
ONE_SUSPENSION_ENTRY = {"valid_signature": True, "expiration": True, "suspension_status": True}


def test_recognition_record_verifies_and_passes_the_ob_schema(
    university_run: dict[str, DccResult],
) -> None:
    record = recognition_record(suspended=False).credential
    assert record["credentialStatus"]["statusPurpose"] == "suspension"
    result = university_run["recognition"]
    assert result.errors == () and result.step_errors == {}
    assert dict(result.checks) == {**ONE_SUSPENSION_ENTRY, **OFFLINE}
    assert result.schemas_checked == [OB_SCHEMA]
    assert result.schema_errors == []
    assert schema_problems(record) == []


def test_older_two_entry_recognition_verifies_and_fails_only_the_ob_schema(
    university_run: dict[str, DccResult],
) -> None:
    """Records issued before carry a revocation and a suspension entry: both are checked, and
    the OB 3.0 JSON Schema, which allows one object, refuses that list (as tests/ob_schema.py
    does): why the platform now names one."""
    record = recognition_record(suspended=False, two_entries=True).credential
    assert len(record["credentialStatus"]) == 2
    result = university_run["recognition-two-entries"]
    assert_offline_verdict(result, {"suspension_status": True})
    assert result.schema_errors == [
        "ob_v3p0_achievementcredential_schema.json: /credentialStatus must be object"
    ]
    assert [problem.split(":")[0] for problem in schema_problems(record)] == ["credentialStatus"]


def test_tampered_recognition_record_fails(university_run: dict[str, DccResult]) -> None:
    result = university_run["tampered-recognition"]
    assert result.errors == ("invalid_signature: The signature is not valid.",)
    assert dict(result.checks) == {}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampered_record_fails(university_run: dict[str, DccResult], name: str) -> None:
    result = university_run[f"tampered-{name}"]
    assert result.errors == (TAMPERINGS[name][1],)
    assert dict(result.checks) == {}  # fatal: no step is reported for a record that was altered


# --- other issuers and states ------------------------------------------------------------------

OWN_REGISTRY: Json = {
    "type": "dcc-legacy",
    "name": "Registry of the demo universities",
    "url": "https://registry.mooc.example.edu/registry.json",
}
OWN_REGISTRY_LISTING: Json = {
    "registry": {
        UNIVERSITY_DID: {
            "name": "Đại học Bách khoa (demo)",
            "url": "https://learn.mooc.example.edu",
            "location": "Hà Nội, Việt Nam",
        }
    }
}


def test_did_key_records_verify_with_clear_and_hashed_holders(runs: dict[str, DccRun]) -> None:
    hashed = hashed_holder_record().credential
    assert [i["hashed"] for i in hashed["credentialSubject"]["identifier"]] == [True, True, True]
    run = runs["did-key"]
    assert len(run.results) == 2
    for result in run.results:
        assert_offline_verdict(result)
        assert result.schemas_checked == [OB_SCHEMA]
        assert result.schema_errors == []
    assert DID_WEB_DOCUMENT not in run.fetched  # a did:key is read from the identifier


def test_suspended_recognition_record_says_suspended(runs: dict[str, DccRun]) -> None:
    (result,) = runs["suspended"].results
    assert result.errors == ()
    assert dict(result.checks) == {
        **ONE_SUSPENSION_ENTRY,
        "suspension_status": False,
        "registered_issuer": False,
    }
    assert result.unchecked_registries == ()  # no registries given: none to check


def test_lifted_recognition_record_is_valid_again(runs: dict[str, DccRun]) -> None:
    (result,) = runs["lifted"].results
    assert result.errors == ()
    assert dict(result.checks) == {**ONE_SUSPENSION_ENTRY, "registered_issuer": False}


def test_revoked_recognition_record_says_suspended(runs: dict[str, DccRun]) -> None:
    """Its suspension bit set for good: refused, as suspended (the platform says revoked)."""
    (result,) = runs["revoked-recognition"].results
    assert result.errors == ()
    assert dict(result.checks) == {
        **ONE_SUSPENSION_ENTRY,
        "suspension_status": False,
        "registered_issuer": False,
    }


def test_issuer_in_a_registry_it_can_read_is_registered(runs: dict[str, DccRun]) -> None:
    """The registry step itself works on the platform's issuer ids: a DCC-format registry served
    offline that lists the university makes it pass (the DCC's own cannot be reached here)."""
    run = runs["own-registry"]
    assert OWN_REGISTRY["url"] in run.fetched
    (result,) = run.results
    assert dict(result.checks) == {**PASSED, "registered_issuer": True}
    assert set(result.unchecked_registries) == DCC_REGISTRY_URLS


def test_status_list_it_cannot_load_is_an_error_not_a_pass(runs: dict[str, DccRun]) -> None:
    run = runs["no-status-list"]
    assert STATUS_LIST_URL in run.refused
    (result,) = run.results
    assert result.step_errors == {"revocation_status": "status_list_not_found"}
    assert "revocation_status" not in result.checks
    assert result.checks["valid_signature"]


def test_status_list_altered_after_signing_is_an_error(runs: dict[str, DccRun]) -> None:
    (result,) = runs["forged-status-list"].results
    assert result.step_errors == {"revocation_status": "status_list_signature_error"}
    assert "revocation_status" not in result.checks  # not "valid": the forged list cleared the bit


def test_status_list_signed_by_another_issuer_is_accepted(runs: dict[str, DccRun]) -> None:
    """A difference from Digital Bazaar's check (test_js_verifier rejects such a list):
    verifier-core calls the vc library with `verifyMatchingIssuers: false`, so a list signed by
    any key it can verify answers for the record; here a did:key's list says it is revoked."""
    (result,) = runs["foreign-status-list"].results
    assert result.errors == ()
    assert result.step_errors == {}
    assert dict(result.checks) == {**PASSED, "revocation_status": False, **OFFLINE}


def test_old_style_record_still_verifies(runs: dict[str, DccRun]) -> None:
    """Records issued before the versioned context (terms inline, a lone proof object)."""
    (result,) = runs["old-style"].results
    assert result.errors == ()
    assert dict(result.checks) == {**PASSED, "registered_issuer": False}


def test_did_web_document_it_cannot_reach_is_fatal(dcc_verifier: DccInstallation) -> None:
    """A did:web host that cannot be reached (a network error, as offline) is reported as an
    invalid signature: verifier-core only names `did_web_unresolved` for an HTTP error status."""
    issued = course_record()
    run = dcc_verify(
        [issued.credential], documents({STATUS_LIST_URL: issued.documents[STATUS_LIST_URL]})
    )
    assert DID_WEB_DOCUMENT in run.refused
    (result,) = run.results
    assert result.checks == {}
    assert result.errors == (INVALID_SIGNATURE,)


def test_missing_node_fails_the_setup_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without node on PATH the fixture fails (pytest.fail), so no record goes unchecked."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DccVerifierError, match="`node` is not on PATH"):
        ensure_dcc_installed()
