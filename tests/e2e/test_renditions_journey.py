"""Renditions in the browser: a teacher uploads a video (the tests' own 320×240 clip with a
tone); until the transcode job has run, the library says it waits and the lecture plays the
original; after it, a visitor's player (data saver on) plays the 144p rendition and lists the
sizes with their megabytes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.authoring.services.renditions import TranscodeReport, run_transcodes
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.pages import log_in
from tests.e2e.serving import off_the_event_loop, serving
from tests.helpers import CONTENT, make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "teacher password 123"
TEACHER = "co-nga@example.org"
LESSON = Path(__file__).resolve().parents[1] / "data" / "media" / "lesson.mp4"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    tmp = tmp_path_factory.mktemp("e2e-renditions")
    built: list[Flask] = []

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'renditions.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url)
        application = create_app(
            settings=settings.with_overrides(storage_url=f"file://{tmp / 'media'}")
        )
        with application.app_context():
            import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
            teacher = register(db.session, email=TEACHER, password=PASSWORD, name="Cô Nga")
            grant_role(
                db.session, teacher, get_institution(db.session, "thcs-ba-dinh"), Role.TEACHER
            )
            db.session.commit()
        built.append(application)
        return application

    with serving(build) as url:
        yield url, built[0]


def _transcode(application: Flask) -> TranscodeReport:
    def run() -> TranscodeReport:
        with application.app_context():
            report = run_transcodes(db.session, application.extensions["mooc_storage"])
            db.session.close()
            return report

    return off_the_event_loop(run)


def test_a_visitor_with_data_saver_plays_the_144p_rendition(
    browser: Browser, server: tuple[str, Flask]
) -> None:
    base, application = server
    slug = f"bai-giang-video-{uuid.uuid4().hex[:6]}"
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, base, TEACHER, PASSWORD)
    page.goto(f"{base}/author/courses/new")
    page.get_by_label("Title").fill("Bài giảng có video")
    page.get_by_label("Address (letters, digits, hyphens)").fill(slug)
    page.get_by_label("Level", exact=True).select_option("k12")
    page.get_by_label("Grade (school courses)").fill("7")
    page.get_by_label("Subject").select_option("math")
    page.get_by_label("Description (Markdown)").fill("Một bài giảng quay lại.")
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("status")).to_contain_text("created as a draft")

    page.get_by_role("link", name="Media library").click()
    page.get_by_label("File (image, PDF, audio, video or WebVTT captions)").set_input_files(
        str(LESSON)
    )
    page.get_by_role("button", name="Upload").click()  # answers at once: nothing is transcoded
    expect(page.get_by_role("status")).to_contain_text("media/lesson.mp4")
    expect(page.locator("ul.renditions")).to_contain_text("144p: waiting for the transcode job")

    page.goto(f"{base}/author/courses/{slug}")
    page.get_by_label("New lecture title").first.fill("Bài giảng quay lại")
    page.get_by_role("button", name="Add lecture").first.click()
    page.get_by_label("Lecture text (Markdown; $math$ and $$display math$$)").fill(
        "## Bài giảng\n\n![Bài giảng quay lại](media/lesson.mp4)\n"
    )
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".flashes")).to_contain_text("Published as version 1")
    page.goto(f"{base}/author/courses/{slug}")
    page.get_by_role("button", name="Publish the course").click()
    expect(page.get_by_role("status")).to_contain_text("The course is published")

    visitor = browser.new_context(locale="en-US").new_page()
    visitor.goto(f"{base}/courses/{slug}")
    visitor.get_by_role("link", name="Read the first lecture for free").click()
    lecture_url = visitor.url
    video = visitor.locator("article.lecture video")
    expect(video).to_be_visible()
    expect(visitor.locator(".renditions")).to_have_count(0)  # the original plays meanwhile

    report = _transcode(application)
    assert report.made >= 2 and report.failed == 0
    page.goto(f"{base}/author/courses/{slug}/media")
    expect(page.locator("ul.renditions")).to_contain_text("144p: ready")
    expect(page.locator("ul.renditions")).to_contain_text("audio: ready")

    visitor.goto(lecture_url)
    sizes = visitor.locator("article.lecture .renditions")
    expect(sizes).to_contain_text("Sizes: 144p (")
    expect(sizes.get_by_role("link", name="audio only")).to_have_attribute(
        "href", f"/courses/{slug}/media/lesson.mp4/audio"
    )
    video.evaluate("v => { v.muted = true; return v.play(); }")
    visitor.wait_for_function(
        "() => document.querySelector('article.lecture video').currentTime > 0.2", timeout=10_000
    )
    playing = video.evaluate("v => [v.currentSrc, v.videoWidth, v.videoHeight]")
    assert playing == [f"{base}/courses/{slug}/media/lesson.mp4/144p", 192, 144]
