"""Journey 3: keyboard users skip the navigation; and a full-page look at the course page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_first_tab_reaches_a_visible_skip_link_that_moves_focus_to_main(page: Page) -> None:
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # hidden off-screen until focused

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert box["width"] > 0
    assert box["height"] > 0

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.locator("main#main")).to_be_focused()

    # The next Tab continues from inside main, not from the top of the page again.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_course_page_full_screenshot(page: Page, tmp_path: Path) -> None:
    page.goto("/courses/toan-lop-6")
    expect(page.get_by_role("heading", level=1)).to_have_text("Toán lớp 6")
    body = page.locator("body").inner_text()
    for raw in ("{{", "}}", "{%", "%}", "{#"):
        assert raw not in body, f"raw template text {raw!r} on the page"
    css_loaded = page.evaluate(
        "getComputedStyle(document.querySelector('header.site')).backgroundColor"
    )
    assert css_loaded not in ("", "rgba(0, 0, 0, 0)"), "the stylesheet did not load"

    shot = tmp_path / "course-toan-lop-6.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 900  # description, outcomes and syllabus go beyond the first screen
    print(f"course page screenshot: {shot}")
