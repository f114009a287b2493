"""Learning offline (issue #11): what each seed course weighs on the phone, how long downloading
it takes on a slow link, and how fast a downloaded lecture opens with no connection.

For every seed course (every quiz that can be made available offline is), in headless Chromium
(Debian's) against the app served on 127.0.0.1:

- size: the bundle's parts and bytes (`/offline/courses/<id>/manifest.json`: pages as rendered
  text, media as stored, the smallest video rendition);
- download: the course page's "Download for offline" control, from the click to
  `data-offline-state="ready"`, under Chromium's network emulation (CDP
  Network.emulateNetworkConditions) on two profiles of a rural phone link:
  3G = 1.6 Mbit/s down, 750 kbit/s up, 300 ms round trip; 2G = 250 kbit/s down, 50 kbit/s up,
  800 ms round trip. The service worker is blocked in these runs so that every request is the
  page's own and throttled (the download is the page's script either way);
- offline open: with the service worker on and the network off (`context.set_offline(True)`),
  each downloaded lecture opened by navigation; the time from the navigation's start to its
  load event (Navigation Timing), median and worst. Goal: under 300 ms.

    .venv/bin/python bench/offline.py [--courses toan-lop-6,...] [--runs 1]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _setup import PASSWORD, build
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.offline.core.bundle import can_go_offline
from mooc.offline.models import OfflineQuiz

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PROFILES = {
    # name: (down bit/s, up bit/s, round trip ms)
    "3G": (1_600_000, 750_000, 300),
    "2G": (250_000, 50_000, 800),
}
GOAL_MS = 300


def _prepare(app: Any) -> list[tuple[int, str, str]]:
    """Every offline-able quiz made available offline; the courses as (id, slug, title)."""
    with app.app_context():
        for quiz in db.session.scalars(select(Quiz).where(Quiz.retired_at.is_(None))):
            if can_go_offline(time_limit_minutes=quiz.time_limit_minutes, pool_size=quiz.pool_size):
                db.session.add(OfflineQuiz(quiz_id=quiz.id))
        db.session.commit()
        rows = db.session.execute(select(Course.id, Course.slug, Course.title).order_by(Course.id))
        return [(row.id, row.slug, row.title) for row in rows]


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", "bench0@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")


def _throttle(context: BrowserContext, page: Page, profile: str) -> None:
    down, up, rtt = PROFILES[profile]
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": rtt,
            "downloadThroughput": down / 8,
            "uploadThroughput": up / 8,
        },
    )


def _download(page: Page, base: str, slug: str) -> float:
    """Seconds from the click on the download control to every part stored."""
    page.goto(f"{base}/courses/{slug}")
    control = page.locator('[data-offline="download"]')
    control.wait_for(state="visible", timeout=120_000)
    expect(page.locator("[data-offline-size]")).to_contain_text("MB", timeout=120_000)
    started = time.perf_counter()
    control.click()
    page.locator('article.course[data-offline-state="ready"]').wait_for(timeout=600_000)
    return time.perf_counter() - started


def _bundle(page: Page, base: str, course_id: int) -> dict[str, Any]:
    doc: dict[str, Any] = page.evaluate(
        "async (url) => (await fetch(url)).json()",
        f"{base}/offline/courses/{course_id}/manifest.json",
    )
    return doc


def _offline_opens(
    context: BrowserContext, base: str, slug: str, lectures: list[str]
) -> list[float]:
    """Milliseconds to open each downloaded lecture with the network off."""
    page = context.new_page()
    page.goto(f"{base}/courses/{slug}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator('[data-offline="download"]').wait_for(state="visible")
    expect(page.locator("[data-offline-size]")).to_contain_text("MB")
    page.locator('[data-offline="download"]').click()
    page.locator('article.course[data-offline-state="ready"]').wait_for(timeout=120_000)
    context.set_offline(True)
    page.goto(f"{base}{lectures[0]}")  # the first navigation also wakes the worker up
    times = []
    for url in lectures:
        page.goto(f"{base}{url}")
        page.wait_for_load_state("load")
        times.append(
            page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n.loadEventEnd - n.startTime; })()"
            )
        )
    context.set_offline(False)
    page.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--courses", help="comma-separated course slugs (default: every seed course)"
    )
    parser.add_argument("--runs", type=int, default=1, help="downloads per course and profile")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-offline-"))
    app = build(tmp, f"sqlite:///{tmp / 'bench.sqlite3'}")
    courses = _prepare(app)
    if args.courses:
        wanted = set(args.courses.split(","))
        courses = [c for c in courses if c[1] in wanted]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for course_id, slug, title in courses:
            timings: dict[str, list[float]] = {}
            for profile in PROFILES:
                for _ in range(args.runs):
                    context = browser.new_context(locale="vi-VN", service_workers="block")
                    page = context.new_page()
                    _log_in(page, base)
                    _throttle(context, page, profile)
                    timings.setdefault(profile, []).append(_download(page, base, slug))
                    context.close()
            context = browser.new_context(locale="vi-VN", service_workers="allow")
            page = context.new_page()
            _log_in(page, base)
            doc = _bundle(page, base, course_id)
            lectures = [p["url"] for p in doc["parts"] if "/lectures/" in p["url"]]
            opens = _offline_opens(context, base, slug, lectures) if lectures else [0.0]
            context.close()
            kinds = {
                k: sum(1 for p in doc["parts"] if p["kind"] == k) for k in ("page", "media", "quiz")
            }
            rows.append((slug, title, doc["total_bytes"], kinds, timings, opens))
        browser.close()
    server.shutdown()

    print(
        "Profiles: "
        + "; ".join(
            f"{n} = {d / 1e6:g} Mbit/s down, {u / 1e3:g} kbit/s up, {r} ms RTT"
            for n, (d, u, r) in PROFILES.items()
        )
    )
    print(
        f"{'course':<22}{'pages':>6}{'media':>6}{'quiz':>5}{'KB':>8}{'MB':>6}{'3G s':>7}{'2G s':>7}{'open ms (median/max)':>22}"
    )
    over = 0
    for slug, _title, total, kinds, timings, opens in rows:
        median, worst = statistics.median(opens), max(opens)
        over += worst >= GOAL_MS
        print(
            f"{slug:<22}{kinds['page']:>6}{kinds['media']:>6}{kinds['quiz']:>5}{total / 1024:>8.1f}"
            f"{total / 1024 / 1024:>6.2f}{statistics.median(timings['3G']):>7.1f}"
            f"{statistics.median(timings['2G']):>7.1f}{f'{median:.0f} / {worst:.0f}':>22}"
        )
    print(
        f"Goal: a downloaded lecture opens offline in under {GOAL_MS} ms — {'met' if not over else f'missed by {over} course(s)'}."
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
