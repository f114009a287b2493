"""Signing records, in this process or in worker processes of a batch.

Canonicalization is >99% of the cost of an eddsa-rdfc-2022 proof and is pure Python, so a batch
spreads it over processes; this module imports only the pure core, so workers start light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.proof import create_proof


def serialize(document: Mapping[str, Any]) -> str:
    """The stored (and downloaded) text of a signed record."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def sign_document(
    document: Mapping[str, Any], seed: bytes, verification_method: str, created: str
) -> str:
    """The signed record, serialized; its `proof` is an array, as the OB 3.0 JSON Schema wants."""
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return serialize(create_proof(document, key, verification_method, created, as_set=True))


@dataclass(frozen=True)
class SignTask:
    """One record for a worker: `ref` lets the parent match the answer to its row."""

    ref: int
    document: dict[str, Any]
    verification_method: str
    created: str


_worker_keys: dict[str, bytes] = {}


def init_worker(keys: dict[str, bytes]) -> None:
    """Pool initializer: the unsealed seeds by verification method (kept in memory only)."""
    _worker_keys.clear()
    _worker_keys.update(keys)


def sign_with(keys: Mapping[str, bytes], task: SignTask) -> tuple[int, str]:
    """`task` signed with its seed from `keys` (in this process, or in a worker)."""
    seed = keys[task.verification_method]
    return task.ref, sign_document(task.document, seed, task.verification_method, task.created)


def sign_task(task: SignTask) -> tuple[int, str]:
    """A worker's signing of `task`, with the seeds its pool initializer was given."""
    return sign_with(_worker_keys, task)
