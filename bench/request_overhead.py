"""The fixed CPU cost of a request, in process: a signed-in pupil's lecture page beside
`/healthz`, each called N times through the WSGI app (no server, no network but the database's),
on PostgreSQL (--pg URL or MOOC_TEST_DATABASE_URL) or SQLite. The lecture page is the same one
each time, after a first visit, so it reads only (the page most requests are).

    .venv/bin/python bench/request_overhead.py [--requests 500] [--pg URL] [--profile FILE]

Prints µs per request of each page, the lecture page's rate as a share of /healthz's, the
statements PostgreSQL kept prepared on the connection, and the machine's speed (a fixed loop's
CPU time: figures of two sessions compare only after this). `--profile` writes cProfile stats of the
lecture page loop.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lecture_page import PUPILS, build, database_url, drop, logged_in, production_app

HERE = Path(__file__).resolve()
TREE = HERE.parent.parent


def timed(call: Callable[[], object], requests: int) -> tuple[float, float]:
    """µs per call, wall and this process's CPU, of the best of three runs of `requests` calls."""
    wall = cpu = float("inf")
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            call()
        wall = min(wall, (time.perf_counter() - start) / requests * 1e6)
        cpu = min(cpu, (time.process_time() - start_cpu) / requests * 1e6)
    return wall, cpu


def machine_speed() -> float:
    """CPU seconds of a fixed pure-Python loop (the sum of 10**7 squares), best of three: the
    same code measured on two machines, or two days of a shared one, differs by up to 2x, and
    this says how much of a difference is the machine."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        sum(n * n for n in range(10**7))
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    kind = "postgresql" if args.pg else "sqlite"
    base = args.pg.rstrip("/")
    url = database_url(kind, base)
    instance = Path(tempfile.mkdtemp(prefix="mooc-bench-overhead-"))
    try:
        paths = build(TREE, url, instance)
        run(url, instance, str(paths["lectures"][1]), args.requests, args.profile)
    finally:
        drop(kind, base, url)


def run(url: str, instance: Path, lecture: str, requests: int, profile: Path | None) -> None:
    from flask import Flask
    from sqlalchemy import text

    from mooc.extensions import db

    app: Flask = production_app(instance, url)
    client = logged_in(app, PUPILS[0])
    headers = {"Accept-Language": "vi"}

    def lecture_page() -> None:
        response = client.get(lecture, headers=headers)
        assert response.status_code == 200, response.status_code

    def health() -> None:
        response = client.get("/healthz", headers=headers)
        assert response.status_code == 200, response.status_code

    for _ in range(20):
        lecture_page()
        health()
    health_us = timed(health, requests)
    lecture_page()
    page_us = timed(lecture_page, requests)
    print(f"{url.split(':', 1)[0]}, {requests} requests, best of 3, in process")
    print("                 wall µs   CPU µs (this process)")
    print(f"  /healthz      {health_us[0]:8.0f} {health_us[1]:8.0f}")
    print(
        f"  lecture page  {page_us[0]:8.0f} {page_us[1]:8.0f}   "
        f"({health_us[0] / page_us[0]:.0%} of /healthz's rate by wall time, "
        f"{health_us[1] / page_us[1]:.0%} by CPU)"
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [lecture_page() for _ in range(requests)])
        profiler.dump_stats(profile)
    if url.startswith("postgresql"):
        with app.app_context():
            kept = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
            print(f"  statements prepared on the last connection: {kept}")
    print(f"  machine: a pure-Python loop (sum of 10**7 squares) takes {machine_speed():.2f} s CPU")


if __name__ == "__main__":
    sys.path.insert(0, str(TREE))
    main()
