"""Low-bandwidth renditions of course videos: queued at upload without waiting, made by the
transcode job on a real clip (`tests/data/media/lesson.mp4`: 320×240 with a tone, 2 s), one job
per rendition at a time, retried after a killed job, failures kept for the teacher."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import av
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.authoring.services.lectures import publish
from mooc.authoring.services.media import MediaLimits, delete_media, upload_media
from mooc.authoring.services.renditions import LEASE, claim_next, run_transcodes
from mooc.catalog.core.renditions import MAX_ATTEMPTS
from mooc.catalog.models import Course, Lecture, MediaAsset, MediaRendition, RenditionStatus
from mooc.catalog.services import assign_teacher
from mooc.db import utcnow
from mooc.learning import services as learning
from mooc.storage.memory import MemoryStorage
from tests.factories import PASSWORD, make_user, seed_course
from tests.helpers import csrf_from, login

EN = {"Accept-Language": "en"}
MEDIA = Path(__file__).resolve().parents[2] / "data" / "media"
LESSON = (MEDIA / "lesson.mp4").read_bytes()


@pytest.fixture
def course(session: Session) -> Course:
    return seed_course(session, "toan-lop-6")


@pytest.fixture
def storage(app: Flask) -> MemoryStorage:
    store = app.extensions["mooc_storage"]
    assert isinstance(store, MemoryStorage)
    return store


def _upload(session: Session, storage: MemoryStorage, course: Course, name: str, data: bytes):  # type: ignore[no-untyped-def]
    asset = upload_media(
        session, storage, course, name, io.BytesIO(data), limits=MediaLimits(), actor_id=None
    )
    session.commit()
    return asset


def _renditions(session: Session, asset: MediaAsset) -> dict[str, MediaRendition]:
    rows = session.scalars(select(MediaRendition).where(MediaRendition.asset_id == asset.id))
    return {row.label: row for row in rows}


def _only(session: Session, asset: MediaAsset) -> None:
    """Leave only `asset`'s renditions queued (the seed course's clip has its own)."""
    for row in session.scalars(
        select(MediaRendition).where(MediaRendition.asset_id != asset.id)
    ).all():
        session.delete(row)
    session.commit()


def test_an_upload_queues_renditions_and_does_not_transcode(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    asset = _upload(session, storage, course, "lesson.mp4", LESSON)
    rows = _renditions(session, asset)
    assert sorted(rows) == ["144p", "audio"]  # 240 lines: no 360p, nothing is upscaled
    assert {row.status for row in rows.values()} == {RenditionStatus.PENDING}
    assert all(row.storage_key is None for row in rows.values())
    assert not any("/renditions/" in key for key in storage.objects)


def test_a_package_import_queues_its_videos_renditions(session: Session) -> None:
    course = seed_course(session, "vat-ly-lop-10")
    clip = session.scalars(
        select(MediaAsset).where(
            MediaAsset.course_id == course.id, MediaAsset.name == "chuyen-dong-thang-deu.mp4"
        )
    ).one()
    rows = _renditions(session, clip)
    assert sorted(rows) == ["144p", "audio"]  # 320×180 in its headers
    assert {row.status for row in rows.values()} == {RenditionStatus.PENDING}
    poster = session.scalars(
        select(MediaAsset).where(
            MediaAsset.course_id == course.id, MediaAsset.name == "chuyen-dong-thang-deu.jpg"
        )
    ).one()
    assert _renditions(session, poster) == {}


def test_the_job_makes_small_h264_and_aac_renditions_beside_the_original(
    session: Session, storage: MemoryStorage, course: Course, tmp_path: Path
) -> None:
    asset = _upload(session, storage, course, "lesson.mp4", LESSON)
    _only(session, asset)
    report = run_transcodes(session, storage)
    assert (report.made, report.failed) == (2, 0)
    rows = _renditions(session, asset)
    video, audio = rows["144p"], rows["audio"]
    assert video.status == audio.status == RenditionStatus.READY
    assert (video.width, video.height, video.content_type) == (192, 144, "video/mp4")
    assert (audio.width, audio.height, audio.content_type) == (None, None, "audio/mp4")
    assert video.storage_key is not None and audio.storage_key is not None
    assert video.storage_key.startswith(f"courses/{course.id}/renditions/")
    assert audio.storage_key.endswith("-lesson-audio.m4a")
    for row in (video, audio):
        data, content_type = storage.objects[row.storage_key or ""]
        assert len(data) == row.size and content_type == row.content_type
        assert row.size is not None and row.size < asset.size
        assert row.bitrate is not None and row.bitrate < 130_000
    path = tmp_path / "144p.mp4"
    path.write_bytes(storage.objects[video.storage_key][0])
    with av.open(str(path)) as clip:
        kinds = {(s.type, s.codec_context.name) for s in clip.streams}
        assert kinds == {("video", "h264"), ("audio", "aac")}
        assert clip.streams.audio[0].codec_context.layout.name == "mono"
    assert run_transcodes(session, storage).made == 0  # nothing left to do


def test_two_jobs_never_take_the_same_rendition_and_a_killed_one_is_retried(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    asset = _upload(session, storage, course, "lesson.mp4", LESSON)
    _only(session, asset)
    now = utcnow()
    first, second = claim_next(session, now), claim_next(session, now)
    session.commit()
    assert first is not None and second is not None and first.id != second.id
    assert claim_next(session, now) is None  # both leased
    # The job holding `first` dies: after the lease it is claimed again, up to MAX_ATTEMPTS.
    later = now + LEASE + dt.timedelta(seconds=1)
    again = claim_next(session, later)
    assert again is not None and again.id == first.id
    assert claim_next(session, later) is not None  # the other one's job died too
    for _attempt in range(3, MAX_ATTEMPTS + 1):
        later += LEASE + dt.timedelta(seconds=1)
        assert claim_next(session, later) is not None
        assert claim_next(session, later) is not None
    later += LEASE + dt.timedelta(seconds=1)
    assert claim_next(session, later) is None  # both have been killed MAX_ATTEMPTS times
    session.commit()
    rows = _renditions(session, asset)
    assert {row.status for row in rows.values()} == {RenditionStatus.FAILED}
    assert "given up" in (rows["144p"].error or "")


def test_an_unreadable_video_fails_with_its_reason(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    broken = LESSON[:32] + bytes(range(256)) * 20  # an MP4's first box, then noise
    asset = _upload(session, storage, course, "broken.mp4", broken)
    _only(session, asset)
    report = run_transcodes(session, storage)
    assert report.failed >= 1 and report.made == 0
    failed = [r for r in _renditions(session, asset).values() if r.status == RenditionStatus.FAILED]
    assert failed and all(row.error for row in failed)
    assert all(row.storage_key is None for row in failed)


def test_replacing_or_deleting_a_video_removes_its_renditions(
    session: Session, storage: MemoryStorage, course: Course
) -> None:
    asset = _upload(session, storage, course, "lesson.mp4", LESSON)
    _only(session, asset)
    run_transcodes(session, storage)
    old_keys = {row.storage_key for row in _renditions(session, asset).values()}
    assert all(key in storage.objects for key in old_keys)
    seed_clip = (MEDIA / "clip.mp4").read_bytes()  # 160×90, silent: nothing worth making
    _upload(session, storage, course, "lesson.mp4", seed_clip + b"")
    assert not any(key in storage.objects for key in old_keys)
    assert sorted(_renditions(session, asset)) == ["audio"]  # queued; the job will drop it
    assert run_transcodes(session, storage).not_needed == 1
    assert _renditions(session, asset) == {}
    other = _upload(session, storage, course, "other.mp4", LESSON)
    _only(session, other)
    run_transcodes(session, storage)
    keys = {row.storage_key for row in _renditions(session, other).values()}
    delete_media(session, storage, course, "other.mp4", None)
    session.commit()
    assert keys and not any(key in storage.objects for key in keys)


# --- the player and the data saver setting ------------------------------------------------------


def _video_lecture(session: Session, storage: MemoryStorage, name: str, data: bytes) -> str:
    """A lecture of the seed physics course showing `name`, read by an enrolled pupil; its URL."""
    course = seed_course(session, "vat-ly-lop-10")
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="co-lan@example.test")
    assign_teacher(session, course, teacher.id)
    _upload(session, storage, course, name, data)
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).first()
    assert lecture is not None
    lecture.draft_source = f"## Bài giảng\n\n![Bài giảng quay lại](media/{name})\n"
    assert publish(session, teacher, lecture, storage) is not None
    pupil = make_user(session, email="hoc-sinh@example.test")
    learning.enrol(session, pupil, course)
    session.commit()
    return f"/courses/{course.slug}/lectures/{lecture.slug}"


def _sources(page: str) -> list[str]:
    return re.findall(r'<source src="([^"]+)"', page)


def test_the_player_offers_the_renditions_and_data_saver_plays_the_smallest(
    session: Session, client: FlaskClient, storage: MemoryStorage
) -> None:
    url = _video_lecture(session, storage, "bai-giang.mp4", LESSON)
    base = "/courses/vat-ly-lop-10/media/bai-giang.mp4"
    login(client, "hoc-sinh@example.test", PASSWORD)
    before = client.get(url, headers=EN).get_data(as_text=True)
    assert _sources(before) == [base]  # until the job has run, the original plays
    assert 'class="renditions"' not in before

    run_transcodes(session, storage)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert _sources(page) == [f"{base}/144p", base]  # data saver is on by default
    sizes = re.search(r'<span class="renditions">(.*?)</span>', page)
    assert sizes is not None
    links = re.findall(r'<a href="([^"]+)" type="([^"]+)">([^<]+)</a>', sizes.group(1))
    assert [(href, label.split(" (")[0]) for href, _type, label in links] == [
        (f"{base}/144p", "144p"),
        (base, "original"),
        (f"{base}/audio", "audio only"),
    ]
    assert all(re.search(r"\(\d+\.\d MB\)$", label) for _href, _type, label in links)
    vietnamese = client.get(url, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert re.search(r"Các cỡ: <a [^>]+>144p \(0,\d MB\)</a>, <a [^>]+>bản gốc \(", vietnamese)

    pupil = session.scalars(select(User).where(User.email == "hoc-sinh@example.test")).one()
    pupil.data_saver = False
    session.commit()
    assert _sources(client.get(url, headers=EN).get_data(as_text=True)) == [base, f"{base}/144p"]

    part = client.get(f"{base}/144p", headers={"Range": "bytes=0-99"})
    assert (part.status_code, part.mimetype, len(part.get_data())) == (206, "video/mp4", 100)
    assert part.headers["Content-Disposition"] == "inline; filename=bai-giang-144p.mp4"
    part.close()
    assert client.get(f"{base}/360p").status_code == 404  # 240 lines: never made


def test_a_failed_transcode_shows_the_teacher_why_and_the_pupil_the_original(
    session: Session, client: FlaskClient, storage: MemoryStorage
) -> None:
    url = _video_lecture(session, storage, "hong.mp4", LESSON[:32] + bytes(range(256)) * 20)
    run_transcodes(session, storage)
    login(client, "hoc-sinh@example.test", PASSWORD)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert _sources(page) == ["/courses/vat-ly-lop-10/media/hong.mp4"]
    assert "failed" not in page and 'class="renditions"' not in page
    client.post("/logout", data={"csrf_token": csrf_from(client, url)})
    login(client, "co-lan@example.test", PASSWORD)
    library = client.get("/author/courses/vat-ly-lop-10/media", headers=EN).get_data(as_text=True)
    assert re.search(r"144p: <strong class=\"error\">failed</strong>: \w+", library)


def test_the_data_saver_is_a_setting_of_the_account(session: Session, client: FlaskClient) -> None:
    user = make_user(session, email="hoc-sinh@example.test")
    session.commit()
    assert user.data_saver is True
    login(client, "hoc-sinh@example.test", PASSWORD)
    form = client.get("/account", headers=EN).get_data(as_text=True)
    checkbox = re.search(r'<input [^>]*name="data_saver"[^>]*>', form)
    assert checkbox is not None and " checked " in checkbox.group(0)
    assert 'type="checkbox"' in checkbox.group(0)
    token = csrf_from(client, "/account")
    saved = client.post(
        "/account",
        data={"csrf_token": token, "name": "Học Sinh", "locale": "", "timezone": ""},
        headers=EN,
    )
    assert saved.status_code == 303
    session.refresh(user)
    assert user.data_saver is False
