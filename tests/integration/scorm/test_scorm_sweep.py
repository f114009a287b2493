"""The files of replaced and deleted packages, on SQLite and PostgreSQL, in local storage and on a
real S3-compatible server (moto_server): content-addressed, so shared by lectures with the same
bytes; the sweep deletes only what no package row refers to, leaves what was just written, and
does nothing more the second time. The job runs on the app's queue (a real SqliteHuey file,
drained as the worker would), daily and after a replacement."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring.services.scorm import add_scorm_lecture, replace_package
from mooc.catalog.models import Course, Lecture, ScormPackage
from mooc.db import utcnow
from mooc.jobs import current_queue
from mooc.jobs.models import JobRun, RunState
from mooc.scorm import services
from mooc.scorm.core.archive import Limits, storage_key
from mooc.scorm.jobs import SWEEP
from mooc.storage import Storage
from mooc.storage.local import LocalStorage
from mooc.storage.memory import MemoryStorage
from mooc.storage.s3 import S3Storage
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login
from tests.integration.deployment.test_s3_storage import moto_endpoint, s3  # noqa: F401
from tests.scorm_packages import build_package

LIMITS = Limits(max_bytes=10 * 1024 * 1024)
LATER = dt.timedelta(hours=2)  # past the sweep's grace period
ONE = build_package("2004", "Gói một", scos=[("a", "A"), ("b", "B")])
TWO = build_package("2004", "Gói hai", scos=[("a", "A")])
THREE = build_package("1.2", "Gói ba", scos=[("x", "X")])


@pytest.fixture(params=["local", "s3"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    found: S3Storage = request.getfixturevalue("s3")
    return found


def _package(session: Session, lecture: Lecture) -> ScormPackage:
    return session.scalars(select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)).one()


def _files(package: ScormPackage) -> list[str]:
    return [
        package.zip_key,
        *(storage_key(package.storage_prefix, sco["href"]) for sco in package.scos),
        storage_key(package.storage_prefix, "imsmanifest.xml"),
    ]


def _all_there(storage: Storage, keys: list[str]) -> bool:
    return all(storage.exists(key) for key in keys)


def _none_there(storage: Storage, keys: list[str]) -> bool:
    return not any(storage.exists(key) for key in keys)


def test_a_shared_package_goes_only_when_no_lecture_plays_it(
    session: Session, teacher: User, course: Course, where: Storage
) -> None:
    add: Callable[[bytes], Lecture] = lambda data: add_scorm_lecture(  # noqa: E731
        session, teacher, course.sections[0], data, storage=where, limits=LIMITS
    )
    first, second = add(ONE), add(ONE)  # the same bytes: stored once, played twice
    third = add(THREE)
    session.commit()
    one = _files(_package(session, first))
    three = _files(_package(session, third))
    assert _all_there(where, one)

    # One lecture plays another package now: the shared one stays, the other lecture plays it.
    replace_package(session, teacher, first, TWO, storage=where, limits=LIMITS)
    session.commit()
    two = _files(_package(session, first))
    swept = services.remove_unreferenced_files(session, where, now=utcnow() + LATER)
    assert (swept.packages, swept.files) == (0, 0)
    assert _all_there(where, one + two + three)

    # The second lecture too: now nothing refers to it, and its files and zip go.
    replace_package(session, teacher, second, TWO, storage=where, limits=LIMITS)
    # A lecture deleted outright (its package row with it) leaves its files to the sweep too.
    session.execute(delete(ScormPackage).where(ScormPackage.lecture_id == third.id))
    session.commit()
    swept = services.remove_unreferenced_files(session, where, now=utcnow() + LATER)
    # ONE's manifest, 2 SCO pages, 2 style sheets and zip; THREE's manifest, page, style, zip.
    assert (swept.packages, swept.files) == (2, 10)
    assert _none_there(where, one + three)
    assert _all_there(where, two)
    assert list(where.listing(_package(session, first).storage_prefix + "/"))

    # Idempotent: a second run finds nothing to do.
    again = services.remove_unreferenced_files(session, where, now=utcnow() + LATER)
    assert (again.packages, again.files, again.kept) == (0, 0, 0)
    assert _all_there(where, two)


def test_files_written_within_the_grace_period_are_kept(
    session: Session, teacher: User, course: Course, where: Storage
) -> None:
    """An upload stores its files before its row commits: what was just written is not an
    orphan yet, whatever the rows say."""
    lecture = add_scorm_lecture(
        session, teacher, course.sections[0], ONE, storage=where, limits=LIMITS
    )
    session.commit()
    one = _files(_package(session, lecture))
    replace_package(session, teacher, lecture, TWO, storage=where, limits=LIMITS)
    session.commit()
    now = utcnow()
    swept = services.remove_unreferenced_files(session, where, now=now)
    assert (swept.packages, swept.kept) == (0, 1)
    assert _all_there(where, one)
    swept = services.remove_unreferenced_files(session, where, now=now + LATER)
    assert (swept.packages, swept.kept) == (1, 0)
    assert _none_there(where, one)


def test_other_files_in_storage_are_never_touched(
    session: Session, teacher: User, course: Course, where: Storage
) -> None:
    where.put("courses/1/abc-hinh.png", io.BytesIO(b"png"), content_type="image/png")
    where.put("scorm/not-a-package.txt", io.BytesIO(b"x"), content_type="text/plain")
    swept = services.remove_unreferenced_files(session, where, now=utcnow() + LATER)
    assert swept.files == 0
    assert where.exists("courses/1/abc-hinh.png") and where.exists("scorm/not-a-package.txt")


def test_replacing_a_package_runs_the_sweep_job_on_the_queue(
    app: Flask, session: Session, client: FlaskClient, teacher: User, course: Course
) -> None:
    storage = app.extensions["mooc_storage"]
    assert isinstance(storage, MemoryStorage)
    queue = current_queue()
    job = queue.jobs[SWEEP]
    assert job.schedule is not None and job.scheduled(app.config["MOOC_SETTINGS"])
    lecture = add_scorm_lecture(
        session, teacher, course.sections[0], ONE, storage=storage, limits=LIMITS
    )
    session.commit()
    one = _files(_package(session, lecture))
    for key in list(storage.modified):  # uploaded long ago
        storage.modified[key] -= LATER

    login(client, teacher.email or "", PASSWORD)
    url = f"/author/courses/{course.slug}/lectures/{lecture.slug}/scorm"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "package": (io.BytesIO(TWO), "hai.zip"),
            "weight": "1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [run] = session.scalars(
        select(JobRun).where(JobRun.name == SWEEP).execution_options(populate_existing=True)
    ).all()
    assert run.state == RunState.QUEUED and _all_there(
        storage, one
    )  # nothing deleted in the request
    queue.drain()  # as the worker would
    session.expire_all()
    assert session.get_one(JobRun, run.id).state == RunState.DONE
    assert _none_there(storage, one)
    session.expire_all()
    assert _all_there(storage, _files(_package(session, lecture)))
