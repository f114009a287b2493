"""Journey: a teacher prints login cards for class 6A1; a pupil scans one (the QR code, read
back from the screen by zxing-cpp, opens the sign-in page with the username filled in), signs
in with the one-time password, must choose a password, then reaches the dashboard. The cards
page is kept as screenshots at 360 and 1280 px, on screen and as printed, and as an A4 PDF."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from mooc.accounts.models import Role
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.axe import AxeInstallError, ensure_axe
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.factories import PASSWORD, make_class_teacher, make_pupil, make_school_class
from tests.helpers import make_settings

pytestmark = pytest.mark.e2e

PUPILS = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Quốc Dũng",
    "Hoàng Thu Hà",
    "Vũ Đức Khang",
    "Đặng Ngọc Lan",
    "Bùi Gia Minh",
    "Đỗ Khánh Ngọc",
]
NEW_PASSWORD = "cây bàng sân trường"
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}


def _build(tmp: Path, made: dict[str, Any]) -> Flask:
    url = f"sqlite:///{tmp / 'cards.sqlite3'}"
    upgrade(url)
    application = create_app(settings=make_settings(tmp / "instance", url))
    with application.app_context():
        school_class = make_school_class(db.session, name="6A1")
        school_class.institution.name = "Trường THCS Nguyễn Du"
        teacher = make_class_teacher(db.session, school_class)
        assert teacher.has_role(Role.TEACHER)
        # Pupils from a roster: usernames but no password of their own yet, and no email; one
        # has an email address and no username (the cards give her one).
        for n, name in enumerate(PUPILS, start=1):
            first = n == 1
            make_pupil(
                db.session,
                school_class,
                name,
                username=None if first else f"hs.6a1.{n:02d}",
                email="an.nguyen@example.org" if first else None,
                password=secrets.token_urlsafe(24),
            )
        db.session.commit()
        made.update(class_id=school_class.id, teacher=teacher.email)
        db.session.close()
    return application


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("cards")
    made: dict[str, Any] = {}
    with serving(lambda: _build(tmp, made)) as url:
        yield url, made


AXE_JS = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
    resultTypes: ['violations']});
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => v.id + ': ' + v.help);
}"""


def _axe_problems(page: Page) -> list[str]:
    """Serious or critical WCAG 2.2 AA problems axe-core finds on the page (needs a context
    that bypasses the CSP: the script is added inline)."""
    try:
        script = ensure_axe()
    except AxeInstallError as error:
        pytest.fail(str(error), pytrace=False)
    page.add_script_tag(path=str(script))
    problems: list[str] = page.evaluate(AXE_JS)
    return problems


def _decode(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_teacher_prints_cards_and_a_pupil_signs_in_with_one(
    browser: Browser, school: tuple[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    server, made = school
    shots = tmp_path_factory.mktemp("login-card-screenshots")
    teacher = browser.new_context(viewport=DESKTOP, locale="en-US", bypass_csp=True)
    page = teacher.new_page()
    log_in(page, server, made["teacher"], PASSWORD)
    page.goto(f"{server}/classes/{made['class_id']}/login-cards")
    expect(page.get_by_role("heading", level=1)).to_have_text("Login cards for class 6A1")
    expect(page.locator("table.pupils tbody tr")).to_have_count(len(PUPILS))
    page.screenshot(path=str(shots / "form-1280.png"), full_page=True)
    assert _axe_problems(page) == []
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / "form-360.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_label("every pupil of the class").check()
    page.get_by_role("button", name="Print login cards").click()
    cards = page.locator("article.login-card")
    expect(cards).to_have_count(len(PUPILS))
    expect(page.get_by_role("status")).to_contain_text("9 pupils have a new one-time password.")
    first = cards.first
    username = first.locator("dd code").first.inner_text()
    password = first.locator(".login-card-password").inner_text()
    assert username == "an.nguyen.6a1"
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)

    # The QR code, as the screen shows it, is read by an independent decoder.
    (link,) = _decode(first.locator("svg.qr").screenshot())
    assert link == f"http://mooc.test/login?login={username}"  # MOOC_BASE_URL of the tests

    page.screenshot(path=str(shots / "cards-1280.png"), full_page=True)
    assert _axe_problems(page) == []
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / "cards-360.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"]
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "cards-print-360.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / "cards-print-1280.png"), full_page=True)
    expect(page.locator("header.site")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    (shots / "cards.pdf").write_bytes(pdf)
    # Eight cards to a sheet: nine pupils print on two A4 pages.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    teacher.close()

    # The pupil scans the card: the sign-in page opens with the username filled in.
    pupil = browser.new_context(viewport=PHONE, locale="en-US", bypass_csp=True)
    child = pupil.new_page()
    child.goto(server + urlsplit(link).path + "?" + urlsplit(link).query)
    expect(child.get_by_label("Email or username")).to_have_value(username)
    expect(child.get_by_label("Password")).to_be_focused()
    child.get_by_label("Password").fill(password)
    child.get_by_role("button", name="Log in").click()
    expect(child.get_by_role("heading", level=1)).to_have_text("Choose your password")
    child.screenshot(path=str(shots / "choose-360.png"), full_page=True)
    assert _axe_problems(child) == []
    # Nothing else opens before a password is chosen.
    for path in ("/courses", "/dashboard"):
        child.goto(server + path)
        expect(child.get_by_role("heading", level=1)).to_have_text("Choose your password")
    child.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    child.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    child.get_by_role("button", name="Set the new password").click()
    expect(child.locator(".flashes")).to_contain_text("Your password is saved.")
    assert urlsplit(child.url).path == "/dashboard"
    child.screenshot(path=str(shots / "dashboard-360.png"), full_page=True)
    pupil.close()

    # The chosen password works from now on; the one-time one does not.
    again = browser.new_context(viewport=DESKTOP, locale="en-US")
    later = again.new_page()
    log_in(later, server, username, NEW_PASSWORD)
    assert urlsplit(later.url).path == "/dashboard"
    again.close()
    print(f"screenshots: {shots}")
