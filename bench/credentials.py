"""Signed credit records per second on one core: the Python core against the JavaScript reference.

Both sides issue the same batch of OB 3.0 course records (the interop tests' ~3 KB record, one
distinct copy per learner) with eddsa-rdfc-2022, the same key and the same `created`, then verify
them (proof, key from the DID document, proof purpose; status lists not consulted). The Python
core reuses the proof configuration's hash across the batch, as it does for any batch. Rates are
per CPU-second of each process; this process and the node process it starts are pinned to the
same single core where the OS allows it. Every proofValue node produces is compared with
Python's.

    .venv/bin/python bench/credentials.py [--records 200]
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyld  # noqa: E402

from mooc.credentials.core.did import find_verification_method  # noqa: E402
from mooc.credentials.core.multikey import VerificationMethod  # noqa: E402
from mooc.credentials.core.proof import verify_proof  # noqa: E402
from tests.interop import records  # noqa: E402
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


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # inherited by the node process started below
    return f"pinned to core {core}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="records per batch")
    count = parser.parse_args().records
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

    def verify() -> int:
        for document in signed:
            outcome = verify_proof(document, resolve_key)
            if not outcome.valid:
                raise SystemExit(f"Python rejected its own record {document['id']}: {outcome}")
        return len(signed)

    python_issue = timed(issue)
    python_verify = timed(verify)

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
            "documents": {**records.bundled_contexts(), records.UNIVERSITY_DID: did_document},
        },
        timeout=1800,
    )
    js_issue, js_verify = Rate.from_node(node["issue"]), Rate.from_node(node["verify"])
    python_values = [document["proof"]["proofValue"] for document in signed]
    identical = sum(a == b for a, b in zip(python_values, node["proofValues"], strict=True))

    versions = node["versions"]
    print(
        f"python {platform.python_version()}, pyld {pyld.__about__.__version__}; "
        f"node {installation.node_version}, @digitalbazaar/vc {versions['@digitalbazaar/vc']}, "
        f"eddsa-rdfc-2022-cryptosuite {versions['@digitalbazaar/eddsa-rdfc-2022-cryptosuite']}, "
        f"jsonld {versions['jsonld']}, rdf-canonize {versions['rdf-canonize']}"
    )
    print(f"{os.cpu_count()} CPUs ({platform.machine()}), {pinning}")
    print(
        f"OB 3.0 course record: {len(compact.encode())} bytes of compact JSON unsigned, "
        f"{len(json.dumps(signed[0], ensure_ascii=False, separators=(',', ':')).encode())} "
        f"signed; batch of {count}, same key and created on both sides"
    )
    print()
    print(f"{'per core':28s} {'Python core':>14s} {'JS reference':>14s} {'Python/JS':>10s}")
    for label, python, js in (
        ("records issued /s", python_issue, js_issue),
        ("records verified /s", python_verify, js_verify),
    ):
        ratio = python.per_cpu_second / js.per_cpu_second
        print(f"{label:28s} {python.per_cpu_second:14.1f} {js.per_cpu_second:14.1f} {ratio:10.2f}")
    print()
    for label, rate in (
        ("Python issue", python_issue),
        ("Python verify", python_verify),
        ("JS issue", js_issue),
        ("JS verify", js_verify),
    ):
        print(
            f"  {label:14s} {rate.count} records in {rate.cpu_seconds:.2f} s CPU, "
            f"{rate.wall_seconds:.2f} s wall ({1000 * rate.cpu_seconds / rate.count:.2f} ms each)"
        )
    print(f"proofValue identical to Python's: {identical}/{count}")
    if identical != count:
        raise SystemExit("the two implementations signed the same records differently")


if __name__ == "__main__":
    main()
