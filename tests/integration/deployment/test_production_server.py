"""`make run`'s server: gunicorn with gunicorn.conf.py (several threaded workers, keep-alive) on
the embedded defaults, against a fresh instance folder."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_healthy(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    """Workers boot slowly on a busy 2-core machine (the suite runs beside this test): wait up to a
    minute, and treat a connection refused, reset or cut mid-answer while booting as "not yet"."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited: " + log.read_text()
        try:
            if get_status(port, "/healthz") == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError("/healthz did not answer in time")


def server_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_BIND": f"127.0.0.1:{port}",
        "MOOC_WORKERS": "2",
        "MOOC_THREADS": "2",
    }
    for key in ("MOOC_DATABASE_URL", "MOOC_STORAGE_URL", "MOOC_ENV", "MOOC_REUSE_PORT"):
        env.pop(key, None)
    return env


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(15)


def test_gunicorn_serves_pages_and_compressed_assets(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, port)
    flask = [str(BIN / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["assets", "compress"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as server:
        wait_healthy(port, server, log)
        # One keep-alive connection carries the page, then its stylesheet, then the health check.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/courses", headers={"Accept-Language": "en"})
        page = conn.getresponse()
        html = page.read().decode()
        assert page.status == 200
        assert page.getheader("Content-Type", "").startswith("text/html")
        css = (ROOT / "static/css/app.css").read_bytes()
        url = f"/static/css/app.css?v={hashlib.sha256(css).hexdigest()[:12]}"
        assert url in html
        first_socket = conn.sock

        conn.request("GET", url, headers={"Accept-Encoding": "gzip, br"})
        asset = conn.getresponse()
        body = asset.read()
        assert asset.status == 200
        assert asset.getheader("Content-Encoding") == "br"
        assert asset.getheader("Content-Type", "").startswith("text/css")
        assert "Accept-Encoding" in asset.getheader("Vary", "")
        assert "immutable" in asset.getheader("Cache-Control", "")
        assert brotli.decompress(body) == css

        conn.request("GET", "/healthz")
        health = conn.getresponse()
        assert json.loads(health.read()) == {"status": "ok"}
        assert conn.sock is first_socket, "the connection was not kept alive"
        conn.close()

        # Several workers share the SQLite file: parallel requests all answer.
        with ThreadPoolExecutor(8) as pool:
            paths = ["/healthz", "/courses"] * 20
            assert set(pool.map(lambda path: get_status(port, path), paths)) == {200}
    text = log.read_text()
    assert "Using worker: gthread" in text
    assert text.count("Booting worker") >= 2


def _tcp_inodes(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 sockets on local `port` in `state` (/proc/net/tcp: 0A listening,
    01 established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_kept_alive_connections_are_spread_over_the_workers(tmp_path: Path) -> None:
    """With MOOC_REUSE_PORT=1 each worker listens on its own socket (SO_REUSEPORT): a burst of
    connections that stay open, as a proxy's upstream pool or a load tool opens them, lands on
    every worker, not on whichever woke first. And a second server cannot take the same address
    behind its back."""
    port = free_port()
    env = {**server_env(tmp_path, port), "MOOC_REUSE_PORT": "1"}
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as server:
        wait_healthy(port, server, log)
        deadline = time.monotonic() + 60
        while len(_tcp_inodes(port, "0A")) < 2:  # the second worker's socket
            assert time.monotonic() < deadline, "one listening socket per worker"
            time.sleep(0.2)
        connections = []
        for _ in range(16):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            connections.append(conn)
        established = _tcp_inodes(port, "01")
        served = [len(_socket_inodes(pid) & established) for pid in _children(server.pid)]
        for conn in connections:
            conn.close()
        assert sum(served) == 16, served
        assert len(served) == 2 and min(served) > 0, served

        second = subprocess.run(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert f"127.0.0.1:{port} is already in use by another server" in second.stderr
        assert server.poll() is None


def test_one_shared_socket_by_default(tmp_path: Path) -> None:
    """By default the workers share gunicorn's usual single socket, held by the master, so a
    recycled worker's waiting connections are not lost with it."""
    port = free_port()
    env = server_env(tmp_path, port)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as server:
        wait_healthy(port, server, log)
        time.sleep(1)
        assert len(_tcp_inodes(port, "0A")) == 1
        assert _tcp_inodes(port, "0A") <= _socket_inodes(server.pid)


def test_a_unix_socket_is_shared_by_the_workers(tmp_path: Path) -> None:
    """A Unix socket is one file: the workers share it (each opening its own would unlink the
    others'), and both answer through it."""
    path = tmp_path / "mooc.sock"
    env = {**server_env(tmp_path, 0), "MOOC_BIND": f"unix:{path}", "MOOC_REUSE_PORT": "1"}
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as server:
        deadline = time.monotonic() + 60
        statuses: set[int] = set()
        while time.monotonic() < deadline and statuses != {200}:
            assert server.poll() is None, "gunicorn exited: " + log.read_text()
            time.sleep(0.2)
            try:
                statuses = {_unix_status(path) for _ in range(8)}
            except OSError:
                continue
        assert statuses == {200}
        assert log.read_text().count("Booting worker") >= 2
        assert path.is_socket()


def _unix_status(path: Path) -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(path))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        head = sock.recv(64).decode()
    return int(head.split()[1])


def _sign_in(port: int, email: str, password: str) -> str:
    """A session cookie from the login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        body = f"login={email}&password={password}&csrf_token={token}"
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 303, response.status
        return (response.getheader("Set-Cookie") or cookie).split(";", 1)[0]
    finally:
        conn.close()


def test_a_worker_that_stops_writes_the_lecture_views_it_holds(tmp_path: Path) -> None:
    """The views' writer holds a pupil's view for 10 s (MOOC_VIEWS_GATHER_MS) before writing it
    with others: a worker stopped (SIGTERM, as a deploy or `max_requests` stops it) within that
    time writes it as it exits."""
    port = free_port()
    env = {**server_env(tmp_path, port), "MOOC_VIEWS_GATHER_MS": "10000", "MOOC_DEMO": "1"}
    flask = [str(BIN / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["content", "import", "content"], ["demo", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    database = tmp_path / "mooc.sqlite3"
    query = (
        "SELECT c.slug, l.slug, l.id, u.id FROM user_account u"
        " JOIN enrolment e ON e.user_id = u.id JOIN course c ON c.id = e.course_id"
        " JOIN lecture l ON l.course_id = c.id AND l.retired_at IS NULL"
        " WHERE u.email = 'student@demo.test' AND e.active AND NOT EXISTS ("
        "  SELECT 1 FROM lecture_progress p WHERE p.user_id = u.id AND p.lecture_id = l.id)"
        " LIMIT 1"
    )
    with sqlite3.connect(database) as db:
        course, lecture, lecture_id, user_id = db.execute(query).fetchone()
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as server:
        wait_healthy(port, server, log)
        cookie = _sign_in(port, "student@demo.test", "demo-password")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/courses/{course}/lectures/{lecture}", headers={"Cookie": cookie})
        page = conn.getresponse()
        page.read()
        conn.close()
        assert page.status == 200
        sent = time.monotonic()
        server.terminate()
        server.wait(15)
        assert time.monotonic() - sent < 9, "the worker waited out the gathering"
    with sqlite3.connect(database) as db:
        viewed = db.execute(
            "SELECT count(*) FROM lecture_progress WHERE user_id = ? AND lecture_id = ?",
            (user_id, lecture_id),
        ).fetchone()[0]
        resume = db.execute(
            "SELECT e.last_lecture_id FROM enrolment e JOIN course c ON c.id = e.course_id"
            " WHERE e.user_id = ? AND c.slug = ?",
            (user_id, course),
        ).fetchone()[0]
    assert (viewed, resume) == (1, lecture_id), log.read_text()[-3000:]
