"""The class report of a class of 45 pupils × 30 assigned items: render /classes/<id>/report
through the Flask test client N times and print the median and p95 in ms and the number of SQL
statements one render takes, on SQLite and (with --pg or MOOC_TEST_DATABASE_URL, a server base
URL such as postgresql+psycopg://postgres:postgres@127.0.0.1:5432) on PostgreSQL. Goal: < 150 ms.
The CPU time the benchmark's own process spent is printed beside the wall time, since on a shared
machine the wall time mostly measures the wait for a free core.

    .venv/bin/python bench/class_report.py [--runs 50] [--pupils 45] [--items 30]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _setup import PASSWORD, build
from sqlalchemy import create_engine, event, text

from mooc.extensions import db
from tests.classroom_data import build_class


@contextmanager
def pg_database(base: str) -> Iterator[str]:
    name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{base.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base.rstrip('/')}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(label: str, url: str, instance: Path, runs: int, pupils: int, items: int) -> None:
    started = time.perf_counter()
    app = build(instance, url)
    with app.app_context():
        built = build_class(db.session, pupils=pupils, items=items, password=PASSWORD)
        db.session.commit()
        cells = pupils * items
    set_up = time.perf_counter() - started
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/login", data={"email": built.teacher_email, "password": PASSWORD, "csrf_token": token}
    )
    path = f"/classes/{built.class_id}/report"
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    first = client.get(path)
    assert first.status_code == 200, first.status_code
    queries = len(statements)
    event.remove(engine, "before_cursor_execute", count)
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    size = len(first.get_data())
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(
        f"{label:10} class report {pupils} pupils × {items} items ({cells} cells): "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms over {runs} renders "
        f"(CPU time of this process: median {statistics.median(cpu):.1f} ms; on a busy machine "
        "the wall time includes waiting for a core, and on PostgreSQL for the server); "
        f"{queries} SQL statements per render; {size / 1024:.0f} KiB of HTML; "
        f"set-up {set_up:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pupils", type=int, default=45)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        measure("sqlite", url, root / "sqlite", args.runs, args.pupils, args.items)
        if args.pg:
            with pg_database(args.pg) as pg_url:
                measure("postgresql", pg_url, root / "pg", args.runs, args.pupils, args.items)


if __name__ == "__main__":
    main()
