"""The optional course cover in a package names a file of its media folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mooc.authoring.core.package_format import PackageError, load_course

SEED = Path(__file__).resolve().parents[2] / "content" / "toan-lop-6"


def _with_cover(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "toan-lop-6"
    shutil.copytree(SEED, folder)
    course = folder / "course.md"
    text = course.read_text(encoding="utf-8")
    course.write_text(text.replace("pass_mark:", f"cover: {name}\npass_mark:", 1), encoding="utf-8")
    return folder


def test_cover_is_read_when_the_file_exists(tmp_path: Path) -> None:
    package = load_course(_with_cover(tmp_path, "tia-so.svg"))
    assert package.cover == "tia-so.svg"


def test_missing_cover_file_is_reported_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(PackageError) as caught:
        load_course(_with_cover(tmp_path, "nope.png"))
    assert "cover media/nope.png does not exist" in str(caught.value)
    assert caught.value.line is not None
