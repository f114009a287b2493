"""/healthz and lecture page requests/s and "mark as done" writes/s against a server on SQLite
and (when MOOC_TEST_DATABASE_URL or --pg URL is given) PostgreSQL.

--server picks the server: `make-run` (default: gunicorn with gunicorn.conf.py, 2 workers, as
`make run` serves), `sync` (gunicorn -w 2 with its plain sync workers) or `flask` (Flask's
development server, which `make dev` runs). Loopback only, bounded in time. Prints one line per
backend and measurement.

    .venv/bin/python bench/learning.py [--seconds 10] [--clients 8] [--server make-run] \\
        [--kolibri PATH]

"mark as done" counts real writes only: each learner marks each lecture once, and the figure is
the rows the database gained over the time taken. With Kolibri installed (see
bench/kolibri_server.py) its learn page is measured first with the same clients, side by side.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import kolibri_server
from _setup import PASSWORD, ROOT, build
from sqlalchemy import create_engine, select, text

from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.learning.queries import ordered_lectures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection with a logged-in session cookie."""

    def __init__(self, port: int, email: str | None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        if email is None:  # a visitor
            return
        page = self.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie, "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookie = value.split(";", 1)[0]
        return response.status, data

    def get(self, path: str) -> str:
        return self._request("GET", path)[1]

    def post(self, path: str, form: dict[str, str]) -> int:
        return self._request("POST", path, urlencode(form))[0]

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)  # type: ignore[union-attr]


def run_load(seconds: float, workers: list, job) -> tuple[int, int]:  # type: ignore[no-untyped-def, type-arg]
    done = [0] * len(workers)
    errors = [0] * len(workers)
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            ok = job(workers[i], i, n)
            n += 1
            if ok is None:  # this worker has nothing left to do
                break
            if ok:
                done[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), sum(errors)


def done_rows(url: str) -> int:
    """Lectures marked done in the database: what the writes really changed."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM lecture_progress WHERE done_at IS NOT NULL")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def server_command(server: str, port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if server == "flask":
        return [str(bin_dir / "flask"), "--app", "app", "run", "--port", str(port)]
    if server == "sync":
        return [str(bin_dir / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "app:app"]
    return [str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"]


def bench_backend(label: str, url: str, seconds: float, clients: int, server_kind: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-"))
    app = build(tmp, url, students=clients)
    with app.app_context():
        courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
        lectures = [(c.slug, lec.slug) for c in courses for lec in ordered_lectures(db.session, c)]
    port = free_port()
    env = {
        **os.environ,
        "MOOC_DATABASE_URL": url,
        "MOOC_INSTANCE_PATH": str(tmp),
        "MOOC_SECRET_KEY": "bench-" + "x" * 40,
        "MOOC_STORAGE_URL": f"file://{tmp / 'media'}",
        "MOOC_LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
    }
    env["MOOC_BIND"] = f"127.0.0.1:{port}"
    env["MOOC_WORKERS"] = "2"
    server = subprocess.Popen(
        server_command(server_kind, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        workers = [Client(port, f"bench{i}@example.test") for i in range(clients)]
        label = f"{label} {server_kind}"

        def health(client: Client, i: int, n: int) -> bool:
            return client._request("GET", "/healthz")[0] == 200

        count, errors = run_load(seconds, workers, health)
        print(
            f"{label:18} /healthz       {count / seconds:8.1f} req/s   ({count} ok, {errors} errors, {clients} clients, {seconds:.0f} s)"
        )

        def read(client: Client, i: int, n: int) -> bool:
            course, lecture = lectures[(i + n) % len(lectures)]
            status, _ = client._request("GET", f"/courses/{course}/lectures/{lecture}")
            return status == 200

        count, errors = run_load(seconds, workers, read)
        print(
            f"{label:18} lecture page   {count / seconds:8.1f} req/s   ({count} ok, {errors} errors, {clients} clients, {seconds:.0f} s)"
        )

        tokens = [w.csrf("/dashboard") for w in workers]
        # Each learner marks each lecture once, in turn: every POST is a first mark, a real write
        # (a repeat would be an idempotent no-op and flatter the figure). The run ends when the
        # time is up or every learner has marked every lecture; the rate is over the time taken.
        before = done_rows(url)
        started = time.monotonic()

        def write(client: Client, i: int, n: int) -> bool | None:
            if n >= len(lectures):
                return None
            course, lecture = lectures[n]
            status = client.post(
                f"/courses/{course}/lectures/{lecture}/done", {"csrf_token": tokens[i]}
            )
            return status == 303

        count, errors = run_load(seconds, workers, write)
        elapsed = time.monotonic() - started
        written = done_rows(url) - before
        print(
            f"{label:18} mark as done   {written / elapsed:8.1f} writes/s ({written} lectures marked done in {elapsed:.1f} s; {count} answers 303, {errors} errors)"
        )
        if written != count:
            print(f"{label:18} !! {count} successful answers but {written} rows written")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--server", choices=("make-run", "sync", "flask"), default="make-run")
    parser.add_argument("--kolibri", help="the kolibri command (default: KOLIBRI_BIN, PATH)")
    args = parser.parse_args()
    found = kolibri_server.find(args.kolibri)
    if found:
        with kolibri_server.running(found) as port:
            visitors = [Client(port, None) for _ in range(args.clients)]

            def learn(client: Client, i: int, n: int) -> bool:
                return client._request("GET", kolibri_server.LEARN_PAGE)[0] == 200

            count, errors = run_load(args.seconds, visitors, learn)
            print(
                f"{'kolibri':18} learn page     {count / args.seconds:8.1f} req/s   ({count} ok, {errors} errors, {args.clients} clients, {args.seconds:.0f} s)"
            )
    else:
        print("(Kolibri is not installed: no side-by-side figure; see bench/kolibri_server.py)")
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-db-"))
    bench_backend(
        "sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}", args.seconds, args.clients, args.server
    )
    if args.pg:
        name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{args.pg.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            bench_backend(
                "postgresql",
                f"{args.pg.rstrip('/')}/{name}",
                args.seconds,
                args.clients,
                args.server,
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
