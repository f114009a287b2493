"""Background-job throughput: runs enqueued per second (ledger row + message) and runs executed
per second by `drain` (claim, work, done mark: what a worker thread does), for a job whose work
is one row, on the SQLite queue and on Redis when it answers; the ledger on SQLite, and on
PostgreSQL too with --pg URL (or MOOC_TEST_DATABASE_URL). Prints one line per combination.

    .venv/bin/python bench/jobs.py [--runs 500] [--pg postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from mooc.extensions import db  # noqa: E402
from mooc.factory import create_app  # noqa: E402
from mooc.jobs import Job, JobQueue  # noqa: E402
from mooc.migrate import upgrade  # noqa: E402
from tests.helpers import make_settings  # noqa: E402
from tests.integration.jobs.blocking import EFFECTS  # noqa: E402


def write_one(session: Session, n: int) -> None:
    session.execute(EFFECTS.insert().values(run=f"bench-{n}"))


def measure(database_url: str, queue_url: str, runs: int, tmp: Path) -> tuple[float, float]:
    settings = make_settings(tmp, database_url).with_overrides(queue_url=queue_url)
    app = create_app(settings=settings)
    queue = JobQueue(app, settings, [Job("bench.write", write_one)])
    with app.app_context():
        EFFECTS.create(db.engine, checkfirst=True)
        started = time.perf_counter()
        for n in range(runs):
            queue.enqueue(db.session, "bench.write", n=n)
        enqueued = runs / (time.perf_counter() - started)
        db.session.close()
    started = time.perf_counter()
    done = queue.drain().executed
    executed = done / (time.perf_counter() - started)
    with app.app_context():
        count = db.session.scalar(text("SELECT count(*) FROM job_test_effect"))
        assert count == runs, (count, runs)
        db.engine.dispose()
    return enqueued, executed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument(
        "--redis", default=os.environ.get("MOOC_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        databases = {"sqlite": f"sqlite:///{tmp / 'bench.sqlite3'}"}
        admin = None
        if args.pg:
            name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(f"{args.pg.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            databases["postgresql"] = f"{args.pg.rstrip('/')}/{name}"
        queues = {"sqlite queue": lambda: f"sqlite:///{tmp / f'q-{uuid.uuid4().hex[:6]}.sqlite3'}"}
        redis_db = args.redis.rstrip("/") + "/15"
        try:
            if redis.Redis.from_url(redis_db).dbsize():  # never empty someone else's data
                print(f"{redis_db} is not empty: the Redis queue is left out")
            else:
                queues["redis queue"] = lambda: redis_db
        except redis.RedisError:
            print("no Redis: the Redis queue is left out")
        try:
            for backend, url in databases.items():
                upgrade(url)
                for label, make_queue in queues.items():
                    queue_url = make_queue()
                    enq, ran = measure(url, queue_url, args.runs, tmp / f"{backend}-{label[:5]}")
                    if queue_url.startswith("redis"):
                        redis.Redis.from_url(queue_url).flushdb()
                    with create_engine(url).begin() as conn:
                        conn.execute(text("DELETE FROM job_test_effect"))
                    print(
                        f"{backend:<10} ledger, {label:<12}: {enq:7.0f} enqueued/s, "
                        f"{ran:7.0f} runs/s executed ({args.runs} runs, one thread)"
                    )
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
