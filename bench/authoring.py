"""Authoring figures: render time per seed lecture (cold render vs. the cached, stored HTML)
and media upload throughput to local files and to an S3-compatible server (moto_server).

    .venv/bin/python bench/authoring.py [--upload-mb 64]
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _setup import build
from sqlalchemy import select

from mooc.authoring.services import media
from mooc.catalog.models import Course, Lecture, LectureVersion
from mooc.extensions import db
from mooc.markup import render_markdown
from mooc.storage import open_storage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def render_figures(app) -> None:  # type: ignore[no-untyped-def]
    print(f"{'lecture':58} {'cold ms':>8} {'cached ms':>9} {'KB html':>8}")
    with app.app_context():
        rows = db.session.execute(
            select(Course.slug, Lecture.slug, LectureVersion.id, LectureVersion.source)
            .join(Lecture, Lecture.course_id == Course.id)
            .join(LectureVersion, LectureVersion.id == Lecture.published_version_id)
            .order_by(Course.slug, Lecture.slug)
        ).all()
        colds, caches = [], []
        for course, lecture, version_id, source in rows:
            cold = timed(lambda source=source: render_markdown(source), 5)

            def cached(version_id: int = version_id) -> str:
                db.session.expire_all()
                return db.session.get(LectureVersion, version_id).html  # type: ignore[union-attr]

            warm = timed(cached, 20)
            size = len(render_markdown(source).html.encode()) / 1024
            colds.append(cold)
            caches.append(warm)
            print(f"{course + '/' + lecture:58} {cold:8.2f} {warm:9.3f} {size:8.1f}")
        print(
            f"{len(rows)} lectures: cold render median {statistics.median(colds):.2f} ms, "
            f"cached (stored HTML) median {statistics.median(caches):.3f} ms "
            f"→ {statistics.median(colds) / statistics.median(caches):.0f}× faster"
        )


def upload_figure(app, label: str, storage, megabytes: int) -> None:  # type: ignore[no-untyped-def]
    data = bytes(20) + os.urandom(megabytes * 1024 * 1024)
    # An MP4 "ftyp" header so content sniffing accepts the bytes as video.
    payload = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + data
    limits = media.MediaLimits.from_megabytes({"video": megabytes + 1})
    with app.app_context():
        course = db.session.scalars(select(Course).order_by(Course.id)).first()
        start = time.perf_counter()
        media.upload_media(
            db.session,
            storage,
            course,
            "bench.mp4",
            io.BytesIO(payload),
            limits=limits,
            actor_id=None,
        )
        db.session.commit()
        seconds = time.perf_counter() - start
    print(f"upload {label:6} {megabytes} MiB in {seconds:.2f} s = {megabytes / seconds:.1f} MiB/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upload-mb", type=int, default=64)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-"))
    app = build(tmp, f"sqlite:///{tmp / 'bench.sqlite3'}", students=0)
    render_figures(app)
    upload_figure(app, "local", open_storage(f"file://{tmp / 'media'}"), args.upload_mb)

    port = free_port()
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        s3 = open_storage("s3://bench-media", endpoint_url=endpoint)
        s3.client.create_bucket(Bucket="bench-media")  # type: ignore[attr-defined]
        upload_figure(app, "s3", s3, args.upload_mb)
    finally:
        moto.terminate()
        moto.wait(10)


if __name__ == "__main__":
    main()
