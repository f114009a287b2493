"""Journey 2: the catalogue, search and course page work with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

pytestmark = pytest.mark.e2e

COURSE_TITLE = "Toán lớp 6"


def test_search_and_course_page_without_javascript(new_context: CreateContextCallback) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto("/courses")
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    filters = page.get_by_role("search")
    filters.get_by_label("Search", exact=True).fill("toan lop 6")
    filters.get_by_label("Level").select_option("k12")
    filters.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"/courses\?q=toan\+lop\+6&level=k12"))
    expect(page.get_by_label("Search", exact=True)).to_have_value("toan lop 6")
    expect(page.get_by_label("Level")).to_have_value("k12")
    expect(page.locator("p.count")).to_have_text(re.compile(r"^\d+ courses? found$"))
    cards = page.locator("ul.cards > li.card")
    expect(cards.first).to_be_visible()
    result = cards.get_by_role("link", name=COURSE_TITLE, exact=True)
    expect(result).to_be_visible()

    result.click()
    expect(page).to_have_url(re.compile(r"/courses/toan-lop-6$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(page.get_by_role("heading", name="Syllabus", level=2)).to_be_visible()
    expect(page.locator("ol.syllabus > li")).to_have_count(8)  # 7 lectures and the quiz
    expect(page.get_by_role("link", name="Log in to enrol")).to_have_attribute(
        "href", "/login?next=/courses/toan-lop-6"
    )

    # The language switcher is a plain form too.
    page.locator("#lang-select").select_option("vi")
    page.locator("form.lang").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/courses/toan-lop-6\??$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#lang-select")).to_have_value("vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
