"""`make run`'s server: gunicorn with gunicorn.conf.py (several threaded workers, keep-alive) on
the embedded defaults, against a fresh instance folder."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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


def test_gunicorn_serves_pages_and_compressed_assets(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_BIND": f"127.0.0.1:{port}",
        "MOOC_WORKERS": "2",
        "MOOC_THREADS": "2",
    }
    for key in ("MOOC_DATABASE_URL", "MOOC_STORAGE_URL", "MOOC_ENV"):
        env.pop(key, None)
    flask = [str(BIN / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["assets", "compress"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
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
    finally:
        server.terminate()
        server.wait(15)
    text = log.read_text()
    assert "Using worker: gthread" in text
    assert text.count("Booting worker") >= 2
