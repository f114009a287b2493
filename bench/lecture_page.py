"""Lecture page requests/s as a visitor (the free first lecture) and as logged-in pupils (eight:
each request the next pupil, each pupil through the course's lectures in turn, so every page
records a view), beside the app's own `/healthz`, measured with `wrk` against gunicorn as
`make run` serves it (gunicorn.conf.py, 2 workers), on SQLite and (with --pg URL or
MOOC_TEST_DATABASE_URL) PostgreSQL.

`--tree` times the code of other checkouts too, each on a database its own code built, one after
the other in the same run, so two versions are compared side by side:

    .venv/bin/python bench/lecture_page.py [--seconds 10] [--connections 8] \\
        [--pg URL] [--tree /work/main --tree .] [--kolibri PATH]

With Kolibri installed (`--kolibri`, KOLIBRI_BIN or PATH: see bench/kolibri_server.py) its learn page is
measured first, in the same run, and every page's rate is also given as a share of it.

Loopback only, bounded in time. Prints one line per tree, backend and page: its requests/s and
its CPU per request (the app's workers and, on PostgreSQL, the database's server processes for the
bench database, read from /proc), then each lecture page's share of `/healthz` by both. On a
shared machine the rate of the same page swings by up to 2x between windows while its CPU per
request holds within a few percent: the share by CPU is the steadier figure (the rate a page
would reach on the machine's cores alone).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import kolibri_server as kolibri
from proc_cpu import cpu_seconds

HERE = Path(__file__).resolve()
PASSWORD = "bench-password-123"
PUPILS = [f"pupil{n}@bench.test" for n in range(8)]
COURSE = "toan-lop-6"


def build(tree: Path, url: str, instance: Path) -> dict[str, str]:
    """Migrate, import content/ and enrol a pupil, with `tree`'s code; the two lecture paths."""
    sys.path.insert(0, str(tree))
    from sqlalchemy import select

    from mooc.accounts.services import register
    from mooc.authoring.core.package_format import load_tree
    from mooc.authoring.packages.importing import import_tree
    from mooc.catalog.models import Course
    from mooc.extensions import db
    from mooc.factory import create_app
    from mooc.learning import services
    from mooc.learning.queries import ordered_lectures
    from mooc.migrate import upgrade
    from mooc.settings import Settings

    upgrade(url)
    settings = Settings(
        env="testing",
        instance_path=instance,
        secret_key="bench-" + "x" * 40,
        database_url=url,
        storage_url=f"file://{instance / 'media'}",
        extra={"ratelimit": False},
    )
    app = create_app(settings=settings)
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(tree / "content"))
        course = db.session.scalars(select(Course).where(Course.slug == COURSE)).one()
        for n, email in enumerate(PUPILS):
            pupil = register(db.session, email=email, password=PASSWORD, name=f"Pupil {n}")
            services.enrol(db.session, pupil, course)
        lectures = ordered_lectures(db.session, course)
        db.session.commit()
        return {
            "preview": f"/courses/{COURSE}/lectures/{lectures[0].slug}",
            "lectures": [f"/courses/{COURSE}/lectures/{lec.slug}" for lec in lectures],
        }


def production_app(instance: Path, url: str, **overrides: object) -> Any:
    """The app as production configures it, on a database `build` made, for in-process
    benchmarks (its cookies sent over the test client's plain HTTP); `overrides`: settings."""
    from mooc.factory import create_app
    from mooc.settings import Settings

    settings = Settings(
        env="production",
        instance_path=instance,
        secret_key="bench-" + "x" * 40,
        database_url=url,
        storage_url=f"file://{instance / 'media'}",
        login_limit_per_address="100000 per minute",
        extra={"flask": {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}},
    ).with_overrides(**overrides)
    return create_app(settings=settings)


def logged_in(app: Any, email: str) -> Any:
    """A test client of `app` logged in as the bench pupil `email`, past the welcome message."""
    client = app.test_client()
    form = client.get("/login").text
    token = form.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"login": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.status_code
    client.get(answer.headers["Location"])  # the welcome message, shown once
    return client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_in(port: int, email: str) -> str:
    """A pupil's session cookie, from the login form, once the welcome message was shown."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = (response.headers.get("Set-Cookie") or "").split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urlencode({"login": email, "password": PASSWORD, "csrf_token": token})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", "/login", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 303, response.status
    cookie = (response.headers.get("Set-Cookie") or cookie).split(";", 1)[0]
    # The page after log-in shows the welcome message once, as a browser sees it: a cookie that
    # still carried it would draw every lecture page with the message (never kept, re-signed).
    conn.request("GET", response.headers["Location"], headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
    return (response.headers.get("Set-Cookie") or cookie).split(";", 1)[0]


# Each request of a wrk thread: the next pupil's cookie, every pupil through the lectures in turn.
_ROTATION = """
local cookies = {%s}
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  local cookie = cookies[(n %% #cookies) + 1]
  local path = paths[(math.floor(n / #cookies) %% #paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept-Language"] = "vi"})
end
"""


def wrk(port: int, path: str, seconds: float, connections: int, script: str = "") -> float:
    """Requests/s of `wrk` on `path`, or on what `script` asks (non-2xx answers fail the run)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "-H", "Accept-Language: vi"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{path}: errors\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def serve(tree: Path, url: str, instance: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MOOC_DATABASE_URL": url,
        "MOOC_INSTANCE_PATH": str(instance),
        "MOOC_SECRET_KEY": "bench-" + "x" * 40,
        "MOOC_STORAGE_URL": f"file://{instance / 'media'}",
        "MOOC_LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
        "MOOC_BIND": f"127.0.0.1:{port}",
        "MOOC_WORKERS": "2",
        # wrk's 8 kept-alive connections, accepted from one shared socket, can all land on one
        # worker: each on its own socket, the kernel spreads them (gunicorn.conf.py).
        "MOOC_REUSE_PORT": "1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py", "app:app"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers share its session id (_serving_cpu)
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def _serving_cpu(server: int, database: str) -> float:
    """CPU seconds so far of the app (gunicorn's session: `server` started it) and of
    PostgreSQL's server processes for `database`."""
    used = cpu_seconds(database, {"app": server})
    return used["app"] + used["PostgreSQL"]


def measure(
    tree: Path, url: str, seconds: float, connections: int, rounds: int = 5
) -> dict[str, tuple[float, float]]:
    """Each page's median requests/s and median CPU ms per request."""
    instance = Path(tempfile.mkdtemp(prefix="mooc-bench-lecture-"))
    built = subprocess.run(
        [sys.executable, str(HERE), "--build", str(tree), url, str(instance)],
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(built.stdout.strip().splitlines()[-1])
    port = free_port()
    server = serve(tree, url, instance, port)
    try:
        cookies = [log_in(port, email) for email in PUPILS]
        script = instance / "pupils.lua"
        script.write_text(
            _ROTATION
            % (
                ", ".join(json.dumps(c) for c in cookies),
                ", ".join(json.dumps(p) for p in paths["lectures"]),
            )
        )
        for path in (paths["preview"], "/healthz"):  # warm both workers
            wrk(port, path, 1, connections)
        wrk(port, "/", 1, connections, str(script))
        # The pages take turns in short rounds, the median of each kept: on a shared machine
        # the rate of the same page swings 2x between windows of ten seconds, and a ratio of two
        # such windows would measure the machine, not the page.
        each = max(1.0, seconds / rounds)
        pages = {
            "/healthz": ("/healthz", ""),
            "lecture, visitor": (paths["preview"], ""),
            "lecture, pupil": ("/", str(script)),
        }
        database = url.rsplit("/", 1)[1] if url.startswith("postgresql") else ""
        rates: dict[str, list[float]] = {page: [] for page in pages}
        costs: dict[str, list[float]] = {page: [] for page in pages}
        for _ in range(rounds):
            for page, (path, lua) in pages.items():
                before = _serving_cpu(server.pid, database)
                rate = wrk(port, path, each, connections, lua)
                used = _serving_cpu(server.pid, database) - before
                rates[page].append(rate)
                costs[page].append(1000 * used / max(1.0, rate * each))
        return {
            page: (statistics.median(rates[page]), statistics.median(costs[page])) for page in pages
        }
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(instance, ignore_errors=True)


def databases(pg: str) -> list[tuple[str, str, str]]:
    """(label, url, admin url or "") of each backend: a SQLite file, a PostgreSQL database."""
    found = [("sqlite", "sqlite", "")]
    if pg:
        found.append(("postgresql", pg.rstrip("/"), f"{pg.rstrip('/')}/postgres"))
    return found


def database_url(kind: str, base: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='mooc-bench-db-')}/bench.sqlite3"
    from sqlalchemy import create_engine, text

    name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


def drop(kind: str, base: str, url: str) -> None:
    if kind == "sqlite":
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--build":
        print(json.dumps(build(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the pages take, --seconds split among them"
    )
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--tree", action="append", type=Path)
    parser.add_argument("--kolibri", help="the kolibri command (default: KOLIBRI_BIN, PATH)")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [HERE.parent.parent])]
    print(
        f"wrk -t2 -c{args.connections}, {args.seconds:.0f} s per page in {args.rounds} rounds "
        "(medians), gunicorn.conf.py with 2 workers"
    )
    kolibri_rate = 0.0
    found = kolibri.find(args.kolibri)
    if found:
        with kolibri.running(found) as port:
            wrk(port, kolibri.LEARN_PAGE, 1, args.connections)  # warm it
            kolibri_rate = wrk(port, kolibri.LEARN_PAGE, args.seconds, args.connections)
        print(f"{'kolibri':10} {found!s:28} {'learn page':18} {kolibri_rate:8.1f} req/s")
    else:
        print("(Kolibri is not installed: no side-by-side figure; see bench/kolibri_server.py)")
    for kind, base, _admin in databases(args.pg):
        for tree in trees:
            url = database_url(kind, base)
            try:
                figures = measure(tree, url, args.seconds, args.connections, args.rounds)
            finally:
                drop(kind, base, url)
            health, health_cpu = figures["/healthz"]
            for page, (rate, cpu) in figures.items():
                share = ""
                if page != "/healthz":
                    share = f"{rate / health:5.0%} of /healthz, by CPU {health_cpu / cpu:4.0%}"
                    if kolibri_rate:
                        share += f"  {rate / kolibri_rate:5.2f}x Kolibri's learn page"
                print(
                    f"{kind:10} {tree!s:28} {page:18} {rate:8.1f} req/s {cpu:5.2f} ms CPU  {share}"
                )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
