"""Real server processes for the deployment tests: free loopback ports, a process started with
its output in a log file and stopped (terminated, then killed) however the test ends, and
waiting for an HTTP answer while the process boots."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running with its output in `log`, stopped on leaving (its own process group,
    so a shell script's child goes too)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_answering(
    port: int, process: subprocess.Popen[bytes], log: Path, path: str = "/healthz"
) -> None:
    """Until `path` answers 200: processes boot slowly on a busy 2-core machine (seconds, but a
    load of 20 was seen), so wait up to two minutes, and count a refused, reset or cut
    connection while booting as "not yet"."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args} exited:\n{log.read_text()}"
        try:
            if _status(port, path) == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{path} on port {port} did not answer in time:\n{log.read_text()}")
