"""Kolibri beside us, when it is installed: the learn page of a freshly provisioned Kolibri is the
figure the lecture page is held against (issue 14). Optional: nothing happens without it.

Install it in a venv of its own (it pins its own Django), then point the benchmarks at it:

    python3.11 -m venv /tmp/kolibri-venv && /tmp/kolibri-venv/bin/pip install kolibri
    .venv/bin/python bench/lecture_page.py --kolibri /tmp/kolibri-venv/bin/kolibri

`KOLIBRI_BIN` (or a `kolibri` on PATH) does the same. The learn page is Kolibri's page for a
learner, served as its own production server (`kolibri start`) serves it, on its own database in a
temporary KOLIBRI_HOME that is removed afterwards.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LEARN_PAGE = "/en/learn/"


def find(explicit: str | None) -> str | None:
    """The kolibri command to use: the one given, then KOLIBRI_BIN, then PATH; None without."""
    for candidate in (explicit, os.environ.get("KOLIBRI_BIN"), shutil.which("kolibri")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False


@contextmanager
def running(kolibri: str) -> Iterator[int]:
    """A provisioned Kolibri serving on a free loopback port (yielded), stopped on exit."""
    home = Path(tempfile.mkdtemp(prefix="mooc-bench-kolibri-"))
    env = {**os.environ, "KOLIBRI_HOME": str(home)}
    port = _free_port()
    server = None
    try:
        subprocess.run(
            [kolibri, "manage", "migrate"], env=env, check=True, capture_output=True, timeout=600
        )
        subprocess.run(
            [kolibri, "manage", "provisiondevice", "--", "--facility", "Bench",
             "--superusername", "admin", "--superuserpassword", "bench-password-123",
             "--preset", "nonformal", "--language_id", "en", "--noinput"],
            env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        server = subprocess.Popen(
            [kolibri, "start", "--foreground", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not _answers(port, LEARN_PAGE):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("Kolibri did not start")
            time.sleep(0.5)
        yield port
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(home, ignore_errors=True)
