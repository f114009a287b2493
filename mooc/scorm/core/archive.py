"""Checking a package's zip before anything is stored: paths that stay inside the package, no
zip bomb, a manifest whose launch files exist; and the storage key of each file.

Pure: a `zipfile.ZipFile` in, a checked `Package` or a `PackageRefused` (a code of
`reasons.REASONS` and its parameters) out.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass

from mooc.scorm.core.manifest import MANIFEST, Manifest, ManifestError, parse_manifest
from mooc.scorm.core.reasons import Refused

MAX_FILES = 20_000
# A member inflating more than this many times over, once large, is refused as a zip bomb.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # small members may compress very well (text, blank images)
MAX_MANIFEST = 4 * 1024 * 1024
MAX_KEY = 300
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,120}$")


class PackageRefused(Refused):
    """The zip is not a package the platform will store; its code and parameters say why."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # total uncompressed size (MOOC_SCORM_MAX_MB)
    max_files: int = MAX_FILES
    max_ratio: int = MAX_RATIO


@dataclass(frozen=True)
class Package:
    manifest: Manifest
    files: tuple[zipfile.ZipInfo, ...]  # the files to store (no directories)
    size: int  # uncompressed bytes


def _shown(text: str) -> str:
    """A name from the zip as a message shows it: control characters escaped, kept short."""
    cleaned = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return cleaned if len(cleaned) <= 200 else cleaned[:199] + "…"


def _check_name(name: str) -> str:
    """Refuse absolute paths, drive letters, backslashes and `..`: nothing may leave the package."""
    shown = _shown(name)
    if "\\" in name or "\x00" in name:
        raise PackageRefused("path-backslash", path=shown)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise PackageRefused("path-absolute", path=shown)
    parts = name.rstrip("/").split("/")
    if any(part in ("..", "") for part in parts):
        raise PackageRefused("path-parent", path=shown)
    return name


def _check_member(info: zipfile.ZipInfo, limits: Limits) -> None:
    _check_name(info.filename)
    if info.flag_bits & 0x1:
        raise PackageRefused("encrypted", path=_shown(info.filename))
    if stat.S_ISLNK(info.external_attr >> 16):
        raise PackageRefused("symlink", path=_shown(info.filename))
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        raise PackageRefused(
            "zip-bomb",
            path=_shown(info.filename),
            ratio=info.file_size // max(info.compress_size, 1),
        )


def check_package(archive: zipfile.ZipFile, limits: Limits) -> Package:
    """The checked package: every path inside it, sizes within `limits` (counted from the zip's
    directory, then enforced again while reading), the manifest parsed, each SCO's launch file
    present. Raises `PackageRefused`."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise PackageRefused("too-many-files", count=limits.max_files)
    seen: set[str] = set()
    files = []
    total = 0
    for info in infos:
        _check_member(info, limits)
        if info.is_dir():
            continue
        if info.filename in seen:
            raise PackageRefused("duplicate", path=_shown(info.filename))
        seen.add(info.filename)
        total += info.file_size
        if total > limits.max_bytes:
            raise PackageRefused("too-large", mb=limits.max_bytes // (1024 * 1024))
        files.append(info)
    if MANIFEST not in seen:
        raise PackageRefused("no-manifest")
    manifest_info = archive.getinfo(MANIFEST)
    if manifest_info.file_size > MAX_MANIFEST:
        raise PackageRefused("manifest-too-large")
    try:
        manifest = parse_manifest(read_member(archive, manifest_info, MAX_MANIFEST))
    except ManifestError as exc:
        raise PackageRefused(exc.code, **exc.params) from None
    for sco in manifest.scos:
        try:
            _check_name(sco.path)
        except PackageRefused:
            raise PackageRefused(
                "sco-outside", sco=_shown(sco.identifier), href=_shown(sco.href)
            ) from None
        if sco.path not in seen:
            raise PackageRefused("sco-missing", sco=_shown(sco.identifier), path=_shown(sco.path))
    for info in files:
        storage_key("p", info.filename)  # every path must have a key
    return Package(manifest, tuple(files), total)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, refusing to inflate more than `limit` bytes whatever its header says."""
    chunks = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit or size > info.file_size:
                raise PackageRefused("inflates-beyond", path=_shown(info.filename))
            chunks.append(chunk)
    return b"".join(chunks)


def _segment(part: str) -> str:
    # Plain names stay readable; any other (spaces, accents, underscores) is hex-encoded after
    # a "_", which no plain name starts with: the mapping is one to one.
    return part if _SAFE_SEGMENT.match(part) else "_" + part.encode().hex()


def storage_key(prefix: str, path: str) -> str:
    """The storage key of the package file `path` under `prefix`."""
    key = prefix + "/" + "/".join(_segment(part) for part in path.split("/"))
    if len(key) > MAX_KEY:
        raise PackageRefused("path-too-long", path=_shown(path))
    return key
