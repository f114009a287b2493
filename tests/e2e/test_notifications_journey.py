"""Journey: a pupil's notifications. The header shows the unread count (a plain link, also in the
phone menu), the list opens, one is marked read and the count drops, an item leads to its page,
the email copy arrives through the web process's background sender at a real SMTP server, and
the email choices are saved."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from mooc.accounts.services import register
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.notifications.kinds import ASSIGNMENT_NEW, RECORD_ISSUED
from mooc.notifications.services import notify
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.helpers import make_settings
from tests.mailserver import Inbox, smtp_server

pytestmark = pytest.mark.e2e

EMAIL = "hoa.notices@example.org"
PASSWORD = "a pupil's passphrase"
LOCALE = "en"


def build(tmp: Path, mail_url: str) -> Flask:
    """An app whose web process sends (the background thread) to `mail_url`, with one person
    told about a new quiz and a record."""
    url = f"sqlite:///{tmp / 'notifications.sqlite3'}"
    upgrade(url)
    settings = dataclasses.replace(
        make_settings(tmp / "instance", url), mail_url=mail_url, notifications_sender="thread"
    )
    application = create_app(settings=settings)
    with application.app_context():
        person = register(
            db.session, email=EMAIL, password=PASSWORD, name="Phạm Thu Hoa", locale=LOCALE
        )
        db.session.flush()
        notify(
            db.session,
            [person.id],
            ASSIGNMENT_NEW,
            {
                "class": "6A1",
                "course": "Toán lớp 6",
                "what": "quiz",
                "quiz": "Kiểm tra chương 1",
                "due_at": "2026-12-11T10:00:00+00:00",
            },
            "/courses",
        )
        notify(db.session, [person.id], RECORD_ISSUED, {"record": "Toán lớp 6"}, "/courses")
        db.session.commit()
        db.session.close()
    return application


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("notifications")
    with serving(lambda: build(tmp, inbox.url)) as url:
        yield url


def test_the_count_shows_the_list_opens_and_reading_lowers_it(
    page: Page, server: str, inbox: Inbox
) -> None:
    log_in(page, server, EMAIL, PASSWORD)
    header = page.locator("header .menu-wide")
    # Chromium names the link "Notifications (2 unread )": the hidden word ends a text run
    header.get_by_role("link", name=re.compile(r"^Notifications \(2 unread\s*\)$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.locator("main .notice")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Your record is ready")  # newest first
    expect(items.nth(1)).to_contain_text("Your teacher assigned the quiz “Kiểm tra chương 1”")
    items.first.get_by_role("button", name="Mark as read").click()
    expect(
        header.get_by_role("link", name=re.compile(r"^Notifications \(1 unread\s*\)$"))
    ).to_be_visible()
    expect(page.locator("main .notice-unread")).to_have_count(1)

    # the email copy went out from the web process's own sender, no request waiting on it
    message = inbox.wait_for(EMAIL, timeout=30)
    assert message["Subject"] in {"Your record is ready", "New work for class 6A1"}

    page.get_by_role("link", name="New work for class 6A1").click()
    expect(page).to_have_url(f"{server}/courses")

    page.goto(f"{server}/notifications")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("status")).to_contain_text("1 notification marked as read.")
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()


def test_on_a_phone_the_count_is_in_the_menu_and_email_choices_save(
    page: Page, server: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    log_in(page, server, EMAIL, PASSWORD)
    menu = page.locator("header .menu-narrow")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="Email choices").click()
    main = page.locator("main")
    expect(main.get_by_label("Send me notifications by email")).to_be_checked()
    main.get_by_label("New work assigned to your class").uncheck()
    main.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your email choices are saved.")
    expect(main.get_by_label("New work assigned to your class")).not_to_be_checked()
    expect(main.get_by_label("A signed record issued to you")).to_be_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
