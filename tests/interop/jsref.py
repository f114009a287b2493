"""Running the JavaScript reference (tests/interop/js) from Python.

The node packages are installed with `npm ci` from the committed package-lock.json (`tests.npm`).
The scripts themselves never touch the network.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.npm import NpmError, npm_ci, tool

JS_DIR = Path(__file__).resolve().parent / "js"
NODE_MODULES = JS_DIR / "node_modules"


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


def _node() -> str:
    try:
        return tool("node", "the interop tests")
    except NpmError as error:
        raise JsReferenceError(str(error)) from error


def ensure_installed(timeout: float = 600) -> Installation:
    """Install the locked node packages unless they already are; say how long it took."""
    version = subprocess.run(
        [_node(), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        seconds = npm_ci(JS_DIR, "the interop tests", timeout)
    except NpmError as error:
        raise JsReferenceError(str(error)) from error
    return Installation(node_version=version, npm_ci_seconds=seconds)


def run_script(script: str, request: Mapping[str, Any], timeout: float = 120) -> Any:
    """Run `node <script>` in the js folder with `request` as JSON on stdin; its JSON output."""
    done = subprocess.run(
        [_node(), script],
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
