"""Issue #11 journey, with the service worker on: a pupil downloads a course, goes offline
(`context.set_offline(True)`), reads every lecture, marks two done, takes the quiz available
offline, reloads while offline, meets the offline page for what was not downloaded, comes back
online and syncs; the server has the progress, the graded attempt and the completion; replaying
the batch changes nothing; logging out clears the device. Runs on its own server."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from mooc.assessment.models import Quiz
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.offline.models import OfflineQuiz
from tests.e2e.serving import serving, write_files
from tests.helpers import make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
SLUG = "chu-vi"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    '<rect x="10" y="10" width="180" height="80" fill="none" stroke="#222" stroke-width="4"/>'
    "</svg>\n"
)

COURSE = {
    "institutions.yaml": """\
        - slug: th-offline
          name: Trường Tiểu học Vùng Cao
          kind: school
        """,
    f"{SLUG}/course.md": f"""\
        ---
        slug: {SLUG}
        title: Chu vi hình chữ nhật
        institution: th-offline
        language: vi
        level: k12
        grade: 3
        subject: math
        pass_mark: 50
        sections:
          - title: Bài học
            items:
              - lecture: hinh-chu-nhat
              - lecture: chu-vi
              - quiz: kiem-tra
        ---
        Học ở nhà, không cần mạng.
        """,
    f"{SLUG}/lectures/hinh-chu-nhat.md": """\
        ---
        title: Hình chữ nhật
        minutes: 5
        ---
        Hình chữ nhật có bốn góc vuông.

        ![Một hình chữ nhật](media/hcn.svg)
        """,
    f"{SLUG}/lectures/chu-vi.md": """\
        ---
        title: Chu vi
        minutes: 5
        ---
        Chu vi bằng hai lần tổng chiều dài và chiều rộng.
        """,
    f"{SLUG}/media/hcn.svg": SVG,
    f"{SLUG}/quizzes/kiem-tra.yaml": """\
        title: Kiểm tra chu vi
        pass_mark: 50
        max_attempts: 3
        reveal: after_each
        questions:
          - type: single
            prompt: "Hình chữ nhật 2 × 3 có chu vi bao nhiêu?"
            options:
              - text: "6"
              - text: "10"
                correct: true
            explanation: "P = (2 + 3) × 2 = 10."
          - type: numeric
            prompt: "Hình chữ nhật 4 × 5 có chu vi bao nhiêu?"
            answer: 18
            explanation: "P = (4 + 5) × 2 = 18."
        """,
}


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    yield from serve_course(tmp_path_factory)


def serve_course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The course, its quiz available offline, on a server and SQLite file of its own: yields
    the base URL and the file (the dead-link journey serves it too)."""
    tmp = tmp_path_factory.mktemp("e2e-offline")
    content = write_files(tmp / "content", COURSE)
    database = tmp / "offline.sqlite3"

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{database}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            storage = application.extensions["mooc_storage"]
            import_tree(db.session, storage, load_tree(Path(content)))
            quiz = db.session.scalars(select(Quiz).where(Quiz.slug == "kiem-tra")).one()
            db.session.add(OfflineQuiz(quiz_id=quiz.id))  # the teacher made it available offline
            db.session.commit()
        return application

    with serving(build) as url:
        yield url, database


def _register(page: Page, base: str) -> str:
    email = f"pupil-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill("Sùng Thị Mai")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    return email


def _rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql, params).fetchall()


def _eventually(database: Path, sql: str, expected: list[tuple[Any, ...]]) -> None:
    """The server's rows become `expected` within a few seconds (a sync may be under way)."""
    for _ in range(50):
        if _rows(database, sql) == expected:
            return
        time.sleep(0.1)
    assert _rows(database, sql) == expected


def _mooc_caches(page: Page) -> list[str]:
    names: list[str] = page.evaluate("caches.keys()")
    return [n for n in names if n.startswith("mooc-u")]


def _queue_length(page: Page) -> int:
    return int(
        page.evaluate(
            "(async () => (await moocOffline.queued(await moocOffline.currentUser())).length)()"
        )
    )


def _started(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-offline-started", "true")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(locale="en-US", service_workers="allow")
    yield made
    made.close()


def test_a_course_downloaded_is_studied_offline_and_synced(
    context: BrowserContext, offline_server: tuple[str, Path]
) -> None:
    base, database = offline_server
    page = context.new_page()
    email = _register(page, base)
    page.goto(f"{base}/courses/{SLUG}")
    page.get_by_role("button", name="Enrol for free").click()
    page.goto(f"{base}/courses/{SLUG}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # 1-2. The download control shows the size before downloading, then the ready state.
    control = page.locator('[data-offline="download"]')
    expect(control).to_be_visible()
    expect(control).to_contain_text("Download for offline")
    expect(control).to_contain_text("MB")
    control.click()
    course = page.locator("article.course")
    expect(course).to_have_attribute("data-offline-state", "ready")
    expect(page.locator("[data-offline-ready]")).to_contain_text("Downloaded")
    # Ready: no download bar left at any percentage, and the one bar shown says it is the
    # course's progress (a bare "0 %" above "Downloaded" read as a download that never ran).
    expect(page.locator("[data-offline-progress]")).to_be_hidden()
    expect(page.locator("[data-offline-control] progress")).to_have_count(1)
    expect(page.locator("[data-offline-control] progress:visible")).to_have_count(0)
    expect(page.locator("progress:visible")).to_have_count(1)
    expect(page.get_by_role("progressbar", name="Course progress")).to_be_visible()
    expect(page.locator(".enrolment .progress")).to_contain_text("Course progress")
    page.reload()  # and so when the page opens on a course already downloaded
    expect(course).to_have_attribute("data-offline-state", "ready")
    expect(page.locator("[data-offline-progress]")).to_be_hidden()
    expect(page.locator("progress:visible")).to_have_count(1)
    # The menu leads to My offline courses, where the download is listed.
    page.locator("header.site .menu-wide").get_by_role("link", name="My offline courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My offline courses")
    expect(page.locator("[data-offline-list]")).to_contain_text("Chu vi hình chữ nhật")
    page.goto(f"{base}/courses/{SLUG}")
    parts = page.evaluate(
        "(async () => (await moocOffline.downloads(await moocOffline.currentUser()))[0].parts)()"
    )
    assert {p["kind"] for p in parts} == {"page", "media", "quiz"}
    # The first lecture was seen with "You are enrolled": its stored copy shows no message.
    stored = page.evaluate(
        """async (url) => {
            const user = await moocOffline.currentUser();
            const record = (await moocOffline.downloads(user))[0];
            const cache = await caches.open(moocOffline.cacheName(user, record.course));
            return (await cache.match(url)).text();
        }""",
        f"/courses/{SLUG}/lectures/hinh-chu-nhat",
    )
    assert "Hình chữ nhật có bốn góc vuông." in stored
    assert 'class="flashes"' not in stored
    # Downloading is not reading: "resume" still goes to the lecture enrolling opened.
    assert _rows(
        database, "SELECT l.slug FROM enrolment e JOIN lecture l ON l.id = e.last_lecture_id"
    ) == [("hinh-chu-nhat",)]

    # 3. No connection: the course, every lecture, its image and the quiz open from the device.
    context.set_offline(True)
    page.goto(f"{base}/courses/{SLUG}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chu vi hình chữ nhật")
    page.get_by_role("link", name="Continue learning").click()  # resumes at the first lecture
    expect(page.get_by_role("heading", level=1)).to_have_text("Hình chữ nhật")
    page.go_back()
    page.get_by_role("link", name="Hình chữ nhật", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hình chữ nhật")
    image = page.locator("article.lecture img")
    expect(image).to_have_count(1)
    page.wait_for_load_state("load")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    # 4. Two lectures marked done: kept on the device, on to the next lecture.
    _started(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chu vi")
    _started(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("[data-offline-queued]")).to_be_visible()

    # The quiz's own address opens its offline page; the answers wait on the device.
    page.goto(f"{base}/courses/{SLUG}/quizzes/kiem-tra")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra chu vi")
    assert "correct" not in page.content().lower()
    assert "P = (2 + 3)" not in page.content()  # no explanation, no key on the device
    _started(page)
    page.get_by_role("radio", name="B. 10", exact=True).check()
    page.get_by_label("Your answer (a number)").fill("18")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("form[data-offline-quiz]")).to_have_attribute("data-offline-state", "saved")

    # Reloaded offline: the page is there, and so is what waits to be sent.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra chu vi")
    status = page.locator("#offline-status")
    expect(status).to_contain_text("3 items are waiting to be sent.")
    expect(status).to_contain_text("You are offline")
    assert _queue_length(page) == 3
    # Logging out now would lose them: the pupil is warned, and may stay.
    warned: list[str] = []

    def dismiss(dialog: Any) -> None:
        warned.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("header.site").get_by_role("button", name="Log out").first.click()
    page.wait_for_timeout(300)
    assert warned and "not been sent" in warned[0]
    assert _queue_length(page) == 3

    # A page never downloaded: the offline page, not the browser's error.
    page.goto(f"{base}/courses")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    assert _rows(database, "SELECT count(*) FROM lecture_progress WHERE done_at IS NOT NULL") == [
        (0,)
    ]

    # 5. Back online: the queue is sent (at the "online" event, or at the next page load).
    sent: list[dict[str, Any]] = []

    def note(request: Any) -> None:
        if request.url.endswith("/offline/sync"):
            sent.append(json.loads(request.post_data or "{}"))

    context.on("request", note)
    context.set_offline(False)
    page.goto(f"{base}/dashboard")
    _started(page)
    expect(page.locator("#offline-status")).to_have_attribute("data-pending", "0")
    assert _queue_length(page) == 0
    _eventually(database, "SELECT count(*) FROM completion", [(1,)])
    # ... and its signed record, issued after the sync's commit as after an online completion.
    _eventually(database, "SELECT count(*) FROM issued_credential", [(1,)])
    assert _rows(database, "SELECT count(*) FROM lecture_progress WHERE done_at IS NOT NULL") == [
        (2,)
    ]
    assert _rows(database, "SELECT score, passed FROM quiz_attempt") == [(100.0, 1)]
    assert _rows(database, "SELECT count(*) FROM completion") == [(1,)]
    page.reload()
    expect(page.locator("main")).to_contain_text("Completed")

    # Replaying the batch changes nothing.
    assert sent and len(sent[0]["items"]) == 3
    replay = page.evaluate(
        """async (body) => {
            const token = await (await fetch('/offline/token')).json();
            const response = await fetch('/offline/sync', {
              method: 'POST', body: JSON.stringify(body),
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token.csrf_token},
            });
            return (await response.json()).results;
        }""",
        sent[0],
    )
    assert [r["replay"] for r in replay] == [True, True, True]
    assert _rows(database, "SELECT count(*) FROM quiz_attempt") == [(1,)]
    assert _rows(database, "SELECT count(*) FROM completion") == [(1,)]

    # Logging out deletes the pupil's downloads from the device.
    assert _mooc_caches(page)
    page.locator("header.site").get_by_role("button", name="Log out").first.click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert _mooc_caches(page) == []
    assert page.evaluate("moocOffline.currentUser()") is None
    assert email


def _download_record(page: Page) -> dict[str, Any] | None:
    records = page.evaluate(
        "(async () => moocOffline.downloads(await moocOffline.currentUser()))()"
    )
    return records[0] if records else None


def test_a_changed_course_is_updated_and_a_download_deleted(
    context: BrowserContext, offline_server: tuple[str, Path]
) -> None:
    base, database = offline_server
    page = context.new_page()
    _register(page, base)
    page.goto(f"{base}/courses/{SLUG}")
    page.get_by_role("button", name="Enrol for free").click()
    page.goto(f"{base}/courses/{SLUG}")
    page.locator('[data-offline="download"]').click()
    expect(page.locator("article.course")).to_have_attribute("data-offline-state", "ready")
    first = _download_record(page)
    assert first is not None

    # The teacher changes the course: the next visit with a connection downloads it again.
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE course SET content_revision = content_revision + 1")
    page.goto(f"{base}/courses/{SLUG}")
    expect(page.locator("article.course")).to_have_attribute("data-offline-state", "ready")
    updated = _download_record(page)
    assert updated is not None and updated["revision"] != first["revision"]

    # My offline courses lists it with its size, and deletes it from the device.
    page.goto(f"{base}/offline/courses")
    row = page.locator("[data-offline-list] li").filter(has_text="Chu vi hình chữ nhật")
    expect(row).to_contain_text("MB")
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("[data-offline-list]")).to_contain_text("No course is downloaded")
    assert _download_record(page) is None
    assert _mooc_caches(page) == [n for n in _mooc_caches(page) if n.endswith("-pages")]
