"""Learning on a 360 px phone: wide lecture tables and formulas scroll in their own focusable
boxes, the header stays short, staff tab bars wrap, quiz answers are big one-per-line targets,
and a timed quiz counts down. Runs on its own server with a course written for it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.pages import log_in
from tests.e2e.serving import serving, write_files
from tests.helpers import make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
STAFF = "giao-vu@example.org"
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
FORMULA = " + ".join(f"a_{{{n}}}" for n in range(1, 17))
WIDE_ROW = " | ".join(f"Cột số {n} khá dài" for n in range(1, 9))

COURSE = {
    "institutions.yaml": """\
        - slug: dh-e2e
          name: Trường Đại học Thử Nghiệm
          kind: university
        """,
    "so-lon/course.md": """\
        ---
        slug: so-lon
        title: Số lớn và bảng rộng
        institution: dh-e2e
        language: vi
        level: k12
        grade: 6
        subject: math
        pass_mark: 50
        outcomes:
          - Đọc số lớn.
        sections:
          - title: Bài học
            items:
              - lecture: bang-rong
              - quiz: kiem-tra
        ---
        Một khóa học thử trên điện thoại.
        """,
    "so-lon/lectures/bang-rong.md": f"""\
        ---
        title: Bảng rộng và công thức dài
        minutes: 5
        ---
        ## Dân số

        Việt Nam có 96 208 984 người.

        | {WIDE_ROW} |
        |{"---|" * 8}
        | {" | ".join(["1 000 000"] * 8)} |

        $$
        S = {FORMULA}
        $$
        """,
    "so-lon/quizzes/kiem-tra.yaml": """\
        title: Kiểm tra số lớn
        pass_mark: 80
        max_attempts: 3
        time_limit_minutes: 10
        questions:
          - type: single
            prompt: "Số nào lớn nhất?"
            options:
              - text: "1 000"
              - text: "1 000 000"
                correct: true
              - text: "Một số rất dài được viết bằng chữ để thử xem dòng có xuống hàng đẹp không"
          - type: multiple
            prompt: "Số nào chia hết cho 5?"
            options:
              - text: "10"
                correct: true
              - text: "12"
              - text: "15"
                correct: true
        """,
}


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-phone")
    content = write_files(tmp / "content", COURSE)

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'phone.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            session = db.session
            import_tree(session, application.extensions["mooc_storage"], load_tree(content))
            # Someone with every role: the longest header and the staff pages.
            staff = register(session, email=STAFF, password=PASSWORD, name="Lê Thị Giáo Vụ")
            university = get_institution(session, "dh-e2e")
            for role in (Role.ADMIN, Role.STAFF, Role.TEACHER):
                grant_role(session, staff, university, role)
            session.commit()
            session.close()
        return application

    with serving(build) as url:
        yield url


def _phone(browser: Browser, *, javascript: bool = True) -> BrowserContext:
    return browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=javascript)


def _register(page: Page, base: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill("Trần Thị Lan")
    page.get_by_label("Email").fill(f"lan-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")


def _enrolled(page: Page, base: str) -> None:
    _register(page, base)
    page.goto(f"{base}/courses/so-lon")
    page.get_by_role("button", name="Enrol for free").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng rộng và công thức dài")


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"  # type: ignore[index]


def test_wide_tables_and_formulas_scroll_in_their_own_named_box(
    browser: Browser, phone_server: str
) -> None:
    context = _phone(browser)
    page = context.new_page()
    try:
        _enrolled(page, phone_server)
        _no_sideways_scroll(page)
        # Named in the lecture's language (Vietnamese here), like the text around them.
        for name in ("Bảng, cuộn ngang", "Công thức, cuộn ngang"):
            box = page.get_by_role("region", name=name)
            expect(box).to_be_visible()
            assert box.evaluate("b => b.scrollWidth > b.clientWidth"), f"{name}: nothing to scroll"
            assert box.evaluate("b => b.getBoundingClientRect().right <= innerWidth")
            # The edge fades while there is more to the side (the visible cue).
            assert "gradient" in box.evaluate("b => getComputedStyle(b).backgroundImage")
            # Keyboard users reach the box with Tab and scroll it with the arrow keys.
            box.focus()
            expect(box).to_be_focused()
            assert box.evaluate("b => b.scrollLeft") == 0
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "n => document.activeElement.scrollLeft > 0", arg=name, timeout=3000
            )
        # A grouped number stays on one line: its cell is one line high.
        cell = page.locator("article.lecture td").first
        expect(cell).to_have_text("1\u202f000\u202f000")
        # One line: the cell's text makes a single box (a wrapped text makes one per line).
        lines = cell.evaluate(
            "c => { const r = document.createRange(); r.selectNodeContents(c);"
            " return r.getClientRects().length; }"
        )
        assert lines == 1
    finally:
        context.close()


def test_the_header_takes_at_most_a_fifth_of_a_phone_screen(
    browser: Browser, phone_server: str
) -> None:
    for javascript in (True, False):  # the menu is a <details>: it needs no script
        context = _phone(browser, javascript=javascript)
        page = context.new_page()
        try:
            log_in(page, phone_server, STAFF, PASSWORD)
            page.goto(f"{phone_server}/courses")
            header = page.locator("header.site").bounding_box()
            assert header is not None
            assert header["height"] <= 0.2 * PHONE["height"], header
            _no_sideways_scroll(page)

            nav = page.get_by_role("navigation", name="Main")
            expect(nav.get_by_role("link", name="Administration")).to_be_hidden()
            menu = nav.locator("details.menu-narrow > summary")
            expect(menu).to_have_accessible_name("Menu")  # the icon is hidden from readers
            box = menu.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44
            language = page.get_by_role("button", name="Change language")
            expect(language).to_be_visible()  # one language form, shown on phones too
            menu.click()
            for name in (
                "Courses",
                "My records",
                "Teaching",
                "Credit recognition",
                "Administration",
            ):
                expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
            expect(nav.get_by_role("button", name="Log out")).to_be_visible()
            _no_sideways_scroll(page)
            nav.get_by_role("link", name="Administration").click()
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert "/admin" in page.url
        finally:
            context.close()


def test_the_links_stay_in_a_row_on_a_wide_screen(browser: Browser, phone_server: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    try:
        log_in(page, phone_server, STAFF, PASSWORD)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.locator("details.menu-narrow > summary")).to_be_hidden()
        expect(nav.get_by_role("link", name="Administration")).to_be_visible()
        header = page.locator("header.site").bounding_box()
        assert header is not None
        assert header["height"] <= 100  # the brand, two lines of links and the language beside
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/admin/people", "/university/dh-e2e"])
def test_staff_tab_bars_wrap_instead_of_widening_the_page(
    browser: Browser, phone_server: str, path: str
) -> None:
    context = _phone(browser)
    page = context.new_page()
    try:
        log_in(page, phone_server, STAFF, PASSWORD)
        page.goto(f"{phone_server}{path}")
        tabs = page.locator("nav.subnav").first
        expect(tabs).to_be_visible()
        assert tabs.evaluate("t => t.scrollWidth <= t.clientWidth"), "the tab bar overflows"
        boxes = [link.bounding_box() for link in tabs.get_by_role("link").all()]
        assert len(boxes) >= 4
        assert all(b is not None and b["x"] + b["width"] <= PHONE["width"] for b in boxes)
        assert len({round(b["y"]) for b in boxes if b}) > 1  # it wrapped onto more lines
        _no_sideways_scroll(page)
    finally:
        context.close()


def test_quiz_answers_are_big_one_per_line_targets_and_a_failure_offers_a_retry(
    browser: Browser, phone_server: str
) -> None:
    context = _phone(browser)
    page = context.new_page()
    try:
        _enrolled(page, phone_server)
        page.goto(f"{phone_server}/courses/so-lon/quizzes/kiem-tra")
        page.get_by_role("button", name="Start the quiz").click()
        _no_sideways_scroll(page)

        options = page.locator("label.option")
        expect(options).to_have_count(6)
        boxes = [options.nth(i).bounding_box() for i in range(6)]
        previous_bottom = 0.0
        for box in boxes:
            assert box is not None
            assert box["height"] >= 44 and box["width"] >= 44, box
            assert box["y"] >= previous_bottom  # one option per line
            previous_bottom = box["y"] + box["height"]
        # The whole row is the target: a tap at its far right end, away from the input, counts.
        row = options.filter(has_text="1\u202f000\u202f000")
        box = row.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
        expect(row.get_by_role("radio")).to_be_checked()
        page.get_by_role("button", name="Submit answers").click()  # the second question is wrong

        expect(page.get_by_role("heading", level=1)).to_contain_text("Attempt 1")
        retry = page.get_by_role("button", name="Try again")
        expect(retry).to_be_visible()
        expect(retry).to_be_in_viewport()  # at the top of the result, without scrolling
        expect(page.locator(".retry")).to_contain_text("2 attempts left")
        retry_box = retry.bounding_box()
        assert retry_box is not None and retry_box["height"] >= 44
        retry.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra số lớn")
        expect(page.locator("p.meta")).to_contain_text("Attempt 2")
    finally:
        context.close()


def test_a_timed_quiz_counts_down_and_shows_its_deadline_without_script(
    browser: Browser, phone_server: str
) -> None:
    context = _phone(browser)
    page = context.new_page()
    try:
        _enrolled(page, phone_server)
        page.goto(f"{phone_server}/courses/so-lon/quizzes/kiem-tra")
        page.get_by_role("button", name="Start the quiz").click()
        timer = page.get_by_role("timer")
        expect(timer).to_have_text(re.compile(r"^Time left: (10:00|9:5\d)$"))
        first = timer.inner_text()
        page.wait_for_timeout(1500)
        assert timer.inner_text() != first  # it counts
        deadline = page.locator("p.meta time")
        expect(deadline).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT[\d:]{8}Z$"))
        expect(deadline).to_contain_text("(GMT+07:00)")
        # When the time is up the box says so (a fake clock jumps past the ten minutes).
        page.clock.install()
        page.reload()
        expect(timer).to_contain_text("Time left")
        page.clock.fast_forward("10:05")
        expect(timer).to_have_text("Time is up: submit now. Late answers score 0.")
    finally:
        context.close()

    without = _phone(browser, javascript=False)
    page = without.new_page()
    try:
        _enrolled(page, phone_server)
        page.goto(f"{phone_server}/courses/so-lon/quizzes/kiem-tra")
        page.get_by_role("button", name="Start the quiz").click()
        expect(page.locator("p.meta")).to_contain_text(
            re.compile(r"Submit before .+\(GMT\+07:00\)")
        )
        expect(page.get_by_role("timer")).to_be_hidden()
    finally:
        without.close()


def test_screenshots_at_phone_and_desktop_sizes(
    browser: Browser, phone_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Lecture, quiz and a staff page at 360×640 and 1280×800, kept for a person to look at."""
    shots = tmp_path_factory.mktemp("phone-screenshots")
    for label, viewport in (("360", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="en-US")
        page = context.new_page()
        try:
            _enrolled(page, phone_server)
            page.screenshot(path=str(shots / f"lecture-{label}.png"), full_page=True)
            page.goto(f"{phone_server}/courses/so-lon/quizzes/kiem-tra")
            page.get_by_role("button", name="Start the quiz").click()
            page.wait_for_url("**/attempts/*")
            page.screenshot(path=str(shots / f"quiz-{label}.png"), full_page=True)
            page.get_by_role("button", name="Submit answers").click()
            # A screenshot taken while the submit's redirect is still loading fails in Chromium.
            page.wait_for_url("**/result")
            page.screenshot(path=str(shots / f"result-{label}.png"))
            log_in(page, phone_server, STAFF, PASSWORD)
            page.goto(f"{phone_server}/university/dh-e2e")
            page.screenshot(path=str(shots / f"staff-{label}.png"), full_page=True)
            if viewport is PHONE:
                page.locator("details.menu-narrow > summary").click()
                page.screenshot(path=str(shots / "menu-open-360.png"))
        finally:
            context.close()
    for png in sorted(shots.iterdir()):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshots: {shots}")
