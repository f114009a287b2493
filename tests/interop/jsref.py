"""Running the JavaScript reference (tests/interop/js) from Python.

The node packages are installed with `npm ci` from the committed package-lock.json, which needs
only the npm registry, and only when node_modules is missing or was installed from another lock.
The scripts themselves never touch the network.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js"
LOCK_FILE = JS_DIR / "package-lock.json"
NODE_MODULES = JS_DIR / "node_modules"
# written after a successful `npm ci`: the SHA-256 of the lock file it installed
INSTALLED_STAMP = NODE_MODULES / ".mooc-installed-lock.sha256"
NPM_CI = ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"]


class JsReferenceError(RuntimeError):
    """The JavaScript reference could not be installed or run (not: a record failed)."""


@dataclass(frozen=True)
class Installation:
    """How the node packages came to be there: `npm_ci_seconds` is None if they already were."""

    node_version: str
    npm_ci_seconds: float | None


@dataclass(frozen=True)
class JsVerdict:
    """What the JavaScript reference says about one credential (and each one it embeds)."""

    verified: bool
    revoked: bool
    suspended: bool
    status_checked: bool
    errors: tuple[str, ...]
    embedded: tuple[JsVerdict, ...] = ()
    id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JsVerdict:
        return cls(
            verified=bool(data["verified"]),
            revoked=bool(data["revoked"]),
            suspended=bool(data["suspended"]),
            status_checked=bool(data["statusChecked"]),
            errors=tuple(str(error) for error in data["errors"]),
            embedded=tuple(cls.from_json(inner) for inner in data.get("embedded", [])),
            id=data.get("id"),
        )

    def says(self, fragment: str) -> bool:
        """Whether any error message contains `fragment` (case-insensitive)."""
        return any(fragment.lower() in error.lower() for error in self.errors)


def _lock_digest() -> str:
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()


def _is_installed() -> bool:
    return INSTALLED_STAMP.is_file() and INSTALLED_STAMP.read_text().strip() == _lock_digest()


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """One `npm ci` at a time, also across pytest-xdist workers sharing the work tree."""
    name = "mooc-interop-npm-" + hashlib.sha256(str(JS_DIR).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise JsReferenceError(
            f"`{name}` is not on PATH: the interop tests need Node.js ≥ 20 with npm "
            "(Debian: apt-get install nodejs npm)"
        )
    return path


def ensure_installed(timeout: float = 600) -> Installation:
    """Install the locked node packages unless they already are; say how long it took."""
    node = _tool("node")
    npm = _tool("npm")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    seconds: float | None = None
    with _install_lock():
        if not _is_installed():
            started = time.perf_counter()
            done = subprocess.run(
                [npm, *NPM_CI[1:]],
                cwd=JS_DIR,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if done.returncode != 0:
                raise JsReferenceError(
                    f"`{' '.join(NPM_CI)}` failed in {JS_DIR} (exit {done.returncode}):\n"
                    f"{done.stderr[-4000:]}"
                )
            seconds = time.perf_counter() - started
            INSTALLED_STAMP.write_text(_lock_digest() + "\n")
    return Installation(node_version=version, npm_ci_seconds=seconds)


def run_script(script: str, request: Mapping[str, Any], timeout: float = 120) -> Any:
    """Run `node <script>` in the js folder with `request` as JSON on stdin; its JSON output."""
    done = subprocess.run(
        [_tool("node"), script],
        cwd=JS_DIR,
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    if done.returncode != 0:
        raise JsReferenceError(
            f"node {script} exited with {done.returncode}:\n{done.stderr[-4000:]}"
        )
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise JsReferenceError(f"node {script} printed no JSON: {done.stdout[:500]!r}") from error


def js_verify(
    credential: Mapping[str, Any], documents: Mapping[str, Any], now: str | None = None
) -> JsVerdict:
    """The JavaScript reference's verdict on `credential`, loading only `documents`."""
    request: dict[str, Any] = {"credential": credential, "documents": documents}
    if now is not None:
        request["now"] = now
    return JsVerdict.from_json(run_script("verify.mjs", request))
