"""Transcode jobs running side by side share the queue: every rendition is made exactly once.

This needs really committed rows and parallel connections, so it builds a database of its own
(migrations + seed content) instead of using the rolled-back test transaction.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.authoring.services.media import MediaLimits, upload_media
from mooc.authoring.services.renditions import TranscodeReport, run_transcodes
from mooc.catalog.models import Course, MediaRendition, RenditionStatus
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.helpers import CONTENT, make_settings

JOBS = 4
LESSON = (Path(__file__).resolve().parents[2] / "data" / "media" / "lesson.mp4").read_bytes()


@pytest.fixture
def committed_app(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Flask]:
    url = fresh_database_url(backend)
    upgrade(url)
    app = create_app(settings=make_settings(tmp_path, url))
    with app.app_context():
        storage = app.extensions["mooc_storage"]
        import_tree(db.session, storage, load_tree(CONTENT))
        for slug in ("toan-lop-6", "tieng-viet-lop-1", "vat-ly-lop-10"):
            course = db.session.scalars(select(Course).where(Course.slug == slug)).one()
            upload_media(
                db.session,
                storage,
                course,
                "bai-giang.mp4",
                io.BytesIO(LESSON),
                limits=MediaLimits(),
                actor_id=None,
            )
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_parallel_jobs_make_each_rendition_once(committed_app: Flask) -> None:
    barrier = threading.Barrier(JOBS)
    reports: list[TranscodeReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def job() -> None:
        try:
            with committed_app.app_context():
                barrier.wait(timeout=30)
                report = run_transcodes(db.session, committed_app.extensions["mooc_storage"])
                db.session.close()
                with lock:
                    reports.append(report)
        except BaseException as exc:  # every failure is reported by the assertions below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(JOBS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    # three uploads × (144p, audio) made; the seed clip's two turn out not needed (it is tiny)
    assert sum(report.made for report in reports) == 6
    assert sum(report.not_needed for report in reports) == 2
    assert sum(report.failed + report.retrying for report in reports) == 0
    with committed_app.app_context():
        rows = db.session.scalars(select(MediaRendition)).all()
        assert len(rows) == 6
        assert {row.status for row in rows} == {RenditionStatus.READY}
        assert {row.attempts for row in rows} == {1}
