"""Signed credit records per second on one core: the Python core against the JavaScript reference.

Issuing: both sides sign the same batch of OB 3.0 course records (the interop tests' ~3 KB
record, one distinct copy per learner) with eddsa-rdfc-2022, the same key and the same
`created`; every proofValue node produces is compared with Python's.

Verifying, for each suite the platform verifies (eddsa-rdfc-2022, eddsa-jcs-2022,
ecdsa-rdfc-2019 on P-256 and P-384, Ed25519Signature2020 on a VC 1.1 record): Python signs one
batch per suite (tests/interop/suites.py) and both sides verify those same records (proof, key
from the DID document or the did:key, proof purpose; status lists not consulted). Digital Bazaar
publishes no eddsa-jcs-2022 suite on npm, so that row has no JavaScript figure.

Presentations: a holder's presentation carrying 1 or 5 records, each answering its own
challenge, verified whole (holder proof, then every record with its status list).

The Python core reuses the proof configuration's hash across a batch (records signed together
share it); the figures are given with that cache and without it (a canonicalizer that hashes
every proof configuration again), the latter being the like-for-like comparison. Rates are per
CPU-second of each process; this process and the node process it starts are pinned to the same
single core where the OS allows it.

    .venv/bin/python bench/credentials.py [--records 200] [--presentations 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyld  # noqa: E402

from mooc.credentials.core.canonical import Canonicalizer  # noqa: E402
from mooc.credentials.core.did import find_verification_method  # noqa: E402
from mooc.credentials.core.multikey import VerificationMethod, did_key  # noqa: E402
from mooc.credentials.core.presentation import (  # noqa: E402
    sign_presentation,
    verify_presentation,
)
from mooc.credentials.core.proof import verify_proof  # noqa: E402
from mooc.credentials.core.verify import Verifier  # noqa: E402
from tests.interop import records, suites  # noqa: E402
from tests.interop.jsref import ensure_installed, run_script  # noqa: E402


@dataclass(frozen=True)
class Rate:
    count: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def per_cpu_second(self) -> float:
        return self.count / self.cpu_seconds

    @classmethod
    def from_node(cls, data: Mapping[str, Any]) -> Rate:
        return cls(int(data["count"]), float(data["cpuSeconds"]), float(data["wallSeconds"]))


def timed(work: Callable[[], int]) -> Rate:
    cpu, wall = time.process_time(), time.perf_counter()
    count = work()
    return Rate(count, time.process_time() - cpu, time.perf_counter() - wall)


class UncachedCanonicalizer(Canonicalizer):
    """The core's canonicalizer without the batch cache: every proof configuration is hashed."""

    def hash_reused(self, document: Mapping[str, Any]) -> bytes:
        return self.hash(document)


HOLDER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
HOLDER = did_key(HOLDER_KEY.public_key())
HOLDER_METHOD = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"
DOMAIN = "learn.mooc.example.edu"
PRESENTATION_SIZES = (1, 5)


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # inherited by the node process started below
    return f"pinned to core {core}"


def verify_batch(batch: list[dict[str, Any]], canonicalizer: Canonicalizer) -> int:
    for document in batch:
        outcome = verify_proof(document, suites.resolve_key, canonicalizer=canonicalizer)
        if not outcome.valid:
            raise SystemExit(f"Python rejected its own record {document['id']}: {outcome}")
    return len(batch)


def presentations(signed: list[dict[str, Any]], size: int, count: int) -> list[dict[str, Any]]:
    """`count` presentations of `size` records each, every one answering its own challenge."""
    made = []
    for number in range(count):
        chosen = [signed[(number * size + i) % len(signed)] for i in range(size)]
        challenge = f"bench-{size}-{number}"
        unsigned = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": HOLDER,
            "verifiableCredential": chosen,
        }
        presentation = sign_presentation(
            unsigned,
            HOLDER_KEY,
            HOLDER_METHOD,
            datetime(2026, 8, 1, tzinfo=UTC),
            challenge=challenge,
            domain=DOMAIN,
        )
        made.append({"presentation": presentation, "challenge": challenge, "domain": DOMAIN})
    return made


def verify_presentations(items: list[dict[str, Any]], canonicalizer: Canonicalizer) -> int:
    did_document = records.university_did_document()
    status_list = records.status_list()
    now = datetime.fromisoformat(records.NOW)
    verifier = Verifier(
        resolve_did_web=lambda did: did_document,
        is_trusted_issuer=lambda did: True,
        fetch_status_list=lambda url: status_list,
        now=lambda: now,
        canonicalizer=canonicalizer,
    )
    for item in items:
        outcome = verify_presentation(
            item["presentation"],
            verifier.verify,
            challenge=item["challenge"],
            domain=item["domain"],
            canonicalizer=canonicalizer,
        )
        if not outcome.verified:
            problems = [c.to_json() for c in outcome.checks if c.status != "passed"]
            raise SystemExit(f"Python rejected its own presentation: {problems}")
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="records per batch")
    parser.add_argument("--presentations", type=int, default=40, help="presentations of each size")
    arguments = parser.parse_args()
    count, presentation_count = arguments.records, arguments.presentations
    pinning = pin_to_one_core()
    installation = ensure_installed()

    unsigned = [records.unsigned_record(number) for number in range(count)]
    compact = json.dumps(unsigned[0], ensure_ascii=False, separators=(",", ":"))
    key = records.signing_key()
    did_document = records.university_did_document()

    def resolve_key(method_id: str) -> VerificationMethod:
        return find_verification_method(did_document, method_id)

    # warm-up, as node does: contexts resolved and the batch's proof configuration hashed once
    assert verify_proof(records.sign(records.unsigned_record(count)), resolve_key).valid

    signed: list[dict[str, Any]] = []

    def issue() -> int:
        signed.extend(records.sign(document) for document in unsigned)
        return len(signed)

    python_issue = timed(issue)

    # one batch per suite, signed by Python; eddsa-rdfc-2022's is the batch just issued
    batches: dict[str, list[dict[str, Any]]] = {}
    for case in suites.CASES:
        if case.cryptosuite == "eddsa-rdfc-2022":
            batches[case.label] = signed
        else:
            batches[case.label] = [
                suites.sign(case, suites.unsigned_record(case, n)) for n in range(count)
            ]
    cached = Canonicalizer()
    uncached = UncachedCanonicalizer()
    python_cached: dict[str, Rate] = {}
    python_uncached: dict[str, Rate] = {}
    for label, batch in batches.items():
        for canonicalizer, rates in ((cached, python_cached), (uncached, python_uncached)):
            verify_batch(batch[:1], canonicalizer)  # warm-up: this suite's contexts and code
            rates[label] = timed(lambda b=batch, c=canonicalizer: verify_batch(b, c))

    presented = {
        f"VP with {size}": presentations(signed, size, presentation_count)
        for size in PRESENTATION_SIZES
    }
    python_vp_cached: dict[str, Rate] = {}
    python_vp_uncached: dict[str, Rate] = {}
    for label, items in presented.items():
        for canonicalizer, rates in ((cached, python_vp_cached), (uncached, python_vp_uncached)):
            verify_presentations(items[:1], canonicalizer)
            rates[label] = timed(lambda i=items, c=canonicalizer: verify_presentations(i, c))

    js_batches = [
        {"label": case.label, "credentials": batches[case.label]}
        for case in suites.CASES
        if case.js_reference
    ]
    node = run_script(
        "bench.mjs",
        {
            "records": unsigned,
            "created": records.CREATED,
            "now": records.NOW,
            "key": {
                "verificationMethod": key.verification_method,
                "controller": key.controller,
                "publicKeyMultibase": key.public_key_multibase,
                "secretKeyMultibase": key.secret_key_multibase,
            },
            "documents": {
                **records.bundled_contexts(),
                records.UNIVERSITY_DID: did_document,
                records.STATUS_LIST_URL: records.status_list(),
            },
            "batches": js_batches,
            "presentations": [
                {"label": label, "items": items} for label, items in presented.items()
            ],
        },
        timeout=3600,
    )
    js_issue = Rate.from_node(node["issue"])
    js_verify = {label: Rate.from_node(rate) for label, rate in node["batches"].items()}
    js_vp = {label: Rate.from_node(rate) for label, rate in node["presentations"].items()}
    python_values = [document["proof"][0]["proofValue"] for document in signed]
    identical = sum(a == b for a, b in zip(python_values, node["proofValues"], strict=True))

    versions = node["versions"]
    print(
        f"python {platform.python_version()}, pyld {pyld.__about__.__version__}; "
        f"node {installation.node_version}, @digitalbazaar/vc {versions['@digitalbazaar/vc']}, "
        f"eddsa-rdfc-2022-cryptosuite {versions['@digitalbazaar/eddsa-rdfc-2022-cryptosuite']}, "
        f"ecdsa-rdfc-2019-cryptosuite {versions['@digitalbazaar/ecdsa-rdfc-2019-cryptosuite']}, "
        f"ed25519-signature-2020 {versions['@digitalbazaar/ed25519-signature-2020']}, "
        f"jsonld {versions['jsonld']}, rdf-canonize {versions['rdf-canonize']}"
    )
    print(f"{os.cpu_count()} CPUs ({platform.machine()}), {pinning}")
    print(
        f"OB 3.0 course record: {len(compact.encode())} bytes of compact JSON unsigned, "
        f"{len(json.dumps(signed[0], ensure_ascii=False, separators=(',', ':')).encode())} "
        f"signed; batches of {count}, {presentation_count} presentations of each size"
    )
    print()
    header = (
        f"{'per core, /s':30s} {'Python+cache':>13s} {'Python':>10s} {'JS ref':>10s} "
        f"{'Python/JS':>10s}"
    )
    print(header)

    def row(label: str, with_cache: Rate, without: Rate, js: Rate | None) -> None:
        theirs = f"{js.per_cpu_second:10.1f}" if js else f"{'—':>10s}"
        ratio = f"{without.per_cpu_second / js.per_cpu_second:10.2f}" if js else f"{'—':>10s}"
        print(
            f"{label:30s} {with_cache.per_cpu_second:13.1f} {without.per_cpu_second:10.1f} "
            f"{theirs} {ratio}"
        )

    print(
        f"{'issue eddsa-rdfc-2022':30s} {python_issue.per_cpu_second:13.1f} {'':>10s} "
        f"{js_issue.per_cpu_second:10.1f} "
        f"{python_issue.per_cpu_second / js_issue.per_cpu_second:10.2f}"
    )
    for case in suites.CASES:
        row(
            f"verify {case.label}",
            python_cached[case.label],
            python_uncached[case.label],
            js_verify.get(case.label),
        )
    for label in presented:
        row(
            f"verify {label} record(s)",
            python_vp_cached[label],
            python_vp_uncached[label],
            js_vp.get(label),
        )
    print()
    print(
        "Python+cache: the proof configuration's hash reused across the batch (records signed "
        "together share it); Python: hashed for every record, like for like with JS. "
        "Python/JS uses the uncached figure. Issuing always reuses it (one batch, one `created`). "
        "eddsa-jcs-2022 and P-384 never use the cache: their two Python figures differ only by "
        "run-to-run noise. Presentations: records/presentation as labelled, presentations per "
        "second, each verified whole (holder proof, records, status list)."
    )
    print(f"proofValue identical to Python's: {identical}/{count}")
    if identical != count:
        raise SystemExit("the two implementations signed the same records differently")


if __name__ == "__main__":
    main()
