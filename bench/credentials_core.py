"""Signed credit records per second on one core: OB 3.0 course records signed with
eddsa-rdfc-2022 as one batch (same key and `created`), then verified (proof only, and every
named check with local lookups), plus CLR transcripts.

Rates are per CPU-second of this process, pinned to one core where the OS allows it.

    .venv/bin/python bench/credentials_core.py [--records 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyld
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mooc.credentials.core.contexts import mooc_context_url
from mooc.credentials.core.did import (
    PublishedKey,
    did_document,
    find_verification_method,
    institution_did,
)
from mooc.credentials.core.identity import HashedEmail
from mooc.credentials.core.multikey import encode_public_key
from mooc.credentials.core.proof import create_proof, verify_proof
from mooc.credentials.core.records import (
    Alignment,
    CourseAchievement,
    CourseCompletion,
    CreditUnit,
    EducationLevel,
    GradeScale,
    IssuerProfile,
    Transcript,
    achievement_credential,
    clr_credential,
)
from mooc.credentials.core.status_list import (
    Bitstring,
    StatusListEntry,
    status_list_credential,
)
from mooc.credentials.core.verify import Verifier

BASE = "https://mooc.example.edu"
CONTEXT_URL = mooc_context_url(BASE)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
DID = institution_did(BASE, "bench-university")
METHOD = f"{DID}#key-1"
CREATED = "2025-06-30T08:00:00Z"
LIST_URL = f"{BASE}/status/revocation/1"
DOCUMENT = did_document(DID, [PublishedKey("key-1", encode_public_key(KEY.public_key()))])


def course(number: int) -> CourseAchievement:
    code = f"C{number % 40:03d}"
    return CourseAchievement(
        id=f"{BASE}/courses/{code}/achievement",
        name=f"{code} Course {number % 40}",
        description="A twelve-week online course with graded quizzes and a final exam.",
        criteria="Pass every graded quiz and the final exam with at least 5/10.",
        level=EducationLevel(
            "university", "EQF level 6", "http://data.europa.eu/snb/eqf/6", "EQF", "6"
        ),
        grade_scale=GradeScale(
            id=f"{BASE}/courses/{code}/achievement#grade",
            name="Final grade (0–10)",
            value_min="0",
            value_max="10",
            required_value="5",
        ),
        credits_available=3.0,
        credit_unit=CreditUnit("tín chỉ", f"{BASE}/credit-units/tin-chi", "Circular 08/2021", 50),
        workload_hours=150,
        field_of_study="Computer Science",
        human_code=code,
        language="vi",
        learning_outcomes=tuple(
            Alignment(f"LO{i}", f"{BASE}/courses/{code}#lo{i}", f"{code} outcomes", f"LO{i}")
            for i in (1, 2, 3)
        ),
    )


def record(number: int) -> dict[str, Any]:
    completion = CourseCompletion(
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        issuer=IssuerProfile(DID, "Bench University", BASE),
        achievement=course(number),
        recipient=HashedEmail(f"learner{number}@demo.test", f"salt-{number:016d}"),
        grade=f"{5 + number % 5}.5",
        completed_at=datetime(2025, 6, 27, tzinfo=UTC),
        valid_from=datetime(2025, 6, 30, tzinfo=UTC),
        credits_earned=3.0,
        status=StatusListEntry(LIST_URL, 1000 + number),
    )
    return achievement_credential(completion, context_url=CONTEXT_URL)


def per_cpu_second(label: str, work: Callable[[], int]) -> float:
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    count = work()
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    rate = count / cpu
    print(f"{label:58s} {rate:8.1f} /s per core  ({count} in {wall:.2f} s wall)", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    count = parser.parse_args().records
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(
        f"python {platform.python_version()}, pyld {pyld.__about__.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}), one core used"
    )
    unsigned = [record(number) for number in range(count)]
    create_proof(record(-1), KEY, METHOD, CREATED)  # warm-up: contexts resolved once

    signed: list[dict[str, Any]] = []

    def sign_batch() -> int:
        signed.extend(create_proof(doc, KEY, METHOD, CREATED) for doc in unsigned)
        return len(unsigned)

    def resolve_key(method_id: str) -> Any:
        return find_verification_method(DOCUMENT, method_id)

    def verify_proofs() -> int:
        assert all(verify_proof(doc, resolve_key).valid for doc in signed)
        return len(signed)

    status_list = create_proof(
        status_list_credential(LIST_URL, DID, Bitstring.zeros(), datetime(2025, 6, 1, tzinfo=UTC)),
        KEY,
        METHOD,
        CREATED,
    )
    lookups: dict[str, Mapping[str, Any]] = {LIST_URL: status_list}
    verifier = Verifier(
        resolve_did_web=lambda did: DOCUMENT,
        is_trusted_issuer=lambda did: did == DID,
        fetch_status_list=lookups.__getitem__,
        now=lambda: datetime(2025, 9, 1, tzinfo=UTC),
    )

    def verify_fully() -> int:
        assert all(verifier.verify(doc).verified for doc in signed)
        return len(signed)

    print(f"OB 3.0 course record: {len(json.dumps(unsigned[0]))} bytes of JSON unsigned")
    per_cpu_second("records signed (eddsa-rdfc-2022, one batch)", sign_batch)
    per_cpu_second("records verified (proof only)", verify_proofs)
    per_cpu_second("records verified (all checks, status list, trust list)", verify_fully)
    transcripts = [
        clr_credential(
            Transcript(
                credential_id=f"urn:uuid:transcript-{number}",
                issuer=IssuerProfile(DID, "Bench University", BASE),
                name="Transcript of records",
                recipient=HashedEmail(f"learner{number}@demo.test", f"salt-{number:016d}"),
                credentials=(signed[number],),
                valid_from=datetime(2025, 7, 1, tzinfo=UTC),
            ),
            context_url=CONTEXT_URL,
        )
        for number in range(min(count, 50))
    ]

    def sign_transcripts() -> int:
        for doc in transcripts:
            create_proof(doc, KEY, METHOD, CREATED)
        return len(transcripts)

    per_cpu_second("CLR transcripts signed (1 embedded record each)", sign_transcripts)


if __name__ == "__main__":
    main()
