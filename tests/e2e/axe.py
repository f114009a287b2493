"""axe-core for the page walk: installed with `npm ci` from tests/e2e/axe/package-lock.json.

Like tests/interop, only the npm registry is needed, and only when node_modules is missing or
was installed from another lock; the browser then gets axe.min.js through `add_script_tag`.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / "axe"
LOCK_FILE = AXE_DIR / "package-lock.json"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# written after a successful `npm ci`: the SHA-256 of the lock file it installed
INSTALLED_STAMP = AXE_DIR / "node_modules" / ".mooc-installed-lock.sha256"
NPM_CI = ["ci", "--prefer-offline", "--no-audit", "--no-fund"]


class AxeInstallError(RuntimeError):
    """npm is missing or `npm ci` failed."""


def _lock_digest() -> str:
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()


def ensure_axe(timeout: float = 600) -> Path:
    """The path of axe.min.js, running `npm ci` first unless this lock is installed already."""
    npm = shutil.which("npm")
    if npm is None:
        raise AxeInstallError(
            "`npm` is not on PATH: the page walk needs axe-core from the npm registry "
            "(Debian: apt-get install nodejs npm)"
        )
    name = "mooc-e2e-axe-" + hashlib.sha256(str(AXE_DIR).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one `npm ci` at a time across xdist workers
        installed = INSTALLED_STAMP.is_file() and INSTALLED_STAMP.read_text().strip() == (
            _lock_digest()
        )
        if not installed:
            done = subprocess.run(
                [npm, *NPM_CI],
                cwd=AXE_DIR,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if done.returncode != 0:
                raise AxeInstallError(
                    f"`npm {' '.join(NPM_CI)}` failed in {AXE_DIR} (exit {done.returncode}):\n"
                    f"{done.stderr[-4000:]}"
                )
            INSTALLED_STAMP.write_text(_lock_digest() + "\n")
    return AXE_SCRIPT
