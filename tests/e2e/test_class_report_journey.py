"""Issue journey: a teacher opens their class's report from "My classes", reads the pupils ×
assignments table, opens a quiz's item analysis, downloads both CSVs, and opens a pupil's
printable report for parents; screenshots at 360 px and 1280 px and in print media."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.classroom_data import BuiltClass, build_class
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.helpers import CONTENT, make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "teacher password 123"


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, BuiltClass]]:
    tmp = tmp_path_factory.mktemp("e2e-class-report")
    built: list[BuiltClass] = []

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp / 'report.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
            built.append(build_class(db.session, pupils=12, items=8, password=PASSWORD))
            db.session.commit()
        return application

    with serving(build) as url:
        yield url, built[0]


def test_a_teacher_reads_the_class_report_and_item_analysis_and_downloads_the_csv(
    browser: Browser,
    report_server: tuple[str, BuiltClass],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base, built = report_server
    context = browser.new_context(locale="en-US", accept_downloads=True)
    page = context.new_page()
    log_in(page, base, built.teacher_email, PASSWORD)

    page.goto(f"{base}/author/")
    page.get_by_role("link", name="Class report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("6A1")
    table = page.get_by_role("region", name="12 pupils × 8 assigned items")
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table.locator("tfoot th")).to_have_text("Class")
    # The pupils' column stays in view while the table scrolls sideways.
    first_cell = table.locator("tbody th").first
    assert first_cell.evaluate("el => getComputedStyle(el).position") == "sticky"

    with page.expect_download() as report_download:
        page.get_by_role("link", name="Download as CSV").click()
    data = Path(report_download.value.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 12 + 1 and rows[-1][0] == "class average"

    shots = tmp_path_factory.mktemp("class-report-screenshots")
    print(f"screenshots: {shots}")
    for width, height in ((1280, 800), (360, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"class-report-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.set_viewport_size({"width": 1280, "height": 800})
    table.locator("thead a").first.click()  # a quiz column's heading opens its item analysis
    expect(page.get_by_role("heading", level=1)).to_contain_text("Item analysis")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.get_by_text("upper–lower index")).to_be_visible()
    questions = page.get_by_role("region", name="Questions")
    assert questions.locator("tbody tr").count() >= 5
    with page.expect_download() as analysis_download:
        page.get_by_role("link", name="Download as CSV").click()
    header = Path(analysis_download.value.path()).read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("number,question,drew,answered,correct,share_correct")
    for width, height in ((1280, 800), (360, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"item-analysis-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # A pupil's report for parents: printable, in the school's language, without the site's menu.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/classes/{built.class_id}/report")
    page.get_by_role("region", name="12 pupils × 8 assigned items").locator(
        "tbody th a"
    ).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo kết quả học tập")
    expect(page.get_by_role("button", name="In")).to_be_visible()  # the script showed it
    page.screenshot(path=str(shots / "pupil-report-1280.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("button", name="In")).to_be_hidden()
    page.screenshot(path=str(shots / "pupil-report-print.png"), full_page=True)
    page.pdf(path=str(shots / "pupil-report.pdf"), format="A4")
    context.close()
