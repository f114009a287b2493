"""Large media of a package in S3 (a real moto_server): the content origin redirects them to a
presigned URL, which serves the bytes; small media, scripts and pages stay on the content origin;
the package policy lets media and images, and nothing else, come from the S3 origin. With local
storage everything is served by the content origin, under the usual policy."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring.services.scorm import add_scorm_lecture
from mooc.catalog.models import Course, ScormPackage
from mooc.contentorigin.app import LARGE_MEDIA, create_content_app
from mooc.scorm import tokens
from mooc.scorm.core.archive import Limits
from mooc.storage import Storage
from mooc.storage.local import LocalStorage
from mooc.storage.s3 import S3Storage
from tests.integration.deployment.test_s3_storage import moto_endpoint, s3  # noqa: F401
from tests.scorm_packages import build_package

CLIP = os.urandom(LARGE_MEDIA + 512 * 1024)  # incompressible: no zip-bomb ratio
SCRIPT = b"var x = 1;\n" + b"//" + os.urandom(LARGE_MEDIA).hex().encode()[:LARGE_MEDIA] + b"\n"
ICON = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DATA = build_package(
    "2004",
    "Video lớn",
    scos=[("a", "A")],
    extra={"media/clip.mp4": CLIP, "media/icon.png": ICON, "lib/big.js": SCRIPT},
)


def _content(
    app: Flask, session: Session, teacher: User, course: Course, storage: Storage
) -> tuple[FlaskClient, str]:
    lecture = add_scorm_lecture(
        session,
        teacher,
        course.sections[0],
        DATA,
        storage=storage,
        limits=Limits(max_bytes=20 * 1024 * 1024),
    )
    session.commit()
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    settings = app.config["MOOC_SETTINGS"]
    token = tokens.grant(settings.secret_key, package.storage_prefix, "2004")
    return create_content_app(settings, storage).test_client(), token


def test_large_media_in_s3_are_redirected_to_a_presigned_url(
    app: Flask,
    session: Session,
    teacher: User,
    course: Course,
    s3: S3Storage,  # noqa: F811
    moto_endpoint: str,  # noqa: F811
) -> None:
    client, token = _content(app, session, teacher, course, s3)
    moved = client.get(f"/c/{token}/media/clip.mp4")
    assert moved.status_code == 302
    assert moved.headers["Cache-Control"] == "no-store"
    location = moved.headers["Location"]
    assert location.startswith(moto_endpoint + "/") and "Signature=" in location
    with urllib.request.urlopen(location, timeout=30) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "video/mp4"
        assert answer.read() == CLIP
    # Small media, and scripts and pages whatever their size, stay on the content origin.
    with client.get(f"/c/{token}/media/icon.png") as icon:
        assert icon.status_code == 200 and icon.data == ICON
    with client.get(f"/c/{token}/lib/big.js") as script:
        assert script.status_code == 200 and script.data == SCRIPT
    with client.get(f"/c/{token}/a/index.html") as page:
        assert page.status_code == 200
        header = page.headers["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert policy["media-src"] == f"'self' data: blob: {moto_endpoint}"
    assert policy["img-src"] == f"'self' data: blob: {moto_endpoint}"
    for directive in ("default-src", "script-src", "style-src", "connect-src", "frame-ancestors"):
        assert moto_endpoint not in policy[directive], directive
    assert client.get(f"/c/{token}/media/missing.mp4").status_code == 404


def test_with_local_storage_media_are_served_by_the_content_origin(
    app: Flask, session: Session, teacher: User, course: Course, tmp_path: Path
) -> None:
    client, token = _content(app, session, teacher, course, LocalStorage(tmp_path / "media"))
    with client.get(f"/c/{token}/media/clip.mp4") as clip:
        assert clip.status_code == 200 and clip.data == CLIP
    with client.get(f"/c/{token}/a/index.html") as page:
        policy = page.headers["Content-Security-Policy"]
    assert "media-src 'self' data: blob:;" in policy and "http" not in policy.split("frame")[0]
