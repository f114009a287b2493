"""Audio and video in lectures: clips, posters and WebVTT captions go into a course's library by
their bytes (with size limits), become players with caption tracks and a transcript, and are
delivered with HTTP range requests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.authoring.packages.exporting import export_zip
from mooc.authoring.packages.zipfiles import import_zip
from mooc.authoring.services.lectures import publish
from mooc.authoring.services.media import MediaLimits, delete_media, upload_media
from mooc.catalog.models import Course, Lecture, MediaAsset
from mooc.catalog.services import assign_teacher
from mooc.errors import Conflict, Invalid, TooLarge
from mooc.learning import services as learning
from mooc.storage import Storage
from mooc.storage.local import LocalStorage
from mooc.storage.memory import MemoryStorage
from tests.factories import PASSWORD, make_user, seed_course
from tests.helpers import CONTENT, csrf_from, login

MEDIA = Path(__file__).resolve().parents[2] / "data" / "media"
EN = {"Accept-Language": "en"}
VTT_VI = "WEBVTT\n\n00:00.000 --> 00:01.000\nXin chào <b>các em</b> & <i>ba mẹ</i>\n".encode()
VTT_EN = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello &lt;everyone&gt;\n"
BROKEN_VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nOne\n\n00:01,000 --> 00:02,000\nTwo\n"


@pytest.fixture
def english(session: Session) -> Iterator[None]:
    with force_locale("en"):
        yield


@pytest.fixture
def course(session: Session, english: None) -> Course:
    return seed_course(session, "toan-lop-6")


@pytest.fixture
def storage(app: Flask) -> MemoryStorage:
    store = app.extensions["mooc_storage"]
    assert isinstance(store, MemoryStorage)
    return store


def _upload(
    session: Session, storage: Storage, course: Course, name: str, data: bytes, **limits: int
) -> MediaAsset:
    return upload_media(
        session,
        storage,
        course,
        name,
        io.BytesIO(data),
        limits=MediaLimits(**limits),
        actor_id=None,
    )


def _poster() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 90), "#246").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("file", "sent_as", "content_type", "stored_as"),
    [
        ("clip.mp4", "Bài 1.MP4", "video/mp4", "bai-1.mp4"),
        ("clip.webm", "clip.webm", "video/webm", "clip.webm"),
        ("tone.mp3", "tone.mp3", "audio/mpeg", "tone.mp3"),
        ("tone.m4a", "tone.m4a", "audio/mp4", "tone.m4a"),
        ("tone.ogg", "tone.ogg", "audio/ogg", "tone.ogg"),
        ("clip.mp4", "clip.mov", "video/mp4", "clip.mp4"),  # the bytes decide, not the name
    ],
)
def test_audio_and_video_are_accepted_by_their_bytes(
    session: Session,
    storage: MemoryStorage,
    course: Course,
    file: str,
    sent_as: str,
    content_type: str,
    stored_as: str,
) -> None:
    data = (MEDIA / file).read_bytes()
    asset = _upload(session, storage, course, sent_as, data)
    assert (asset.name, asset.content_type, asset.size) == (stored_as, content_type, len(data))
    video = content_type.startswith("video/")
    assert (asset.width, asset.height) == ((160, 90) if video else (None, None))
    with storage.open(asset.storage_key) as stored:
        assert stored.read() == data


def test_clips_and_captions_over_their_limits_are_too_large(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    clip = (MEDIA / "clip.mp4").read_bytes()
    with pytest.raises(TooLarge) as caught:
        _upload(session, storage, course, "clip.mp4", clip, video=1024)
    assert caught.value.status == 413
    assert caught.value.message == "Videos may be at most 1 KB; clip.mp4 is larger."
    with pytest.raises(TooLarge, match=r"^Audio files may be at most 1 KB; tone.ogg is larger\.$"):
        _upload(session, storage, course, "tone.ogg", (MEDIA / "tone.ogg").read_bytes(), audio=1024)
    long_captions = VTT_EN + b"\n00:02.000 --> 00:03.000\n" + b"x" * 2048 + b"\n"
    with pytest.raises(TooLarge, match=r"^Caption files may be at most 1 KB; long.vtt is larger"):
        _upload(session, storage, course, "long.vtt", long_captions, captions=1024)


def test_malformed_captions_are_refused_with_the_line_and_nothing_is_stored(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    before = dict(storage.objects)
    with pytest.raises(Invalid) as caught:
        _upload(session, storage, course, "clip.vi.vtt", BROKEN_VTT)
    assert caught.value.status == 422
    assert caught.value.message.startswith(
        "clip.vi.vtt cannot be uploaded (malformed WebVTT captions, line 6: the timing line is "
        "not like 00:01.000 --> 00:04.000"
    )
    assert storage.objects == before
    good = _upload(session, storage, course, "Clip.VI.vtt", VTT_VI)
    assert (good.name, good.content_type) == ("clip.vi.vtt", "text/vtt")


def test_the_library_page_answers_a_malformed_caption_file_with_422(
    session: Session, client: FlaskClient
) -> None:
    course = seed_course(session, "toan-lop-6")
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="co-mai@example.test")
    assign_teacher(session, course, teacher.id)
    session.commit()
    login(client, "co-mai@example.test", PASSWORD)
    library = f"/author/courses/{course.slug}/media"

    def post(name: str, data: bytes) -> tuple[int, str]:
        response = client.post(
            library,
            data={"csrf_token": csrf_from(client, library), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
            headers=EN,
        )
        return response.status_code, response.get_data(as_text=True)

    status, page = post("phu-de.vi.vtt", BROKEN_VTT)
    assert status == 422
    assert "malformed WebVTT captions, line 6" in page
    assert post("phu-de.vi.vtt", VTT_VI)[0] == 303
    listing = client.get(library, headers=EN).get_data(as_text=True)
    assert "phu-de.vi.vtt" in listing
    assert "Captions: the player of the clip with the same name shows them" in listing


def test_a_package_with_malformed_captions_is_refused_and_changes_nothing(
    session: Session, storage: MemoryStorage, english: None
) -> None:
    course = seed_course(session, "vat-ly-lop-10")
    with export_zip(session, storage, course) as data, zipfile.ZipFile(data) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    captions = "vat-ly-lop-10/media/chuyen-dong-thang-deu.vi.vtt"
    assert entries[captions].startswith(b"WEBVTT")  # the seed's captions travel with the course
    entries[captions] = entries[captions].replace(b"00:02.500 -->", b"00:02.5 -->", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    versions = session.scalars(select(Lecture.published_version_id)).all()
    with pytest.raises(Invalid) as caught:
        import_zip(session, storage, out.getvalue(), actor_id=None, user=None)
    assert caught.value.status == 422
    assert "chuyen-dong-thang-deu.vi.vtt: malformed WebVTT captions, line 6" in (
        caught.value.message
    )
    assert session.scalars(select(Lecture.published_version_id)).all() == versions


def test_a_published_clip_plays_with_poster_captions_and_transcript_and_keeps_them(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    _upload(session, storage, course, "thi-nghiem.mp4", (MEDIA / "clip.mp4").read_bytes())
    _upload(session, storage, course, "thi-nghiem.png", _poster())
    _upload(session, storage, course, "thi-nghiem.vi.vtt", VTT_VI)
    _upload(session, storage, course, "thi-nghiem.en.vtt", VTT_EN)
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).first()
    assert lecture is not None
    lecture.draft_source = "## Thí nghiệm\n\n![Thí nghiệm đo thời gian](media/thi-nghiem.mp4)\n"
    version = publish(session, teacher, lecture, storage)
    assert version is not None
    html = version.html
    base = f"/courses/{course.slug}/media/thi-nghiem"
    assert re.search(
        rf'<video class="player" controls height="90" poster="{base}.png" preload="none" '
        r'width="160">',
        html,
    )
    assert f'<source src="{base}.mp4" type="video/mp4">' in html
    assert (
        f'<track default="" kind="captions" label="Tiếng Việt" src="{base}.vi.vtt" srclang="vi">'
    ) in html
    assert f'<track kind="captions" label="English" src="{base}.en.vtt" srclang="en">' in html
    # the course is Vietnamese: its transcript comes first, in its words, escaped
    assert '<details class="transcript" lang="vi"><summary>Bản ghi lời (Tiếng Việt)' in html
    assert "Xin chào các em &amp; ba mẹ</p>" in html
    assert "Hello &lt;everyone&gt;</p>" in html
    assert "<b>" not in html

    # What the player shows cannot be replaced or deleted underneath the published version.
    with pytest.raises(Conflict, match="shown by published lectures"):
        _upload(session, storage, course, "thi-nghiem.vi.vtt", VTT_EN)
    with pytest.raises(Conflict, match="still used by"):
        delete_media(session, storage, course, "thi-nghiem.png", None)


# --- delivery ----------------------------------------------------------------------------------


@pytest.fixture
def local_storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalStorage:
    store = LocalStorage(tmp_path / "media")
    monkeypatch.setitem(app.extensions, "mooc_storage", store)
    return store


def test_local_media_answers_range_requests_with_exactly_those_bytes(
    session: Session, client: FlaskClient, local_storage: LocalStorage, course: Course
) -> None:
    data = (MEDIA / "clip.webm").read_bytes()
    _upload(session, local_storage, course, "clip.webm", data)
    _upload(session, local_storage, course, "clip.vi.vtt", VTT_VI)
    session.commit()
    url = f"/courses/{course.slug}/media/clip.webm"

    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.mimetype == "video/webm"
    whole.close()

    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.get_data() == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part.headers["Content-Length"] == "100"
    assert part.mimetype == "video/webm"
    assert part.headers["Content-Disposition"] == "inline; filename=clip.webm"
    part.close()

    tail = client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert (tail.status_code, tail.get_data()) == (206, data[-10:])
    tail.close()
    beyond = client.get(url, headers={"Range": f"bytes={len(data) + 5}-"})
    assert beyond.status_code == 416
    beyond.close()

    captions = client.get(f"/courses/{course.slug}/media/clip.vi.vtt")
    assert captions.status_code == 200
    assert captions.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert captions.get_data() == VTT_VI
    captions.close()


def test_the_seed_video_lecture_plays_with_captions_in_the_readers_language(
    session: Session, client: FlaskClient
) -> None:
    course = seed_course(session, "vat-ly-lop-10")
    pupil = make_user(session, email="hoc-sinh@example.test")
    learning.enrol(session, pupil, course)
    session.commit()
    login(client, "hoc-sinh@example.test", PASSWORD)
    url = "/courses/vat-ly-lop-10/lectures/xem-chuyen-dong-thang-deu"
    page = client.get(url, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    base = "/courses/vat-ly-lop-10/media/chuyen-dong-thang-deu"
    assert f'poster="{base}.jpg"' in page and 'width="320"' in page and 'height="180"' in page
    assert '<track default="" kind="captions" label="Tiếng Việt"' in page
    assert "Cứ mỗi giây, vật dời thêm đúng một vạch, tức là 1 m." in page
    english = client.get(url, headers=EN).get_data(as_text=True)
    assert '<track default="" kind="captions" label="English"' in english
    assert english.count('default=""') == 1
    assert (CONTENT / "vat-ly-lop-10" / "media" / "chuyen-dong-thang-deu.mp4").stat().st_size < (
        200 * 1024
    )


def test_captions_uploaded_after_publishing_make_a_new_version_of_the_same_text(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    assign_teacher(session, course, teacher.id)
    _upload(session, storage, course, "bai-nghe.mp3", (MEDIA / "tone.mp3").read_bytes())
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).first()
    assert lecture is not None
    lecture.draft_source = "![Bài nghe](media/bai-nghe.mp3)\n"
    first = publish(session, teacher, lecture, storage)
    assert first is not None and "<track" not in first.html
    assert publish(session, teacher, lecture, storage) is None  # nothing new to show

    _upload(session, storage, course, "bai-nghe.vi.vtt", VTT_VI)
    second = publish(session, teacher, lecture, storage)
    assert second is not None and second.number == first.number + 1
    assert second.sha256 == first.sha256  # the same text, now with its captions
    assert '<audio class="player" controls preload="none">' in second.html
    assert 'src="/courses/toan-lop-6/media/bai-nghe.vi.vtt" srclang="vi"' in second.html
    assert "Xin chào các em &amp; ba mẹ" in second.html


@pytest.mark.parametrize(
    ("file", "content_type"),
    [
        ("clip.mp4", "video/mp4"),
        ("clip.webm", "video/webm"),
        ("tone.mp3", "audio/mpeg"),
        ("tone.m4a", "audio/mp4"),
        ("tone.ogg", "audio/ogg"),
    ],
)
def test_each_kind_of_clip_is_served_in_ranges_with_its_own_type(
    session: Session,
    client: FlaskClient,
    local_storage: LocalStorage,
    course: Course,
    file: str,
    content_type: str,
) -> None:
    data = (MEDIA / file).read_bytes()
    asset = _upload(session, local_storage, course, file, data)
    session.commit()
    response = client.get(
        f"/courses/{course.slug}/media/{asset.name}", headers={"Range": "bytes=0-9"}
    )
    assert (response.status_code, response.mimetype) == (206, content_type)
    assert response.get_data() == data[:10]
    assert response.headers["Content-Disposition"] == f"inline; filename={asset.name}"
    response.close()
