"""SCORM in the browser, with the platform on 127.0.0.1 and the content origin on localhost (two
sites, as MOOC_CONTENT_ORIGIN asks): a teacher uploads a SCORM 1.2 and a SCORM 2004 package the
test writes; a pupil leaves the first mid-way and resumes it, completes both, and finds the
lectures done with the score; a hostile package can read no platform cookie, cannot call
/api/v1/me/credentials with the pupil's session, and cannot navigate the top window. A
three-SCO SCORM 2004 package moves on by the SCOs' own adl.nav.request and by the player's
previous/next (screenshots of the player in Vietnamese at 360 px and 1280 px)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, FrameLocator, Page, expect
from werkzeug.serving import make_server

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher
from mooc.contentorigin.app import create_content_app
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.pages import log_in
from tests.e2e.serving import off_the_event_loop
from tests.helpers import CONTENT, make_settings
from tests.scorm_packages import build_package, build_zip, manifest

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
TEACHER = "co-lan@example.org"
COURSE = "vat-ly-lop-10"

# A SCO that tries to leave its box: the platform's cookies, the learner's records through the
# platform's API, the top window. Each attempt writes what happened into the page.
HOSTILE = """
  var out = document.createElement("pre");
  out.id = "probe";
  document.body.appendChild(out);
  function note(k, v) { out.setAttribute("data-" + k, String(v)); }
  note("cookie", document.cookie);
  try { note("top-cookie", window.top.document.cookie); }
  catch (e) { note("top-cookie", "blocked"); }
  fetch(PLATFORM + "/api/v1/me/credentials", {credentials: "include"})
    .then(function (r) {
      return r.text().then(function (t) { note("fetch", r.status + ":" + t.slice(0, 40)); });
    })
    .catch(function () { note("fetch", "blocked"); });
  try { window.top.location.href = PLATFORM + "/logout"; note("navigate", "tried"); }
  catch (e) { note("navigate", "blocked"); }
"""


def _serve(server) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(platform URL, content origin URL), both bound before the apps are built."""
    tmp = tmp_path_factory.mktemp("e2e-scorm")
    placeholder = Flask("placeholder")
    platform_server = make_server("127.0.0.1", 0, placeholder, threaded=True)
    content_server = make_server("127.0.0.1", 0, placeholder, threaded=True)
    platform = f"http://127.0.0.1:{platform_server.server_port}"
    content = f"http://localhost:{content_server.server_port}"

    def build() -> tuple[Flask, Flask]:
        url = f"sqlite:///{tmp / 'scorm.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url).with_overrides(
            base_url=platform, content_origin=content, storage_url=f"file://{tmp / 'media'}"
        )
        application = create_app(settings=settings)
        storage = application.extensions["mooc_storage"]
        with application.app_context():
            import_tree(db.session, storage, load_tree(CONTENT))
            teacher = register(db.session, email=TEACHER, password=PASSWORD, name="Cô Lan")
            course = db.session.query(Course).filter_by(slug=COURSE).one()
            grant_role(
                db.session,
                teacher,
                get_institution(db.session, course.institution.slug),
                Role.TEACHER,
            )
            assign_teacher(db.session, course, teacher.id)
            db.session.commit()
        return application, create_content_app(settings, storage)

    application, content_app = off_the_event_loop(build)
    platform_server.app = application
    content_server.app = content_app
    threads = [_serve(platform_server), _serve(content_server)]
    try:
        yield platform, content
    finally:
        for server in (platform_server, content_server):
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(10)


def _upload(page: Page, base: str, path: Path, title: str) -> None:
    page.goto(f"{base}/author/courses/{COURSE}")
    page.get_by_role("link", name="Upload a SCORM package").first.click()
    page.get_by_label("SCORM package").set_input_files(str(path))
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Upload as a lecture").click()
    expect(page.get_by_role("status")).to_contain_text("The SCORM package is a lecture now")


def _pupil(page: Page, base: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill("Lê Thu Hà")
    page.get_by_label("Email").fill(f"ha-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.goto(f"{base}/courses/{COURSE}")
    page.get_by_role("button", name="Enrol for free").click()


def _sco(page: Page) -> FrameLocator:
    return page.frame_locator("#scorm-player iframe").frame_locator("#sco")


def _lecture_url(page: Page, base: str, title: str) -> str:
    page.goto(f"{base}/courses/{COURSE}")
    href = page.get_by_role("link", name=title).get_attribute("href")
    assert href
    return f"{base}{href}"


def test_scorm_packages_play_resume_complete_and_stay_isolated(
    browser: Browser, servers: tuple[str, str], tmp_path: Path
) -> None:
    platform, _content = servers
    one = tmp_path / "scorm12.zip"
    one.write_bytes(build_package("1.2", "Gói SCORM 1.2", scos=[("sco-a", "Bài A")]))
    two = tmp_path / "scorm2004.zip"
    two.write_bytes(
        build_package("2004", "Gói SCORM 2004", scos=[("p1", "Phần 1"), ("p2", "Phần 2")])
    )
    hostile = tmp_path / "hostile.zip"
    hostile.write_bytes(
        build_package("1.2", "Gói thử", sco_script=f'var PLATFORM = "{platform}";' + HOSTILE)
    )

    teacher = browser.new_context(locale="en-US")
    page = teacher.new_page()
    log_in(page, platform, TEACHER, PASSWORD)
    _upload(page, platform, one, "Chuyển động (SCORM 1.2)")
    _upload(page, platform, two, "Chuyển động (SCORM 2004)")
    page.get_by_label("The package's score counts in the final grade").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("SCORM settings saved")
    _upload(page, platform, hostile, "Gói thử")
    teacher.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        _pupil(page, platform)
        player = page.locator("#scorm-player")

        # SCORM 1.2: one page forward, leave, come back to the same place.
        url = _lecture_url(page, platform, "Chuyển động (SCORM 1.2)")
        page.goto(url)
        sco = _sco(page)
        expect(sco.locator("#state")).to_contain_text("page 1", timeout=15_000)
        expect(player).to_have_attribute("data-state", "running")
        sco.get_by_role("button", name="Next page").click()
        expect(sco.locator("#state")).to_have_text("page 2 saved")
        expect(player).to_have_attribute("data-saved", "1", timeout=15_000)
        page.goto(f"{platform}/courses/{COURSE}")
        page.goto(url)
        expect(_sco(page).locator("#state")).to_have_text(
            "page 2 entry=resume data=visited:2", timeout=15_000
        )
        _sco(page).get_by_role("button", name="Finish").click()
        expect(player).to_have_attribute("data-lecture-done", "true", timeout=15_000)

        # SCORM 2004, two SCOs from the table of contents.
        page.goto(_lecture_url(page, platform, "Chuyển động (SCORM 2004)"))
        toc = page.get_by_role("navigation", name="Parts of this lesson")
        expect(toc.locator("ol").get_by_role("button")).to_have_count(2)
        expect(_sco(page).locator("#state")).to_contain_text("page 1", timeout=15_000)
        _sco(page).get_by_role("button", name="Finish").click()
        expect(toc.get_by_role("button", name="Phần 1")).to_contain_text("✓", timeout=15_000)
        toc.get_by_role("button", name="Phần 2").click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 2", timeout=15_000)
        expect(_sco(page).locator("#state")).to_contain_text("page 1")
        _sco(page).get_by_role("button", name="Finish").click()
        expect(player).to_have_attribute("data-lecture-done", "true", timeout=15_000)
        expect(player.locator(".scorm-status")).to_contain_text("90")

        page.goto(f"{platform}/courses/{COURSE}")
        for title in ("Chuyển động (SCORM 1.2)", "Chuyển động (SCORM 2004)"):
            item = page.locator("li", has=page.get_by_role("link", name=title))
            expect(item).to_contain_text("done")

        # The hostile package, with a script-readable cookie of the platform's to steal.
        context.add_cookies([{"name": "readable", "value": "secret", "url": platform}])
        url = _lecture_url(page, platform, "Gói thử")
        page.goto(url)
        probe = _sco(page).locator("#probe")
        expect(probe).to_have_attribute("data-fetch", "blocked", timeout=15_000)
        expect(probe).to_have_attribute("data-top-cookie", "blocked")
        assert "secret" not in (probe.get_attribute("data-cookie") or "")
        assert "mooc_session" not in (probe.get_attribute("data-cookie") or "")
        page.wait_for_timeout(500)
        assert page.url == url  # the top window stayed where it was
        expect(page.get_by_role("heading", level=1)).to_have_text("Gói thử")
    finally:
        context.close()


def test_a_sco_that_never_initialises_is_told_not_left_silent(
    browser: Browser, servers: tuple[str, str], tmp_path: Path
) -> None:
    platform, _content = servers
    silent = tmp_path / "silent.zip"
    files = {
        "imsmanifest.xml": manifest("2004", "Gói im lặng", [("s", "S", "s/index.html")]),
        "s/index.html": "<!doctype html><title>S</title><p id='here'>never calls Initialize</p>",
    }
    silent.write_bytes(build_zip(files))
    teacher = browser.new_context(locale="en-US")
    page = teacher.new_page()
    log_in(page, platform, TEACHER, PASSWORD)
    _upload(page, platform, silent, "Gói im lặng")
    teacher.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        _pupil(page, platform)
        url = _lecture_url(page, platform, "Gói im lặng")

        # The 30 s a real lesson gets before the notice, cut for the test.
        page.add_init_script(
            "const later = window.setTimeout; window.setTimeout = (f, ms, ...rest) =>"
            " later(f, ms === 30000 ? 1500 : ms, ...rest);"
        )
        page.goto(url)
        expect(_sco(page).locator("#here")).to_be_visible(timeout=15_000)
        player = page.locator("#scorm-player")
        expect(player).to_have_attribute("data-state", "no-initialize", timeout=10_000)
        expect(player.locator(".scorm-status")).to_contain_text("has not started its tracking")
    finally:
        context.close()


def test_a_multi_sco_package_follows_navigation_requests_and_previous_next(
    browser: Browser,
    servers: tuple[str, str],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    platform, _content = servers
    package = tmp_path / "three.zip"
    package.write_bytes(
        build_package(
            "2004",
            "Ba phần",
            scos=[("p1", "Phần 1: Mở đầu"), ("p2", "Phần 2: Bài tập"), ("p3", "Phần 3: Tổng kết")],
            navs={"p1": "continue", "p2": "{target=p3}choice", "p3": "exitAll"},
        )
    )
    teacher = browser.new_context(locale="en-US")
    page = teacher.new_page()
    log_in(page, platform, TEACHER, PASSWORD)
    _upload(page, platform, package, "Chuyển động (ba phần)")
    teacher.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        _pupil(page, platform)
        url = _lecture_url(page, platform, "Chuyển động (ba phần)")
        page.goto(url)
        player = page.locator("#scorm-player")
        toc = page.get_by_role("navigation", name="Parts of this lesson")
        previous = toc.get_by_role("button", name="Previous part")
        following = toc.get_by_role("button", name="Next part")
        state = _sco(page).locator("#state")
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 1: Mở đầu", timeout=15_000)
        # What the SCO read from adl.nav.request_valid, as the player's buttons show it.
        expect(state).to_have_attribute("data-continue", "true")
        expect(state).to_have_attribute("data-previous", "false")
        expect(previous).to_be_disabled()
        expect(toc.get_by_role("button", name="Phần 1: Mở đầu")).to_have_attribute(
            "aria-current", "step"
        )

        # The SCO finishes with adl.nav.request = continue: the player opens the next one.
        _sco(page).get_by_role("button", name="Finish").click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 2: Bài tập", timeout=15_000)
        expect(state).to_have_attribute("data-previous", "true")
        expect(toc.get_by_role("button", name="Phần 1: Mở đầu")).to_contain_text("✓")

        # The player's own previous and next.
        expect(previous).to_be_enabled()
        previous.click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 1: Mở đầu", timeout=15_000)
        following.click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 2: Bài tập", timeout=15_000)

        # {target=p3}choice, then exitAll from the last SCO, which rolls the lesson up as done.
        _sco(page).get_by_role("button", name="Finish").click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 3: Tổng kết", timeout=15_000)
        expect(state).to_have_attribute("data-continue", "false")
        expect(following).to_be_disabled()
        _sco(page).get_by_role("button", name="Finish").click()
        expect(player).to_have_attribute("data-state", "end", timeout=15_000)
        expect(player).to_have_attribute("data-lecture-done", "true")
        expect(player.locator(".scorm-status")).to_contain_text("You have left the lesson")
        expect(page.locator("#scorm-player iframe")).to_be_hidden()
        # Choosing a part from the table of contents opens it again.
        toc.get_by_role("button", name="Phần 2: Bài tập").click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 2: Bài tập", timeout=15_000)
    finally:
        context.close()

    shots = tmp_path_factory.mktemp("scorm-player-screenshots")
    print(f"screenshots: {shots}")
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    try:
        _pupil_vi(page, platform)
        page.goto(url)
        toc = page.get_by_role("navigation", name="Các phần của bài học")
        expect(toc.get_by_role("button", name="Phần tiếp theo")).to_be_enabled(timeout=15_000)
        expect(_sco(page).locator("#state")).to_contain_text("page 1", timeout=15_000)
        _sco(page).get_by_role("button", name="Finish").click()
        expect(_sco(page).get_by_role("heading")).to_have_text("Phần 2: Bài tập", timeout=15_000)
        for width, height in ((360, 640), (1280, 800)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(shots / f"scorm-player-vi-{width}.png"), full_page=True)
    finally:
        context.close()


def _pupil_vi(page: Page, base: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Họ và tên").fill("Trần Minh Khoa")
    page.get_by_label("Email").fill(f"khoa-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.goto(f"{base}/courses/{COURSE}")
    page.get_by_role("button", name="Ghi danh miễn phí").click()
