"""Load test (issue #14, point 6): simulated pupils, teachers and university staff
(bench/locustfile.py, run by Locust headless) against the production set-up — gunicorn with
gunicorn.conf.py and the background worker (scripts/worker.sh), PostgreSQL, Redis for the rate
limits — on a data set made by `flask demo scale`. Prints p50/p95/p99 per page, requests per
second and the error rate. Goal on the 2-core machine: 200 users, p95 under 300 ms, no errors.

    .venv/bin/python bench/load.py [--users 200] [--time 60] [--pupils 100000] [--keep]
        [--url postgresql+psycopg://…/mooc_scale_big --instance /tmp/mooc_scale/big]
        [--tree /path/to/another/checkout] [--locust /path/to/locust] [--in-place]

Without --url a database `mooc_scale_load` is built (`--pupils`, with the demo data) and dropped
at the end unless --keep; `bench/scale.py --keep` leaves one to pass with --url and --instance.
A --url database is copied for each run and the copy dropped after it (unless --in-place), so
that every run, of any tree, starts from the same data.
Needs the `bench` extra (`pip install -e ".[bench]"`: Locust) and Redis (--redis).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from load_users import list_users
from proc_cpu import cpu_seconds
from scale import DEFAULT_PG, INSTANCES, ROOT, build
from sqlalchemy import create_engine, text

BIN = Path(sys.executable).parent
GOAL_P95_MS = 300


def _start(
    command: list[str], env: dict[str, str], log: Path, tree: Path = ROOT
) -> subprocess.Popen[bytes]:
    """A process of ours in its own session (so it and its children stop together), run in
    `tree` (a checkout of the app)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _copy(url: str) -> tuple[str, str]:
    """A copy of the kept database `url` for one run (`CREATE DATABASE … TEMPLATE`): a run
    leaves quiz attempts used up and lectures done behind, so runs on the kept one itself
    would each see other data and another mix of pages."""
    base, _, name = url.rpartition("/")
    copy = f"{name}_run"
    started = time.monotonic()
    with create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
    print(f"measuring on {copy}, a copy of {name} ({time.monotonic() - started:.0f} s)")
    return f"{base}/{copy}", copy


def _drop(url: str) -> None:
    base, _, name = url.rpartition("/")
    with create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _wait_healthy(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{base}/healthz did not answer in {seconds:.0f} s")


def cpu_report(
    before: dict[str, float], after: dict[str, float], seconds: float, requests: int
) -> None:
    """Where the cores went while measuring: each part's share, and per request."""
    cores = os.cpu_count() or 1
    spent = {name: after[name] - before[name] for name in before}
    ours = sum(v for k, v in spent.items() if k != "machine")
    spent["everything else"] = max(0.0, spent.pop("machine") - ours)
    print(f"\nCPU while measuring ({seconds:.0f} s, {cores} cores = {cores * seconds:.0f} core-s):")
    for name, used in spent.items():
        per = f"{1000 * used / requests:6.1f} ms/request" if requests else ""
        print(f"  {name:16} {used / seconds:5.2f} cores  {per}")
    print(f"  {'idle':16} {max(0.0, cores - sum(spent.values()) / seconds):5.2f} cores")


def report(stats: Path, seconds: int) -> bool:
    """The table of pages from Locust's stats file; whether the goal is met."""
    with stats.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: r["Name"])
    print(f"\n{'page':24} {'requests':>9} {'errors':>7} {'p50':>6} {'p95':>6} {'p99':>6}  req/s")
    for r in [*pages, total]:
        print(
            f"{r['Name']:24} {r['Request Count']:>9} {r['Failure Count']:>7} "
            f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}  {float(r['Requests/s']):6.1f}"
        )
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    rate = failures / requests if requests else 1.0
    worst = max(float(r["95%"]) for r in pages)
    print(
        f"\n{requests:,} requests in {seconds} s, {failures} errors ({rate:.2%}); "
        f"p95 over all {total['95%']} ms, worst page p95 {worst:.0f} ms (goal {GOAL_P95_MS} ms)"
    )
    return failures == 0 and float(total["95%"]) < GOAL_P95_MS


def _requests(stats: Path) -> int:
    with stats.open(encoding="utf-8") as f:
        return sum(int(r["Request Count"]) for r in csv.DictReader(f) if r["Name"] == "Aggregated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--ramp",
        type=int,
        default=100,
        help="seconds to start every user (each signs in once: ~0.3 s of CPU hashing the password)",
    )
    parser.add_argument("--time", type=int, default=60, help="seconds measured after the ramp")
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--url", help="a database made by `flask demo scale` (kept)")
    parser.add_argument("--instance", type=Path, help="its instance folder (with --url)")
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL") or DEFAULT_PG)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="run on the --url database itself instead of a copy made of it for this run",
    )
    parser.add_argument(
        "--tree",
        type=Path,
        default=ROOT,
        help="the checkout whose app is served (e.g. another branch's, to compare on one database)",
    )
    parser.add_argument(
        "--locust",
        default=str(BIN / "locust"),
        help="the locust command (e.g. of a venv of its own, leaving the app's venv as it is)",
    )
    args = parser.parse_args()
    base = args.pg.rstrip("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    made = copied = None
    url, instance = args.url, args.instance or INSTANCES / "load"
    workdir = Path(tempfile.mkdtemp(prefix="mooc_load_"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if url is None:
            made = "mooc_scale_load"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{made}"'))
            url = f"{base}/{made}"
            print(f"building {args.pupils:,} pupils in {made}", flush=True)
            build(url, instance, args.pupils, demo=True)
        elif not args.in_place:
            url, copied = _copy(url)
        users = workdir / "users.json"
        users.write_text(json.dumps(list_users(url)), encoding="utf-8")
        env = {
            **os.environ,
            "MOOC_DATABASE_URL": url,
            "MOOC_INSTANCE_PATH": str(instance),
            "MOOC_REDIS_URL": args.redis,
            "MOOC_BIND": f"127.0.0.1:{args.port}",
            "MOOC_LOAD_USERS": str(users),
        }
        log = workdir / "server.log"
        processes.append(
            _start(
                [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
                env,
                log,
                args.tree,
            )
        )
        processes.append(
            _start(["scripts/worker.sh", str(BIN)], env, workdir / "worker.log", args.tree)
        )
        host = f"http://127.0.0.1:{args.port}"
        _wait_healthy(host)
        print(
            f"gunicorn on {host} (log {log}); {args.users} users started over {args.ramp} s "
            f"(each signs in once), then measured for {args.time} s",
            flush=True,
        )
        with (workdir / "locust.log").open("wb") as out:
            locust = subprocess.Popen(
                [
                    args.locust,
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.users / max(1, args.ramp)),
                    "--run-time",
                    f"{args.ramp + args.time}s",
                    "--reset-stats",  # what is measured starts once everyone is signed in
                    "--host",
                    host,
                    "--csv",
                    str(workdir / "load"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            parts = {
                "app server": processes[0].pid,
                "jobs worker": processes[1].pid,
                "Locust": locust.pid,
            }
            database = url.rpartition("/")[2]
            time.sleep(args.ramp)  # Locust resets its figures once every user has started
            before, started = cpu_seconds(database, parts), time.monotonic()
            # Locust's own CPU is read as it ends: an ended process is no longer in /proc.
            _, status, usage = os.wait4(locust.pid, 0)
            locust.returncode = os.waitstatus_to_exitcode(status)
            after, measured = cpu_seconds(database, parts), time.monotonic() - started
            after["Locust"] += usage.ru_utime + usage.ru_stime
        met = report(workdir / "load_stats.csv", args.time)
        cpu_report(before, after, measured, _requests(workdir / "load_stats.csv"))
        failures = (workdir / "load_failures.csv").read_text(encoding="utf-8").splitlines()
        if len(failures) > 1:
            print("errors:", *failures[1:11], sep="\n  ")
        print("goal met" if met else "goal not met")
    finally:
        for process in processes:
            _stop(process)
        if copied:
            _drop(url)
        if made and not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
