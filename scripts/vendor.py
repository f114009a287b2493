"""Install static/vendor's browser libraries without npm, for machines that have only Python.

`make vendor` runs `npm ci` when npm is on the PATH and this otherwise. It does the part of
`npm ci` the vendor folder needs: every package package-lock.json pins is fetched from the npm
registry as its tarball, checked against the lock file's `integrity` (SHA-512), and unpacked into
node_modules/. The packages served have no install scripts and no dependencies of their own;
a lock file that names a package with either is refused rather than half-installed.

    usage: python3 scripts/vendor.py static/vendor
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")
MAX_TARBALL = 64 * 1024 * 1024


def _tarball_url(name: str, version: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def _check_integrity(data: bytes, integrity: str, name: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"vendor: {name}: only sha512 integrity is supported, got {algorithm}")
    if base64.b64encode(hashlib.sha512(data).digest()).decode() != expected:
        raise SystemExit(f"vendor: {name}: the tarball does not match package-lock.json")


def _unpack(data: bytes, target: Path) -> None:
    """The tarball's `package/` folder into `target`, refusing links and paths that leave it."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            relative = Path(member.name)
            if (
                relative.is_absolute()
                or ".." in relative.parts
                or not (member.isfile() or member.isdir())
            ):
                raise SystemExit(f"vendor: refusing the archive member {member.name!r}")
            parts = relative.parts[1:]  # drop the leading "package/"
            if not parts:
                continue
            destination = staging.joinpath(*parts)
            if member.isdir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            destination.write_bytes(source.read())
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def install(folder: Path) -> None:
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
    for key, entry in lock.get("packages", {}).items():
        if not key:
            continue  # the vendor folder itself
        name = key.removeprefix("node_modules/")
        if "/node_modules/" in name or entry.get("hasInstallScript") or entry.get("dependencies"):
            raise SystemExit(f"vendor: {name} needs npm (nested packages or install scripts)")
        url = entry.get("resolved") or _tarball_url(name, entry["version"])
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the registry)
            data = response.read(MAX_TARBALL + 1)
        if len(data) > MAX_TARBALL:
            raise SystemExit(f"vendor: {name}: the tarball is larger than expected")
        _check_integrity(data, entry["integrity"], name)
        _unpack(data, folder / "node_modules" / name)
        print(f"vendor: {name} {entry['version']}")


if __name__ == "__main__":
    install(Path(sys.argv[1] if len(sys.argv) > 1 else "static/vendor"))
