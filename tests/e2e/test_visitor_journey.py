"""Journey 1: register, log out, log in, find a course without typing accents, read its
syllabus, and switch the interface language to Vietnamese and back (issue requirement)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

COURSE_TITLE = "Toán lớp 6"
PASSWORD = "correct horse battery staple"


def _language_form(page: Page) -> Locator:
    return page.locator("form.lang")


def test_register_login_search_course_and_switch_language(page: Page) -> None:
    name = "Nguyễn Thị Mai"
    email = f"mai-{uuid.uuid4().hex[:8]}@example.org"
    nav = page.locator("header.site nav")  # its accessible name is translated too

    # A new visitor registers from the navigation bar and is logged in at once.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready. Welcome!")
    expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(nav.get_by_role("link", name="Register")).to_have_count(0)

    # Logging out ends the session.
    nav.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out on all your devices.")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(nav.get_by_role("link", name=name)).to_have_count(0)

    # Logging in again through the login form.
    nav.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {name}.")
    expect(nav.get_by_role("link", name=name)).to_be_visible()

    # Searching without diacritics finds the Vietnamese course.
    page.goto("/")
    page.get_by_role("search").get_by_label("Search courses").fill("toan")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/courses\?q=toan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    expect(page.locator("p.count")).to_have_text(re.compile(r"^\d+ courses? found$"))
    result = page.locator("ul.cards").get_by_role("link", name=COURSE_TITLE, exact=True)
    expect(result).to_be_visible()

    # The course page shows the course and its syllabus.
    result.click()
    expect(page).to_have_url(re.compile(r"/courses/toan-lop-6$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(page.get_by_role("heading", name="Syllabus", level=2)).to_be_visible()
    # Textbook order (GDPT 2018): natural numbers, divisibility, integers, then fractions.
    headings = page.locator("#syllabus-heading ~ h3")
    expect(headings).to_have_text(
        [
            "Chương I. Tập hợp các số tự nhiên",
            "Chương II. Tính chia hết trong tập hợp các số tự nhiên",
            "Chương III. Số nguyên",
            "Chương VI. Phân số",
        ]
    )
    items = page.locator("ol.syllabus > li")
    expect(items).to_have_count(8)
    expect(items.first).to_contain_text("Tập hợp và phần tử")
    expect(page.locator("ol.syllabus > li.item-quiz")).to_have_count(1)
    expect(page.get_by_role("button", name="Enrol for free")).to_be_visible()

    # Switching the interface to Vietnamese: a plain form post (no JavaScript involved)
    # that comes back to the same page.
    switcher = _language_form(page)
    switcher.get_by_label("Language").select_option("vi")
    switcher.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/courses/toan-lop-6\??$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#lang-select")).to_have_value("vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(nav.get_by_role("link", name="Khoá học", exact=True)).to_be_visible()

    # …and back to English.
    switcher = _language_form(page)
    switcher.locator("#lang-select").select_option("en")
    switcher.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/courses/toan-lop-6\??$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-select")).to_have_value("en")
    expect(nav.get_by_role("link", name="Courses", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Syllabus", level=2)).to_be_visible()
    expect(switcher.get_by_role("button", name="Change language")).to_be_visible()
