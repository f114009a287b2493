"""Library import figures: `flask content import` of a generated library (the seed courses
copied under new slugs until it holds --lectures lectures), on SQLite and PostgreSQL, each run
on a fresh migrated database, side by side in one run.

    .venv/bin/python bench/import_library.py [--lectures 7000] [--jobs 1,2]
        [--before /path/to/a/checkout/of/main] [--postgres postgresql+psycopg://…:5432]

`--before` runs that checkout's command too (its code, its defaults), as the figure to beat.
PostgreSQL is measured when --postgres (or MOOC_BENCH_POSTGRES_URL) names a server.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from mooc.migrate import upgrade  # noqa: E402


def make_library(target: Path, lectures: int) -> tuple[int, int]:
    """Copies of content/'s courses (slug suffixed -0000, -0001, …) until `lectures` are
    reached; returns (courses, lectures) written."""
    seeds = sorted(p for p in (ROOT / "content").iterdir() if (p / "course.md").is_file())
    target.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "institutions.yaml", target)
    courses = written = copy = 0
    while written < lectures:
        for seed in seeds:
            if written >= lectures:
                break
            folder = target / f"{seed.name}-{copy:04d}"
            shutil.copytree(seed, folder)
            course_file = folder / "course.md"
            course_file.write_text(
                re.sub(
                    r"^slug: .*$",
                    f"slug: {folder.name}",
                    course_file.read_text(encoding="utf-8"),
                    count=1,
                    flags=re.M,
                ),
                encoding="utf-8",
            )
            courses += 1
            written += len(list((folder / "lectures").glob("*.md")))
        copy += 1
    return courses, written


@contextmanager
def fresh_database(backend: str, work: Path, postgres: str | None) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{work / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    assert postgres is not None
    name = f"mooc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{postgres}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{postgres}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_import(tree: Path, url: str, library: Path, work: Path, options: list[str]) -> float:
    """Seconds the command takes, start-up included; its last line is echoed."""
    instance = work / f"instance-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "MOOC_INSTANCE_PATH": str(instance),
        "MOOC_DATABASE_URL": url,
        "MOOC_STORAGE_URL": f"file://{instance / 'media'}",
        "MOOC_NOTIFICATIONS_SENDER": "off",
        "MOOC_SECRET_KEY": "bench-" + "x" * 40,
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "content", "import", str(library)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, *options], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"import failed in {tree}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    print(f"    {done.stdout.strip().splitlines()[-1]}", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lectures", type=int, default=7000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to run")
    parser.add_argument("--before", type=Path, help="a checkout whose command to measure too")
    parser.add_argument("--postgres", default=os.environ.get("MOOC_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mooc-bench-import-"))
    try:
        courses, lectures = make_library(work / "library", args.lectures)
        print(f"library: {courses} courses, {lectures} lectures; {os.cpu_count()} cores")
        runs: list[tuple[str, Path, list[str]]] = []
        if args.before is not None:
            runs.append(("before", args.before.resolve(), []))
        runs += [(f"--jobs {n}", ROOT, ["--jobs", n]) for n in args.jobs.split(",")]
        backends = ["sqlite", *(["postgresql"] if args.postgres else [])]
        results: list[tuple[str, str, float]] = []
        for backend in backends:
            for label, tree, options in runs:
                with fresh_database(backend, work, args.postgres) as url:
                    upgrade(url)
                    print(f"  {backend} {label}:", flush=True)
                    seconds = run_import(tree, url, work / "library", work, options)
                results.append((backend, label, seconds))
        print(f"\n{'backend':11} {'run':10} {'seconds':>8} {'lectures/s':>11} {'× first':>8}")
        for backend in backends:
            rows = [r for r in results if r[0] == backend]
            first = rows[0][2]
            for _, label, seconds in rows:
                rate = lectures / seconds
                print(f"{backend:11} {label:10} {seconds:8.1f} {rate:11.1f} {first / seconds:8.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
