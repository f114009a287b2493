"""scripts/vendor.py, the npm-less install of static/vendor: integrity and archive checks."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor.py"


def _vendor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_a_tarball_is_checked_and_unpacked_without_its_package_folder(tmp_path: Path) -> None:
    vendor = _vendor()
    data = _tarball({"package/dist/lib.js": b"x=1", "package/package.json": b"{}"})
    vendor._check_integrity(data, _integrity(data), "lib")
    vendor._unpack(data, tmp_path / "node_modules" / "lib")
    assert (tmp_path / "node_modules" / "lib" / "dist" / "lib.js").read_bytes() == b"x=1"


def test_a_changed_tarball_is_refused(tmp_path: Path) -> None:
    vendor = _vendor()
    data = _tarball({"package/dist/lib.js": b"x=1"})
    with pytest.raises(SystemExit, match="does not match"):
        vendor._check_integrity(data + b"!", _integrity(data), "lib")


def test_a_path_leaving_the_folder_is_refused(tmp_path: Path) -> None:
    vendor = _vendor()
    data = _tarball({"package/../../evil.js": b"x"})
    with pytest.raises(SystemExit, match="refusing"):
        vendor._unpack(data, tmp_path / "node_modules" / "lib")
    assert not (tmp_path / "evil.js").exists()
