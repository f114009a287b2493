"""The media library: files judged by their bytes, size limits, safe names, files in use kept,
and how the `media` route hands files to browsers."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.assessment.models import Quiz
from mooc.authoring.core.package_format import MEDIA_NAME
from mooc.authoring.models import AuditEntry
from mooc.authoring.queries import course_media, media_in_use
from mooc.authoring.services.lectures import publish
from mooc.authoring.services.media import (
    MediaLimits,
    delete_media,
    sanitize_name,
    upload_media,
)
from mooc.catalog.models import Course, CourseStatus, Lecture, MediaAsset
from mooc.catalog.services import assign_teacher
from mooc.errors import Conflict, Invalid, NotFound, TooLarge
from mooc.settings import SettingsError, load_settings
from mooc.storage import Storage
from mooc.storage.local import LocalStorage
from mooc.storage.memory import MemoryStorage
from tests.factories import PASSWORD, make_user
from tests.helpers import login

LIMITS = MediaLimits()
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="#036"/></svg>'
)

# Entities are how "billion laughs" starts; an SVG with a document type is refused outright.
DOCTYPE_SVG = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'
)
HOSTILE_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" onload="alert(1)">'
    b"<script>alert(2)</script>"
    b'<a href="javascript:alert(3)"><rect width="40" height="20" fill="#036"/></a>'
    b'<a href="#r"><set attributeName="href" to="javascript:alert(4)"/>'
    b'<animate attributeName="xlink:href" values="javascript:alert(5)"/><rect id="r"/></a>'
    b'<use href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>'
    b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'
    b'<a href="https://example.org/"><text>ok</text></a>'
    b"</svg>"
)


def png(width: int = 64, height: int = 32, colour: str = "#2a6") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def english(session: Session) -> Iterator[None]:
    """Messages in English, whatever the platform's default language."""
    with force_locale("en"):
        yield


@pytest.fixture
def course(session: Session, english: None) -> Course:
    return session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()


@pytest.fixture
def storage(app: Flask) -> MemoryStorage:
    store = app.extensions["mooc_storage"]
    assert isinstance(store, MemoryStorage)
    return store


def _upload(
    session: Session,
    storage: Storage,
    course: Course,
    filename: str,
    data: bytes,
    limits: MediaLimits = LIMITS,
) -> MediaAsset:
    return upload_media(
        session, storage, course, filename, io.BytesIO(data), limits=limits, actor_id=None
    )


def test_png_named_pdf_is_stored_as_png_with_its_dimensions(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    data = png(64, 32)
    asset = _upload(session, storage, course, "Sơ đồ tia số.pdf", data)

    assert asset.name == "so-do-tia-so.png"
    assert asset.content_type == "image/png"
    assert (asset.width, asset.height) == (64, 32)
    assert asset.size == len(data)
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert asset.storage_key == f"courses/{course.id}/{asset.sha256[:20]}-so-do-tia-so.png"
    assert storage.objects[asset.storage_key] == (data, "image/png")
    assert "so-do-tia-so.png" in [a.name for a in course_media(session, course)]
    logged = session.scalars(
        select(AuditEntry).where(AuditEntry.course_id == course.id, AuditEntry.action == "upload")
    ).all()
    assert [entry.summary for entry in logged] == ["uploaded media/so-do-tia-so.png"]


def test_jpeg_and_svg_keep_a_matching_extension(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 12), "red").save(out, format="JPEG")
    jpeg = _upload(session, storage, course, "ẢNH.JPEG", out.getvalue())
    svg = _upload(session, storage, course, "hình vẽ.txt", SVG)
    assert (jpeg.name, jpeg.content_type, jpeg.width, jpeg.height) == (
        "anh.jpeg",
        "image/jpeg",
        10,
        12,
    )
    assert (svg.name, svg.content_type, svg.width, svg.height) == (
        "hinh-ve.svg",
        "image/svg+xml",
        40,
        20,
    )


def test_an_svg_upload_is_stored_with_only_allowlisted_content(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    asset = _upload(session, storage, course, "Hình.svg", HOSTILE_SVG)

    stored, content_type = storage.objects[asset.storage_key]
    assert content_type == "image/svg+xml"
    for gone in (b"javascript", b"script", b"onload", b"data:", b"foreignObject", b"<p", b"<set"):
        assert gone not in stored
    assert b'<a href="https://example.org/"><text>ok</text></a>' in stored
    assert b'<rect width="40" height="20" fill="#036"/>' in stored
    # The row describes the bytes stored, not those sent.
    assert (asset.size, asset.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert (asset.width, asset.height) == (40, 20)
    # The same file again changes nothing.
    assert _upload(session, storage, course, "Hình.svg", HOSTILE_SVG).id == asset.id


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("trang.html", b"<!doctype html><html><script>alert(1)</script></html>", "unrecognised"),
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 4000, "application/x-msdownload"),
        ("anh.svg", DOCTYPE_SVG, "document type"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "damaged image"),
    ],
    ids=["html", "exe", "svg-with-doctype", "broken-png"],
)
def test_pages_programs_and_unsafe_files_are_refused_with_422(
    session: Session,
    storage: MemoryStorage,
    course: Course,
    filename: str,
    data: bytes,
    reason: str,
) -> None:
    stored_before = dict(storage.objects)
    with pytest.raises(Invalid) as caught:
        _upload(session, storage, course, filename, data)
    assert caught.value.status == 422
    assert filename in caught.value.message
    assert reason in caught.value.message
    assert "Accepted files: images" in caught.value.message
    assert storage.objects == stored_before
    assert [a.name for a in course_media(session, course)] == ["tia-so.svg"]


def test_an_empty_file_is_refused(session: Session, storage: MemoryStorage, course: Course) -> None:
    with pytest.raises(Invalid, match="empty"):
        _upload(session, storage, course, "trong.png", b"")


class EndlessPng(io.RawIOBase):
    """A PNG signature followed by zeros for ever; counts what was read."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        signature = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02"
        for i in range(len(buffer)):
            position = self.consumed + i
            buffer[i] = signature[position] if position < len(signature) else 0
        self.consumed += len(buffer)
        return len(buffer)


def test_a_file_over_the_limit_is_too_large_and_reading_stops_at_limit_plus_one(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    limits = MediaLimits(image=256 * 1024)
    stream = EndlessPng()
    with pytest.raises(TooLarge) as caught:
        upload_media(
            session,
            storage,
            course,
            "vô hạn.png",
            cast(BinaryIO, stream),
            limits=limits,
            actor_id=None,
        )
    assert caught.value.status == 413
    assert caught.value.message == "Images may be at most 256 KB; vô hạn.png is larger."
    assert stream.consumed == 256 * 1024 + 1
    assert [a.name for a in course_media(session, course)] == ["tia-so.svg"]


def _environ(tmp_path: Path, limits: str) -> dict[str, str]:
    return {
        "MOOC_MEDIA_LIMITS_MB": limits,
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_SECRET_KEY": "s" * 40,
    }


def test_limits_come_from_the_setting_in_megabytes(
    session: Session, storage: MemoryStorage, course: Course, tmp_path: Path
) -> None:
    settings = load_settings(_environ(tmp_path, "image=1, pdf=2,"))
    limits = MediaLimits.from_settings(settings)
    assert (limits.image, limits.pdf, limits.audio, limits.video) == (
        1024**2,
        2 * 1024**2,
        100 * 1024**2,
        500 * 1024**2,
    )
    big_pdf = b"%PDF-1.4\n" + b"0" * (2 * 1024**2)
    with pytest.raises(TooLarge, match=r"^PDF files may be at most 2 MB; bài tập.pdf is larger\.$"):
        _upload(session, storage, course, "bài tập.pdf", big_pdf, limits)
    fits = _upload(session, storage, course, "bài tập.pdf", big_pdf[: 2 * 1024**2], limits)
    assert (fits.name, fits.content_type, fits.size) == ("bai-tap.pdf", "application/pdf", 2**21)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("image=10,movie=5", "categories: image, pdf, audio, video, captions"),
        ("image=ten", "image must be a whole number of MB"),
        ("video=0", "video must be from 1 to 2047 MB"),
        ("video=4096", "video must be from 1 to 2047 MB"),
        ("pdf=5,pdf=6", "names 'pdf' twice"),
        ("image", "is a list like"),
    ],
)
def test_a_bad_media_limits_setting_stops_start_up_with_a_clear_message(
    raw: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(_environ(tmp_path, raw))


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("Bài giảng: Phân số (1).PNG", "image/png", "bai-giang-phan-so-1.png"),
        ("ĐỒ THỊ vận tốc.svg", "image/svg+xml", "do-thi-van-toc.svg"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\fakepath\\Ảnh bìa.jpeg", "image/jpeg", "anh-bia.jpeg"),
        ("ảnh.jpg", "image/jpeg", "anh.jpg"),
        (".htaccess", "image/png", "file.png"),
        ("...hidden..name.gif", "image/gif", "hidden.name.gif"),
        ("bài 1 — tóm tắt.pdf", None, "bai-1-tom-tat.pdf"),
        ("漢字.webp", "image/webp", "file.webp"),
        ("x" * 300 + ".mp4", "video/mp4", "x" * 96 + ".mp4"),
    ],
)
def test_names_are_short_safe_ascii_with_the_real_extension(
    filename: str, content_type: str | None, expected: str
) -> None:
    name = sanitize_name(filename, content_type)
    assert name == expected
    assert MEDIA_NAME.match(name)


def test_replacing_media_shown_by_a_published_lecture_is_refused(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    asset = session.scalars(
        select(MediaAsset).where(MediaAsset.course_id == course.id, MediaAsset.name == "tia-so.svg")
    ).one()
    key, sha = asset.storage_key, asset.sha256
    assert media_in_use(session, course, "tia-so.svg") == [("Số tự nhiên và các phép tính", 1)]

    with pytest.raises(Conflict) as caught:
        _upload(session, storage, course, "tia-so.svg", SVG)
    assert caught.value.status == 409
    assert "Số tự nhiên và các phép tính (version 1)" in caught.value.message
    assert (asset.storage_key, asset.sha256) == (key, sha)
    assert storage.exists(key)


def test_uploading_the_same_bytes_again_changes_nothing(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    before = session.scalars(
        select(MediaAsset).where(MediaAsset.course_id == course.id, MediaAsset.name == "tia-so.svg")
    ).one()
    original = storage.open(before.storage_key).read()
    asset = _upload(session, storage, course, "tia-so.svg", original)
    assert (asset.id, asset.storage_key) == (before.id, before.storage_key)
    assert media_in_use(session, course, "tia-so.svg")


def test_deleting_media_in_use_is_refused_naming_the_lectures(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    with pytest.raises(Conflict) as caught:
        delete_media(session, storage, course, "tia-so.svg", None)
    assert "Số tự nhiên và các phép tính (version 1)" in caught.value.message
    assert "tia-so.svg" in [a.name for a in course_media(session, course)]
    with pytest.raises(NotFound):
        delete_media(session, storage, course, "khong-co.png", None)


def test_drafts_quizzes_and_the_cover_keep_media_from_deletion_not_replacement(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    first = _upload(session, storage, course, "hinh.png", png(10, 10))
    lecture = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == "phan-so")
    ).one()
    lecture.draft_source += "\n![Hình mới](media/hinh.png)\n"
    session.flush()
    assert media_in_use(session, course, "hinh.png") == []  # no published version shows it

    replaced = _upload(session, storage, course, "hinh.png", png(20, 10))
    assert replaced.id == first.id and (replaced.width, replaced.height) == (20, 10)
    with pytest.raises(Conflict, match=r"Phân số và các phép tính \(draft\)"):
        delete_media(session, storage, course, "hinh.png", None)

    lecture.draft_source = lecture.draft_source.replace("media/hinh.png", "media/khac.png")
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).one()
    quiz.questions[0].explanation += " ![Gợi ý](media/hinh.png)"
    session.flush()
    with pytest.raises(Conflict, match="the quiz Kiểm tra tổng hợp Toán lớp 6"):
        delete_media(session, storage, course, "hinh.png", None)

    quiz.questions[0].explanation = "Không có hình."
    course.cover_media = "hinh.png"
    with pytest.raises(Conflict, match="the course cover"):
        delete_media(session, storage, course, "hinh.png", None)
    course.cover_media = None
    delete_media(session, storage, course, "hinh.png", None)
    assert "hinh.png" not in [a.name for a in course_media(session, course)]


def test_names_that_only_start_alike_are_not_in_use(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    _upload(session, storage, course, "tia.svg", SVG)
    _upload(session, storage, course, "tia-so.svg.png", png())
    assert media_in_use(session, course, "tia.svg") == []
    assert media_in_use(session, course, "tia-so.svg.png") == []
    delete_media(session, storage, course, "tia.svg", None)
    assert "tia.svg" not in [a.name for a in course_media(session, course)]


def test_replaced_and_deleted_bytes_go_only_when_the_change_is_committed(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    old = _upload(session, storage, course, "so-do.png", png(8, 8))
    old_key = old.storage_key
    session.commit()

    new = _upload(session, storage, course, "so-do.png", png(16, 8))
    assert new.id == old.id and new.storage_key != old_key
    assert storage.exists(old_key)  # a rollback would still need the old bytes
    session.commit()
    assert not storage.exists(old_key)
    assert storage.exists(new.storage_key)

    new_key = new.storage_key
    delete_media(session, storage, course, "so-do.png", None)
    session.rollback()
    assert storage.exists(new_key)
    assert session.scalar(select(MediaAsset.id).where(MediaAsset.storage_key == new_key))

    delete_media(session, storage, course, "so-do.png", None)
    assert storage.exists(new_key)
    session.commit()
    assert not storage.exists(new_key)
    assert session.scalar(select(func.count()).where(MediaAsset.storage_key == new_key)) == 0


# --- delivery ----------------------------------------------------------------------------------


@pytest.fixture
def local_storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalStorage:
    store = LocalStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "mooc_storage", store)
    return store


def test_the_media_route_serves_local_files_inline_with_safe_headers(
    session: Session, client: FlaskClient, local_storage: LocalStorage, course: Course
) -> None:
    data = png(30, 20)
    asset = _upload(session, local_storage, course, "Hình 1.png", data)
    assert (local_storage.root / asset.storage_key).read_bytes() == data

    response = client.get(f"/courses/{course.slug}/media/{asset.name}")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == "inline; filename=hinh-1.png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()

    svg = _upload(session, local_storage, course, "ve.svg", SVG)
    response = client.get(f"/courses/{course.slug}/media/{svg.name}")
    assert response.mimetype == "image/svg+xml"
    # Shown by <img>, but opened on its own it is a download, not a page of this origin.
    assert response.headers["Content-Disposition"] == "attachment; filename=ve.svg"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_html_is_never_served_inline(
    session: Session, client: FlaskClient, local_storage: LocalStorage, course: Course
) -> None:
    # Uploads refuse HTML; a row from elsewhere (an old import, a hand edit) must still be safe.
    page = b"<html><script>document.cookie</script></html>"
    key = f"courses/{course.id}/legacy-page.html"
    local_storage.put(key, io.BytesIO(page), content_type="text/html")
    session.add(
        MediaAsset(
            course_id=course.id,
            name="page.html",
            storage_key=key,
            content_type="text/html",
            size=len(page),
            sha256=hashlib.sha256(page).hexdigest(),
        )
    )
    session.flush()

    response = client.get(f"/courses/{course.slug}/media/page.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_unknown_media_is_a_404(client: FlaskClient, local_storage: LocalStorage) -> None:
    assert client.get("/courses/toan-lop-6/media/khong-co.png").status_code == 404


def test_only_published_media_may_be_kept_by_shared_caches(
    session: Session, client: FlaskClient, local_storage: LocalStorage, course: Course
) -> None:
    teacher = make_user(session, (course.institution.slug, Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    asset = _upload(session, local_storage, course, "so-do-moi.png", png(12, 12))
    lecture = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == "phan-so")
    ).one()
    lecture.draft_source += "\n![Sơ đồ mới](media/so-do-moi.png)\n"
    session.flush()
    url = f"/courses/{course.slug}/media/{asset.name}"

    def caching(address: str) -> str:
        response = client.get(address)
        assert response.status_code == 200
        response.close()
        return response.headers.get("Cache-Control", "")

    # Shown only by a lecture's draft: the course is public, this file is not yet.
    assert "private" in caching(url) and "public" not in caching(url)
    # Published media of a published course keep their public caching.
    assert publish(session, teacher, lecture) is not None
    session.flush()
    assert caching(url) == "public, max-age=86400"
    # A course back in draft: its teachers still see its media, privately.
    course.status = CourseStatus.DRAFT
    session.commit()
    assert login(client, teacher.email, PASSWORD).status_code == 303
    assert "private" in caching(url) and "public" not in caching(url)
