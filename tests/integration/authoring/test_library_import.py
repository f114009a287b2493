"""`flask content import` of a library: rendered in a pool of processes, it stores exactly what
a one-process import stores; texts rendered ahead are the ones stored; the closing report line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.authoring.core.package_format import LANGUAGES, PackageError
from mooc.authoring.core.prerendering import read_course
from mooc.authoring.packages.library import find_library
from mooc.catalog.models import Course, Lecture
from mooc.catalog.services import media_resolver, region_labels
from mooc.db import Base, UTCDateTime
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.helpers import CONTENT, make_settings

REPORT_LINE = re.compile(
    r"^(\d+) courses, (\d+) lectures imported in [\d.]+ s: [\d.]+ lectures/s with (\d+) jobs?$",
    re.M,
)


def clone_course(content: Path, seed: str, slug: str) -> Path:
    folder = content / slug
    shutil.copytree(content / seed, folder)
    course_file = folder / "course.md"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace(f"slug: {seed}", f"slug: {slug}", 1), encoding="utf-8")
    return folder


@pytest.fixture
def library(content_copy: Path) -> Path:
    """The seed courses, two more copies (one with video, captions and images) and one course
    whose captions are refused after its course row is written."""
    clone_course(content_copy, "vat-ly-lop-10", "vat-ly-lop-10-ban-2")
    clone_course(content_copy, "toan-lop-6", "toan-lop-6-ban-2")
    broken = clone_course(content_copy, "xac-suat-thong-ke", "xac-suat-thong-ke-hong")
    (broken / "media" / "hong.vtt").write_text(
        "WEBVTT\n\n00:02.000 --> 00:01.000\nNgược\n", encoding="utf-8"
    )
    return content_copy


def table_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by primary key, without its timestamps."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if not isinstance(c.type, UTCDateTime)]
        order = list(table.primary_key.columns) or columns
        rows[table.name] = [
            tuple(row) for row in session.execute(select(*columns).order_by(*order)).all()
        ]
    return rows


@pytest.fixture
def empty_app(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Callable[[str], Flask]]:
    """Apps on new migrated databases, for imports that commit for real."""
    made: list[Flask] = []

    def make(name: str) -> Flask:
        url = fresh_database_url(backend)
        upgrade(url)
        made.append(create_app(settings=make_settings(tmp_path / name, url)))
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


def import_into(application: Flask, path: Path, jobs: int) -> tuple[Result, dict[str, Any]]:
    with application.app_context():
        result = application.test_cli_runner().invoke(
            args=["content", "import", str(path), "--jobs", str(jobs)]
        )
        rows = table_rows(db.session)
        db.session.close()
    return result, rows


def test_a_parallel_import_stores_what_a_one_process_import_stores(
    empty_app: Callable[[str], Flask], library: Path
) -> None:
    serial, serial_rows = import_into(empty_app("serial"), library, jobs=1)
    parallel_app = empty_app("parallel")
    parallel, parallel_rows = import_into(parallel_app, library, jobs=2)

    for result, jobs in ((serial, "1 job"), (parallel, "2 jobs")):
        assert result.exit_code == 1, result.output
        assert "failed    course xac-suat-thong-ke-hong: " in result.output
        assert "hong.vtt: malformed WebVTT captions" in result.output
        assert "1 of 9 courses failed and were not changed" in result.output
        assert f"lectures/s with {jobs}" in result.output
        assert result.output.count("created   course ") == 8
        assert " created, 0 updated, 0 unchanged" in result.output
    assert parallel_rows == serial_rows
    assert len(parallel_rows["lecture_version"]) == sum(  # Markdown and SCORM lectures
        len(list((library / slug / "lectures").glob("*.md")))
        + len(list((library / slug / "scorm").glob("*.zip")))
        for slug in sorted(p.name for p in library.iterdir() if p.is_dir())
        if slug != "xac-suat-thong-ke-hong"
    )
    assert not [row for row in parallel_rows["course"] if "xac-suat-thong-ke-hong" in row]

    # Running it again changes nothing; the failing course fails the same way.
    again, again_rows = import_into(parallel_app, library, jobs=2)
    assert again.exit_code == 1
    assert "0 created, 0 updated, 8 unchanged" in again.output
    assert again_rows == parallel_rows


def test_texts_rendered_ahead_are_the_ones_a_serial_import_stored(
    session: Session, app: Flask
) -> None:
    """The seed content (imported serially by the test app) rendered ahead, as a worker does:
    every lecture and description fits the stored media and equals what was stored, so the
    import never renders them twice."""
    storage = app.extensions["mooc_storage"]
    labels = {language: region_labels(language) for language in LANGUAGES}
    checked = 0
    for folder in find_library(CONTENT).folders:
        read = read_course(folder, None, labels)
        assert read.package is not None and read.rendering is not None, read.error
        course = session.scalars(select(Course).where(Course.slug == read.package.slug)).one()
        resolver = media_resolver(session, course, storage)
        course_labels = region_labels(course.language)
        assert read.rendering.description.fits(resolver, course_labels)
        assert read.rendering.description.rendered.html == course.description_html
        for lecture in session.scalars(select(Lecture).where(Lecture.course_id == course.id)):
            if lecture.slug in read.package.scorm:
                continue  # a SCORM package: no Markdown to render ahead
            ahead = read.rendering.lectures[lecture.slug]
            assert ahead.fits(resolver, course_labels), lecture.slug
            assert lecture.published_version is not None
            assert ahead.rendered.html == lecture.published_version.html
            checked += 1
    assert checked == len(list(CONTENT.glob("*/lectures/*.md")))


def test_the_import_ends_with_the_courses_lectures_and_rate(
    session: Session, app: Flask, content_copy: Path
) -> None:
    lectures = sorted((content_copy / "toan-lop-6" / "lectures").glob("*.md"))
    with lectures[0].open("a", encoding="utf-8") as fh:
        fh.write("\nMột đoạn mới.\n")

    result = app.test_cli_runner().invoke(args=["content", "import", str(content_copy)])
    assert result.exit_code == 0, result.output
    found = REPORT_LINE.search(result.output)
    assert found is not None, result.output
    # Every course read; the lectures of the one course that changed imported.
    assert found.groups() == ("6", str(len(lectures)), "2")


def test_a_folder_without_courses_is_refused_before_anything_is_read(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    result = app.test_cli_runner().invoke(args=["content", "import", str(tmp_path / "empty")])
    assert result.exit_code != 0
    assert "no course folders (with course.md) found here" in result.output
    missing = app.test_cli_runner().invoke(args=["content", "import", str(tmp_path / "nothing")])
    assert missing.exit_code != 0
    assert "no such file or folder" in missing.output
    assert "Traceback" not in result.output + missing.output


def test_the_library_is_every_visible_folder_or_the_one_course(content_copy: Path) -> None:
    (content_copy / ".git").mkdir()
    library = find_library(content_copy)
    assert [f.name for f in library.folders] == sorted(
        p.name for p in CONTENT.iterdir() if p.is_dir()
    )
    assert {i.slug for i in library.institutions} >= {"thcs-ba-dinh"}
    single = find_library(content_copy / "toan-lop-6")
    assert single.folders == (content_copy / "toan-lop-6",)
    assert single.institutions == ()
    (content_copy / "institutions.yaml").write_text("- slug: [\n", encoding="utf-8")
    with pytest.raises(PackageError, match="invalid YAML"):
        find_library(content_copy)
