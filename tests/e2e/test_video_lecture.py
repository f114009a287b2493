"""A captioned video lecture in the browser: the player waits for play (poster only, nothing of
the clip fetched), keeps its place in the layout, shows captions in the reader's language from
the page's own origin, offers the transcript, plays with seeking, and passes axe at 360 and
1280 px (screenshots kept)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import AxeInstallError, ensure_axe

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
LECTURE = "/courses/vat-ly-lop-10/lectures/xem-chuyen-dong-thang-deu"

AXE_JS = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
    resultTypes: ['violations']});
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => v.id + ': ' + v.help);
}"""


def _axe_problems(page: Page) -> list[str]:
    try:
        script = ensure_axe()
    except AxeInstallError as error:
        pytest.fail(str(error), pytrace=False)
    page.add_script_tag(path=str(script))
    problems: list[str] = page.evaluate(AXE_JS)
    return problems


def _enrol(page: Page, base: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill("Phạm Minh Khoa")
    page.get_by_label("Email").fill(f"khoa-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    page.goto(f"{base}/courses/vat-ly-lop-10")
    page.get_by_role("button", name="Enrol for free").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Vật lí lớp 10")


def test_a_pupil_follows_a_captioned_video_lecture(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("video-lecture-screenshots")
    print(f"screenshots: {shots}")
    context = browser.new_context(viewport=PHONE, locale="en-US", bypass_csp=True)
    page = context.new_page()
    try:
        _enrol(page, live_server)
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(f"{live_server}{LECTURE}")
        video = page.locator("article.lecture video")
        expect(video).to_be_visible()
        assert video.get_attribute("preload") == "none"
        assert video.get_attribute("autoplay") is None
        # The default track is the reader's language (English here); the browser loads it from
        # the page's origin and knows its three cues.
        page.wait_for_function(
            "() => { const t = [...document.querySelector('article video').textTracks]"
            ".find((t) => t.mode === 'showing'); return t && t.cues && t.cues.length === 3; }",
            timeout=10_000,
        )
        showing = video.evaluate(
            "v => [...v.textTracks].filter((t) => t.mode === 'showing').map((t) => t.language)"
        )
        assert showing == ["en"]
        assert not [url for url in fetched if url.endswith(".mp4")], "the clip loaded before play"
        assert any(url.endswith("chuyen-dong-thang-deu.jpg") for url in fetched)
        # The box has the poster's shape (320 × 180) before anything of the clip is known.
        box = video.bounding_box()
        assert box is not None and box["width"] > 300
        assert abs(box["height"] - box["width"] * 180 / 320) < 2
        page.screenshot(path=str(shots / "video-lecture-360.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The transcript, in the lecture's language first, is text anyone can read instead.
        page.get_by_text("Bản ghi lời (Tiếng Việt)").click()
        expect(page.get_by_text("Cứ mỗi giây, vật dời thêm đúng một vạch")).to_be_visible()
        page.get_by_text("Bản ghi lời (English)").click()  # the words of the lecture
        expect(page.get_by_text("Every second it moves exactly one mark further")).to_be_visible()
        assert _axe_problems(page) == []

        # Play: the browser asks for byte ranges and gets 206 answers; seeking works.
        answers: list[tuple[str, int]] = []
        page.on("response", lambda response: answers.append((response.url, response.status)))
        video.evaluate("v => { v.muted = true; return v.play(); }")
        page.wait_for_function(
            "() => document.querySelector('article video').currentTime > 0.3", timeout=10_000
        )
        video.evaluate("v => { v.pause(); v.currentTime = 6; }")
        page.wait_for_function(
            "() => { const v = document.querySelector('article video');"
            " return !v.seeking && Math.abs(v.currentTime - 6) < 0.5; }",
            timeout=10_000,
        )
        assert [status for url, status in answers if url.endswith(".mp4")][:1] == [206]

        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(shots / "video-lecture-1280.png"), full_page=True)
        assert _axe_problems(page) == []
    finally:
        context.close()
