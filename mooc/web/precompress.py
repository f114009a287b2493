"""Build step for static assets: a brotli (`.br`) and a gzip (`.gz`) copy beside every CSS, JS
and SVG file, written once at install time at the highest levels so no request compresses."""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli

COMPRESSIBLE = (".css", ".js", ".svg")
# Content-Encoding token → suffix of the precompressed copy, in order of preference.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _brotli(data: bytes) -> bytes:
    return bytes(brotli.compress(data, quality=11))


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same source always gives the same bytes (stable ETags across machines).
    return gzip.compress(data, compresslevel=9, mtime=0)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {".br": _brotli, ".gz": _gzip}


@dataclass(frozen=True)
class Compressed:
    """One source file and the sizes of what was written beside it (None: already up to date)."""

    source: Path
    size: int
    brotli_size: int | None
    gzip_size: int | None


def sources(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            yield path


def is_fresh(source: Path, copy: Path) -> bool:
    """A precompressed copy is usable only if it is at least as new as its source."""
    try:
        return copy.stat().st_mtime_ns >= source.stat().st_mtime_ns
    except FileNotFoundError:
        return False


def _write_beside(source: Path, path: Path, data: bytes) -> None:
    """Write atomically (a server may be reading), stamped with the source's modification time
    so freshness holds even for a source dated in the future."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    stat = source.stat()
    os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(tmp, path)


def compress_folder(folder: Path, *, force: bool = False) -> list[Compressed]:
    """Write the missing or outdated `.br`/`.gz` copies of every compressible file in `folder`."""
    results = []
    for source in sources(folder):
        data = source.read_bytes()
        written: dict[str, int | None] = {}
        for suffix, compressor in COMPRESSORS.items():
            copy = source.with_name(source.name + suffix)
            if force or not is_fresh(source, copy):
                encoded = compressor(data)
                _write_beside(source, copy, encoded)
                written[suffix] = len(encoded)
            else:
                written[suffix] = None
        results.append(Compressed(source, len(data), written[".br"], written[".gz"]))
    return results
