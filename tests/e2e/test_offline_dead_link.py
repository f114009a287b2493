"""Issue #11, a dead link: the browser believes it is online (`navigator.onLine` stays true) but
nothing gets through. "Mark as done" of a downloaded course (a network error, or no answer in
time) and an offline quiz's answers are kept in the device's queue, the page says so, and the
server receives each item once when the link is back: at the next page load, or by Background
Sync with no page of the site open (its `sync` event fired through the DevTools protocol)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.link import Link, link_to
from tests.e2e.test_offline_journey import (
    SLUG,
    _queue_length,
    _register,
    _rows,
    _started,
    serve_course,
)

pytestmark = pytest.mark.e2e
MINE = {  # rows of one pupil (the module's server is shared by its tests)
    "done": "SELECT count(*) FROM lecture_progress WHERE done_at IS NOT NULL"
    " AND user_id = (SELECT id FROM user_account WHERE email = ?)",
    "received": "SELECT count(*) FROM offline_receipt"
    " WHERE user_id = (SELECT id FROM user_account WHERE email = ?)",
    "attempts": "SELECT count(*) FROM quiz_attempt"
    " WHERE user_id = (SELECT id FROM user_account WHERE email = ?)",
}


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    yield from serve_course(tmp_path_factory)


@pytest.fixture
def link(offline_server: tuple[str, Path]) -> Iterator[Link]:
    with link_to(offline_server[0]) as made:
        yield made


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(locale="en-US", service_workers="allow")
    yield made
    made.close()


def _downloaded(page: Page, base: str) -> str:
    """A new pupil (their email) enrolled in the course, downloaded on this device."""
    email = _register(page, base)
    page.goto(f"{base}/courses/{SLUG}")
    page.get_by_role("button", name="Enrol for free").click()
    page.goto(f"{base}/courses/{SLUG}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator('[data-offline="download"]').click()
    expect(page.locator("article.course")).to_have_attribute("data-offline-state", "ready")
    return email


def _mine(database: Path, what: str, email: str) -> int:
    return int(_rows(database, MINE[what], email)[0][0])


def _kept_by_the_device(page: Page) -> None:
    """The lecture page, from the device, says the mark is kept and will be sent."""
    kept = page.locator("[data-offline-queued]")
    expect(kept).to_be_visible()
    expect(kept).to_contain_text("kept on this device")
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)


def test_marks_and_answers_on_a_dead_link_are_kept_and_sent_once(
    context: BrowserContext,
    offline_server: tuple[str, Path],
    link: Link,
) -> None:
    _, database = offline_server
    base = link.url
    page = context.new_page()
    email = _downloaded(page, base)

    # The link dies under a lecture page; the browser still says it is online.
    page.get_by_role("link", name="Hình chữ nhật", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hình chữ nhật")
    _started(page)
    link.set("dead")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hình chữ nhật")
    _kept_by_the_device(page)
    assert page.evaluate("navigator.onLine") is True
    expect(page.locator("#offline-status")).to_contain_text("1 item is waiting to be sent.")
    assert _queue_length(page) == 1

    # A link that answers nothing: after a few seconds the mark is kept all the same.
    page.goto(f"{base}/courses/{SLUG}/lectures/chu-vi")  # from the device
    expect(page.get_by_role("heading", level=1)).to_have_text("Chu vi")
    _started(page)
    link.set("silent")
    asked = time.monotonic()
    page.get_by_role("button", name="Mark as done").click()
    _kept_by_the_device(page)
    assert time.monotonic() - asked > 7  # the service worker waited for an answer first
    assert _queue_length(page) == 2

    # The quiz available offline: its answers are kept when they cannot be sent.
    link.set("dead")
    page.goto(f"{base}/courses/{SLUG}/quizzes/kiem-tra")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra chu vi")
    _started(page)
    page.get_by_role("radio", name="B. 10", exact=True).check()
    page.get_by_label("Your answer (a number)").fill("18")
    page.get_by_role("button", name="Submit answers").click()
    form = page.locator("form[data-offline-quiz]")
    expect(form.locator("[data-offline-note]")).to_contain_text(
        "saved on this device and will be sent when the connection returns"
    )
    expect(form).to_have_attribute("data-offline-state", "saved")
    expect(page.locator("#offline-status")).to_contain_text("3 items are waiting to be sent.")
    expect(page.locator("#offline-status")).to_contain_text("The server could not be reached")
    assert _queue_length(page) == 3
    assert _mine(database, "done", email) == 0
    assert _mine(database, "attempts", email) == 0

    # The link is back: the next page sends the queue; the server has each item once.
    link.set("up")
    page.goto(f"{base}/dashboard")
    _started(page)
    expect(page.locator("#offline-status")).to_have_attribute("data-pending", "0")
    assert _queue_length(page) == 0
    assert _mine(database, "done", email) == 2
    assert _mine(database, "received", email) == 3
    assert _mine(database, "attempts", email) == 1
    page.goto(f"{base}/courses/{SLUG}")
    page.wait_for_timeout(500)  # any late sync (the browser's Background Sync) has its chance
    assert _mine(database, "received", email) == 3
    assert _mine(database, "attempts", email) == 1


def _registration_id(page: Page, cdp: Any, scope: str) -> str:
    """The service worker registration of `scope`, as the DevTools protocol names it."""
    found: dict[str, str] = {}

    def note(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", note)
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if "id" in found:
            return found["id"]
        page.wait_for_timeout(100)  # Playwright delivers the protocol's events meanwhile
    raise AssertionError(f"no service worker registered for {scope}")


def test_background_sync_sends_the_queue_with_no_page_open(
    context: BrowserContext,
    offline_server: tuple[str, Path],
    link: Link,
) -> None:
    _, database = offline_server
    base = link.url
    page = context.new_page()
    email = _downloaded(page, base)
    tag = page.evaluate("moocOffline.SYNC_TAG")

    page.get_by_role("link", name="Chu vi", exact=True).click()
    _started(page)
    link.set("dead")
    page.get_by_role("button", name="Mark as done").click()
    _kept_by_the_device(page)
    assert _queue_length(page) == 1

    # The link is back while no page of the site is open: Background Sync sends the queue.
    page.close()
    link.set("up")
    assert _mine(database, "done", email) == 0
    blank = context.new_page()  # about:blank: no page of the site loads (and syncs) here
    cdp = context.new_cdp_session(blank)
    registration = _registration_id(blank, cdp, f"{base}/")
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": base, "registrationId": registration, "tag": tag, "lastChance": False},
    )
    for _ in range(50):  # the service worker's sync is under way
        if _mine(database, "done", email):
            break
        time.sleep(0.1)
    assert _mine(database, "done", email) == 1
    assert _mine(database, "received", email) == 1
    assert blank.url == "about:blank"

    # The device's queue is empty: a page load sends nothing more.
    page = context.new_page()
    page.goto(f"{base}/courses/{SLUG}")
    _started(page)
    assert _queue_length(page) == 0
    assert _mine(database, "received", email) == 1
