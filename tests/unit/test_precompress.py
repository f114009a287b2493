"""The build step behind `flask assets compress`: copies beside each CSS/JS/SVG, rewritten only
when their source changed, and ignored by the server while outdated."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

from mooc.web.precompress import compress_folder, is_fresh


def test_compresses_css_js_and_svg_only(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    css = tmp_path / "css" / "a.css"
    css.write_text("body { color: red; }\n" * 200)
    (tmp_path / "i.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    (tmp_path / "s.js").write_text("console.log(1);\n" * 50)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")

    results = compress_folder(tmp_path)

    assert sorted(r.source.name for r in results) == ["a.css", "i.svg", "s.js"]
    assert brotli.decompress((tmp_path / "css" / "a.css.br").read_bytes()) == css.read_bytes()
    assert gzip.decompress((tmp_path / "css" / "a.css.gz").read_bytes()) == css.read_bytes()
    assert not (tmp_path / "photo.png.br").exists()
    row = next(r for r in results if r.source == css)
    assert row.brotli_size is not None and row.brotli_size < row.size / 10


def test_a_second_run_writes_nothing_until_a_source_changes(tmp_path: Path) -> None:
    css = tmp_path / "a.css"
    css.write_text("p { margin: 0; }\n" * 100)
    compress_folder(tmp_path)
    again = compress_folder(tmp_path)
    assert again[0].brotli_size is None and again[0].gzip_size is None

    css.write_text("p { margin: 1px; }\n" * 100)
    stamp = (tmp_path / "a.css.br").stat().st_mtime_ns + 1_000_000_000
    os.utime(css, ns=(stamp, stamp))
    assert not is_fresh(css, tmp_path / "a.css.br")
    rebuilt = compress_folder(tmp_path)
    assert rebuilt[0].brotli_size is not None
    assert brotli.decompress((tmp_path / "a.css.br").read_bytes()) == css.read_bytes()
    assert is_fresh(css, tmp_path / "a.css.br")


def test_gzip_copies_are_reproducible(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("let x = 1;\n" * 100)
    compress_folder(tmp_path)
    first = (tmp_path / "a.js.gz").read_bytes()
    compress_folder(tmp_path, force=True)
    assert (tmp_path / "a.js.gz").read_bytes() == first
