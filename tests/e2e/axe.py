"""axe-core for the page walk: installed with `npm ci` from tests/e2e/axe/package-lock.json
(`tests.npm`, like the interop tests' JavaScript reference); the browser then gets axe.min.js
through `add_script_tag`."""

from __future__ import annotations

from pathlib import Path

from tests.npm import NpmError, npm_ci

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


class AxeInstallError(RuntimeError):
    """npm is missing or `npm ci` failed."""


def ensure_axe(timeout: float = 600) -> Path:
    """The path of axe.min.js, running `npm ci` first unless this lock is installed already."""
    try:
        npm_ci(AXE_DIR, "the page walk (axe-core)", timeout)
    except NpmError as error:
        raise AxeInstallError(str(error)) from error
    return AXE_SCRIPT
