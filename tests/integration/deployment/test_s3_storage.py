"""S3 storage against a real S3-compatible server (moto_server on loopback): objects, presigned
delivery, multipart uploads of large files, and the app's `media` route redirecting to S3."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import select

from mooc.authoring.core.package_format import ContentTree, load_course, load_institutions
from mooc.authoring.packages.exporting import export_zip
from mooc.authoring.packages.importing import import_tree
from mooc.authoring.services.media import MediaLimits, upload_media
from mooc.catalog.models import Course, Lecture, MediaAsset
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.settings import Settings
from mooc.storage.s3 import _TRANSFER, S3Storage

CONTENT = Path(__file__).resolve().parents[3] / "content"
BUCKET = "mooc-media"
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real moto_server process (the venv's script) on a free loopback port."""
    port = _free_port()
    script = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(script), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"moto_server did not answer on {url}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    """An empty bucket on a freshly reset server, and the AWS settings boto3 reads."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    reset = urllib.request.Request(moto_endpoint + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):
        pass
    storage = S3Storage(bucket=BUCKET, endpoint_url=moto_endpoint)
    storage.client.create_bucket(Bucket=BUCKET)
    return storage


def _fetch(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def _headers(url: str) -> dict[str, str]:
    """The headers of a real GET of `url` (what a browser following it would be told)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return {name.lower(): value for name, value in response.headers.items()}


HOSTILE_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<a href="javascript:alert(1)"><rect width="10" height="10"/></a>'
    b'<set attributeName="href" to="javascript:alert(2)"/>'
    b'<use href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>'
    b'<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">x</body></foreignObject>'
    b"</svg>"
)


def test_objects_are_put_read_checked_and_deleted(s3: S3Storage) -> None:
    stored = s3.put("courses/1/abc-hinh.svg", io.BytesIO(b"<svg/>"), content_type="image/svg+xml")
    assert (stored.size, stored.content_type) == (6, "image/svg+xml")
    with s3.open("courses/1/abc-hinh.svg") as body:
        assert body.read() == b"<svg/>"
    assert s3.exists("courses/1/abc-hinh.svg")
    head = s3.client.head_object(Bucket=BUCKET, Key="courses/1/abc-hinh.svg")
    assert head["ContentType"] == "image/svg+xml"

    s3.delete("courses/1/abc-hinh.svg")
    assert not s3.exists("courses/1/abc-hinh.svg")
    with pytest.raises(FileNotFoundError):
        s3.open("courses/1/abc-hinh.svg")


def test_a_prefix_keeps_keys_under_it(moto_endpoint: str, s3: S3Storage) -> None:
    prefixed = S3Storage(bucket=BUCKET, prefix="mooc/prod", endpoint_url=moto_endpoint)
    prefixed.put("courses/2/x.pdf", io.BytesIO(b"%PDF-1.4"), content_type="application/pdf")
    keys = [o["Key"] for o in s3.client.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["mooc/prod/courses/2/x.pdf"]
    assert prefixed.exists("courses/2/x.pdf") and not s3.exists("courses/2/x.pdf")


def test_a_presigned_url_fetched_over_http_returns_the_bytes(s3: S3Storage) -> None:
    data = os.urandom(50_000)
    s3.put("courses/3/key-bai.pdf", io.BytesIO(data), content_type="application/pdf")
    url = s3.url("courses/3/key-bai.pdf", expires_in=60)
    assert url is not None and "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    status, body, content_type = _fetch(url)
    assert (status, body, content_type) == (200, data, "application/pdf")


def test_objects_carry_their_own_type_disposition_and_caching(s3: S3Storage) -> None:
    s3.put("courses/5/k-hinh.svg", io.BytesIO(b"<svg/>"), content_type="image/svg+xml")
    s3.put("courses/5/k-anh.png", io.BytesIO(b"\x89PNG"), content_type="image/png")

    # A presigned URL made without any overrides: only what the object itself carries.
    svg = _headers(cast(str, s3.url("courses/5/k-hinh.svg")))
    assert svg["content-type"] == "image/svg+xml"
    assert svg["content-disposition"] == 'attachment; filename="hinh.svg"'
    assert svg["cache-control"] == "private, max-age=86400"
    png = _headers(cast(str, s3.url("courses/5/k-anh.png")))
    assert png["content-disposition"] == 'inline; filename="anh.png"'


def test_a_presigned_url_fixes_type_and_disposition_even_for_old_objects(s3: S3Storage) -> None:
    # Stored before objects carried headers, and with a type a browser would render as a page.
    s3.client.put_object(
        Bucket=BUCKET, Key="courses/6/k-cu.svg", Body=b"<svg/>", ContentType="text/html"
    )
    url = s3.url("courses/6/k-cu.svg", content_type="image/svg+xml", download_name="Sơ đồ.svg")
    assert url is not None and "response-content-disposition=" in url

    headers = _headers(url)
    assert headers["content-type"] == "image/svg+xml"
    assert (
        headers["content-disposition"]
        == "attachment; filename*=UTF-8''S%C6%A1%20%C4%91%E1%BB%93.svg"
    )
    assert headers["cache-control"] == "private, max-age=86400"


def test_files_above_the_threshold_go_up_in_parts(s3: S3Storage) -> None:
    threshold, chunk = _TRANSFER.multipart_threshold, _TRANSFER.multipart_chunksize
    assert 5 * MIB <= chunk <= threshold  # S3 refuses parts under 5 MiB (but the last)
    data = os.urandom(threshold + MIB)
    s3.put("courses/4/video.mp4", io.BytesIO(data), content_type="video/mp4")
    head = s3.client.head_object(Bucket=BUCKET, Key="courses/4/video.mp4")
    parts = -(-len(data) // chunk)
    assert head["ETag"].strip('"').endswith(f"-{parts}")
    assert head["ContentLength"] == len(data)
    with s3.open("courses/4/video.mp4") as body:
        assert hashlib.sha256(body.read()).digest() == hashlib.sha256(data).digest()

    small = s3.put("courses/4/small.mp4", io.BytesIO(data[:MIB]), content_type="video/mp4")
    small_etag = s3.client.head_object(Bucket=BUCKET, Key=small.key)["ETag"]
    assert "-" not in small_etag


def _fresh_app(
    fresh_database_url: Callable[[str], str], backend: str, tmp_path: Path, endpoint: str
) -> Flask:
    url = fresh_database_url(backend)
    upgrade(url)
    return create_app(
        settings=Settings(
            env="testing",
            instance_path=tmp_path,
            secret_key="test-secret-" + "s" * 40,
            database_url=url,
            storage_url=f"s3://{BUCKET}",
            s3_endpoint_url=endpoint,
            base_url="http://mooc.test",
        )
    )


@pytest.fixture
def s3_app(
    s3: S3Storage,
    moto_endpoint: str,
    backend: str,
    fresh_database_url: Callable[[str], str],
    tmp_path: Path,
) -> Iterator[Flask]:
    """The app on its own database with `MOOC_STORAGE_URL=s3://…`, one seed course imported."""
    app = _fresh_app(fresh_database_url, backend, tmp_path, moto_endpoint)
    with app.app_context():
        tree = ContentTree(
            load_institutions(CONTENT / "institutions.yaml"), (load_course(CONTENT / "toan-lop-6"),)
        )
        import_tree(db.session, app.extensions["mooc_storage"], tree)
        db.session.commit()
        db.session.close()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_media_route_redirects_to_a_presigned_url_that_serves_the_file(
    s3_app: Flask, s3: S3Storage, moto_endpoint: str
) -> None:
    assert isinstance(s3_app.extensions["mooc_storage"], S3Storage)
    response = s3_app.test_client().get("/courses/toan-lop-6/media/tia-so.svg")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{moto_endpoint}/{BUCKET}/courses/")
    assert "X-Amz-Signature=" in location

    status, body, content_type = _fetch(location)
    assert status == 200
    assert body == (CONTENT / "toan-lop-6" / "media" / "tia-so.svg").read_bytes()
    assert content_type == "image/svg+xml"
    headers = _headers(location)
    assert headers["content-disposition"] == 'attachment; filename="tia-so.svg"'
    assert headers["cache-control"] == "private, max-age=86400"


def test_a_package_svg_is_cleaned_before_it_reaches_s3(
    s3_app: Flask, s3: S3Storage, tmp_path: Path
) -> None:
    course_dir = tmp_path / "package" / "toan-lop-6"
    shutil.copytree(CONTENT / "toan-lop-6", course_dir)
    (course_dir / "media" / "tia-so.svg").write_bytes(HOSTILE_SVG)
    with s3_app.app_context():
        tree = ContentTree(
            load_institutions(CONTENT / "institutions.yaml"), (load_course(course_dir),)
        )
        import_tree(db.session, s3_app.extensions["mooc_storage"], tree)
        db.session.commit()
        location = (
            s3_app.test_client().get("/courses/toan-lop-6/media/tia-so.svg").headers["Location"]
        )

    status, body, content_type = _fetch(location)
    assert (status, content_type) == (200, "image/svg+xml")
    assert b'<rect width="10" height="10"/>' in body
    for gone in (b"javascript", b"<set", b"data:", b"foreignObject", b"body"):
        assert gone not in body


def test_a_large_upload_goes_to_s3_in_parts_and_exports_back(s3_app: Flask, s3: S3Storage) -> None:
    # An MP4 header and random bytes: above the multipart threshold, under the video limit.
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(
        _TRANSFER.multipart_threshold + 3 * MIB
    )
    with s3_app.app_context():
        course = db.session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()
        storage = s3_app.extensions["mooc_storage"]
        asset = upload_media(
            db.session,
            storage,
            course,
            "Bài giảng video.mp4",
            io.BytesIO(data),
            limits=MediaLimits(),
            actor_id=None,
        )
        db.session.commit()
        assert (asset.name, asset.content_type, asset.size) == (
            "bai-giang-video.mp4",
            "video/mp4",
            len(data),
        )
        etag = s3.client.head_object(Bucket=BUCKET, Key=asset.storage_key)["ETag"]
        assert etag.strip('"').endswith("-2")

        with export_zip(db.session, storage, course) as package, zipfile.ZipFile(package) as zf:
            assert zf.read("toan-lop-6/media/bai-giang-video.mp4") == data
            assert (
                zf.read("toan-lop-6/media/tia-so.svg")
                == (CONTENT / "toan-lop-6" / "media" / "tia-so.svg").read_bytes()
            )
        names = db.session.scalars(
            select(MediaAsset.name).where(MediaAsset.course_id == course.id)
        ).all()
        assert sorted(names) == ["bai-giang-video.mp4", "tia-so.svg"]


def test_a_video_lecture_on_s3_seeks_by_presigned_ranges_and_keeps_captions_on_the_origin(
    s3_app: Flask, s3: S3Storage
) -> None:
    folder = CONTENT / "vat-ly-lop-10"
    with s3_app.app_context():
        tree = ContentTree(load_institutions(CONTENT / "institutions.yaml"), (load_course(folder),))
        import_tree(db.session, s3_app.extensions["mooc_storage"], tree)
        db.session.commit()
        lecture = db.session.scalars(
            select(Lecture).where(Lecture.slug == "xem-chuyen-dong-thang-deu")
        ).one()
        assert lecture.published_version is not None
        # the transcript was read from the bucket while the package was imported
        assert "vật dời thêm đúng một vạch" in lecture.published_version.html
        client = s3_app.test_client()
        clip = client.get("/courses/vat-ly-lop-10/media/chuyen-dong-thang-deu.mp4")
        captions = client.get("/courses/vat-ly-lop-10/media/chuyen-dong-thang-deu.vi.vtt")

    assert clip.status_code == 302
    data = (folder / "media" / "chuyen-dong-thang-deu.mp4").read_bytes()
    ranged = urllib.request.Request(clip.headers["Location"], headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(ranged, timeout=30) as response:
        assert response.status == 206
        assert response.read() == data[100:200]
        assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert response.headers["Content-Type"] == "video/mp4"

    # A <track> loads only from the page's origin: captions never redirect to the bucket.
    assert captions.status_code == 200
    assert captions.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert captions.get_data() == (folder / "media" / "chuyen-dong-thang-deu.vi.vtt").read_bytes()
