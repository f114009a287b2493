"""Running the Digital Credentials Consortium's verifier-core (tests/interop/dcc) from Python.

verifier-core is the verifier of the DCC's Learner Credential Wallet and VerifierPlus. Its node
packages are installed with `npm ci` from the committed package-lock.json (`tests.npm`); the
script serves every document the library asks for from the request and refuses any other URL,
so nothing reaches the network.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mooc.credentials.core.did import did_web_document_url
from tests.npm import NpmError, npm_ci, tool

DCC_DIR = Path(__file__).resolve().parent / "dcc"
NEEDED_FOR = "the DCC verifier interop tests"
Json = dict[str, Any]


class DccVerifierError(RuntimeError):
    """verifier-core could not be installed or run (not: a record failed)."""


@dataclass(frozen=True)
class DccInstallation:
    node_version: str
    npm_ci_seconds: float | None  # None: already installed from this lock


@dataclass(frozen=True)
class DccResult:
    """verifier-core's result for one credential.

    `checks`: each step of its log that came to a conclusion, id → valid (valid_signature,
    expiration, revocation_status, suspension_status, registered_issuer). `step_errors`: steps it
    could not conclude, id → error name. `errors`: fatal errors (name: message), when the
    signature could not be checked or failed; then there is no log at all.
    """

    checks: Mapping[str, bool]
    step_errors: Mapping[str, str]
    errors: tuple[str, ...]
    unchecked_registries: tuple[str, ...]
    schema: tuple[Json, ...] | str  # the schema_check results, or its word for "none"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DccResult:
        log = data.get("log", [])
        registry: Json = next((s for s in log if s["id"] == "registered_issuer"), {})
        schema: Any = next(
            (
                info["results"]
                for info in data.get("additionalInformation", [])
                if info["id"] == "schema_check"
            ),
            (),
        )
        return cls(
            checks={step["id"]: bool(step["valid"]) for step in log if "valid" in step},
            step_errors={step["id"]: step["error"]["name"] for step in log if "error" in step},
            errors=tuple(f"{e['name']}: {e.get('message', '')}" for e in data.get("errors", [])),
            unchecked_registries=tuple(
                entry.get("url") or entry.get("trustAnchorEC") or entry["name"]
                for entry in registry.get("uncheckedRegistries", [])
            ),
            schema=schema if isinstance(schema, str) else tuple(schema),
        )

    @property
    def schemas_checked(self) -> list[str]:
        """The JSON Schemas the record was checked against (none when none could be loaded)."""
        return [] if isinstance(self.schema, str) else [entry["schema"] for entry in self.schema]

    @property
    def schema_errors(self) -> list[str]:
        """What the schema check found, as "schema: path message" (none when it passed)."""
        if isinstance(self.schema, str):
            return [self.schema]
        return [
            f"{entry['schema'].rsplit('/', 1)[-1]}: {error['instancePath']} {error['message']}"
            for entry in self.schema
            for error in entry["result"].get("errors", [])
        ]


@dataclass(frozen=True)
class DccJob:
    """Credentials to verify with only `documents` fetchable and `registries` as the
    knownDIDRegistries."""

    credentials: Sequence[Mapping[str, Any]]
    documents: Mapping[str, Json]
    registries: Sequence[Mapping[str, Any]] = ()

    def to_json(self) -> Json:
        return {
            "credentials": list(self.credentials),
            "documents": as_fetched(self.documents),
            "registries": list(self.registries),
        }


@dataclass(frozen=True)
class DccRun:
    """What came of one job: a result per credential, and every URL asked for."""

    results: tuple[DccResult, ...]
    fetched: frozenset[str]
    refused: frozenset[str]
    versions: Mapping[str, str]


def _node() -> str:
    try:
        return tool("node", NEEDED_FOR)
    except NpmError as error:
        raise DccVerifierError(str(error)) from error


def ensure_installed(timeout: float = 600) -> DccInstallation:
    """Install the locked node packages unless they already are; say how long it took."""
    version = subprocess.run(
        [_node(), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        seconds = npm_ci(DCC_DIR, NEEDED_FOR, timeout)
    except NpmError as error:
        raise DccVerifierError(str(error)) from error
    return DccInstallation(node_version=version, npm_ci_seconds=seconds)


def as_fetched(documents: Mapping[str, Json]) -> dict[str, Json]:
    """`documents` keyed as verifier-core fetches them: a did:web document at its https address
    (`…/did.json`), everything else at its own URL."""
    return {
        (did_web_document_url(url) if url.startswith("did:web:") else url): document
        for url, document in documents.items()
    }


def dcc_verify_jobs(jobs: Sequence[DccJob], timeout: float = 180) -> tuple[DccRun, ...]:
    """verifier-core's `verifyCredential` on each job's credentials, all in one node process
    (starting one costs more than a verification). verifier-core caches resolved DIDs, so a DID
    must have the same document in every job."""
    done = subprocess.run(
        [_node(), "verify.mjs"],
        cwd=DCC_DIR,
        input=json.dumps({"jobs": [job.to_json() for job in jobs]}, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    if done.returncode != 0:
        raise DccVerifierError(
            f"node verify.mjs exited with {done.returncode}:\n{done.stderr[-4000:]}"
        )
    try:
        output = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise DccVerifierError(f"verify.mjs printed no JSON: {done.stdout[:500]!r}") from error
    return tuple(
        DccRun(
            results=tuple(DccResult.from_json(result) for result in job["results"]),
            fetched=frozenset(job["fetched"]),
            refused=frozenset(job["refused"]),
            versions=output["versions"],
        )
        for job in output["jobs"]
    )


def dcc_verify(
    credentials: Sequence[Mapping[str, Any]],
    documents: Mapping[str, Json],
    registries: Sequence[Mapping[str, Any]] = (),
) -> DccRun:
    """One job in a node process of its own."""
    (run,) = dcc_verify_jobs([DccJob(credentials, documents, registries)])
    return run
