"""Journey: a person who forgot the password asks for a link, a real SMTP server (aiosmtpd)
receives the message, the browser opens the link, sets a new password and logs in with it;
the link, opened again, says it was used."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from mooc.accounts.services import register
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.serving import serving
from tests.helpers import make_settings
from tests.mailserver import Inbox, link_in, smtp_server

pytestmark = pytest.mark.e2e

EMAIL = "quen@example.org"
OLD_PASSWORD = "the forgotten passphrase"
NEW_PASSWORD = "a remembered passphrase"


def _build(tmp: Path, mail_url: str) -> Flask:
    url = f"sqlite:///{tmp / 'recovery.sqlite3'}"
    upgrade(url)
    settings = dataclasses.replace(make_settings(tmp / "instance", url), mail_url=mail_url)
    application = create_app(settings=settings)
    with application.app_context():
        register(db.session, email=EMAIL, password=OLD_PASSWORD, name="Trần Văn Quên", locale="en")
        db.session.commit()
        db.session.close()
    return application


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("recovery")
    with serving(lambda: _build(tmp, inbox.url)) as url:
        yield url


def test_forgotten_password_is_replaced_through_a_mailed_link(
    page: Page, server: str, inbox: Inbox
) -> None:
    page.goto(f"{server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.locator("main").get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to set a new password is on its way")

    message = inbox.wait_for(EMAIL)
    assert message["Subject"] == "Reset your password"
    link = f"{server}{urlsplit(link_in(message)).path}"
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is set. Log in with it.")

    main = page.locator("main")
    main.get_by_label("Email").fill(EMAIL)
    main.get_by_label("Password").fill(NEW_PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome back, Trần Văn Quên.")

    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("has already been used")
    expect(page.get_by_role("button", name="Set the new password")).to_have_count(0)
