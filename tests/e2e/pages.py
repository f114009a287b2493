"""Steps the browser journeys share."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def log_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in through the English form and wait for the welcome."""
    page.goto(f"{base}/login")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome back")
