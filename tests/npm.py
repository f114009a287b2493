"""Node packages for the tests (the JavaScript reference verifier, axe-core): `npm ci` from a
committed package-lock.json, which needs only the npm registry, and only when node_modules is
missing or was installed from another lock. One install at a time, across xdist workers too."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

NPM_CI = ("ci", "--prefer-offline", "--no-audit", "--no-fund")
# `file:` dependencies installed as copies with their own dependencies (a symlinked folder's
# are not installed at all), and no lock to mix the two up
NPM_INSTALL = (
    "--install-links",
    "--no-package-lock",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
)
STAMP = ".mooc-installed-lock.sha256"  # in node_modules: the SHA-256 of the lock it installed


class NpmError(RuntimeError):
    """npm (or node) is missing, or `npm ci` failed."""


def tool(name: str, needed_for: str) -> str:
    """The path of `node` or `npm`, or a message saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise NpmError(
            f"`{name}` is not on PATH: {needed_for} needs Node.js with npm "
            "(Debian: apt-get install nodejs npm)"
        )
    return path


def npm_ci(folder: Path, needed_for: str, timeout: float = 600) -> float | None:
    """Install `folder`'s locked packages unless this lock is installed already; the seconds
    `npm ci` took, or None when nothing had to be installed."""
    npm = tool("npm", needed_for)
    lock = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()
    stamp = folder / "node_modules" / STAMP
    name = "mooc-npm-" + hashlib.sha256(str(folder).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text().strip() == lock:
            return None
        started = time.perf_counter()
        done = subprocess.run(
            [npm, *NPM_CI],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise NpmError(
                f"`npm {' '.join(NPM_CI)}` failed in {folder} (exit {done.returncode}):\n"
                f"{done.stderr[-4000:]}"
            )
        stamp.write_text(lock + "\n")
        return time.perf_counter() - started


def npm_install(folder: Path, needed_for: str, timeout: float = 600) -> float | None:
    """`npm install` in `folder` (a package without a lock, such as a W3C test suite) unless its
    package.json was installed already; the seconds it took, or None. Registry only."""
    npm = tool("npm", needed_for)
    manifest = hashlib.sha256((folder / "package.json").read_bytes()).hexdigest()
    stamp = folder / "node_modules" / STAMP
    name = "mooc-npm-" + hashlib.sha256(str(folder).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text().strip() == manifest:
            return None
        started = time.perf_counter()
        done = subprocess.run(
            [npm, "install", *NPM_INSTALL],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise NpmError(
                f"`npm install` failed in {folder} (exit {done.returncode}):\n{done.stderr[-4000:]}"
            )
        stamp.write_text(manifest + "\n")
        return time.perf_counter() - started
