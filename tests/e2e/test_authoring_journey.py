"""Issue journey: a teacher creates a course, writes a lecture with a formula, a table and an
uploaded image, previews and publishes it; a student finds and reads it; the teacher edits and
republishes; the history shows both versions."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.helpers import CONTENT, make_settings

pytestmark = pytest.mark.e2e
T = TypeVar("T")
PASSWORD = "teacher password 123"
TEACHER = "co-hoa@example.org"


@pytest.fixture(scope="module")
def authoring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-authoring")

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp / 'authoring.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url)
        application = create_app(
            settings=settings.with_overrides(storage_url=f"file://{tmp / 'media'}")
        )
        with application.app_context():
            import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
            teacher = register(db.session, email=TEACHER, password=PASSWORD, name="Cô Hòa")
            grant_role(
                db.session, teacher, get_institution(db.session, "thcs-ba-dinh"), Role.TEACHER
            )
            db.session.commit()
        return application

    with serving(build) as url:
        yield url


def _image(tmp: Path) -> Path:
    path = tmp / "tam-giac.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "teal").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


SOURCE_V1 = """## Định lý Pythagore

Trong tam giác vuông: $a^2 + b^2 = c^2$.

| a | b | c |
|---|---|---|
| 3 | 4 | 5 |

![Tam giác vuông](media/tam-giac.png)
"""


def test_teacher_publishes_a_lecture_a_student_reads_it_and_history_has_both_versions(
    browser: Browser, authoring_server: str, tmp_path: Path
) -> None:
    base = authoring_server
    slug = f"hinh-hoc-{uuid.uuid4().hex[:6]}"
    teacher = browser.new_context(locale="en-US")
    page = teacher.new_page()
    log_in(page, base, TEACHER, PASSWORD)

    page.goto(f"{base}/author/courses/new")
    page.get_by_label("Title").fill("Hình học thực hành")
    page.get_by_label("Address (letters, digits, hyphens)").fill(slug)
    page.get_by_label("Level", exact=True).select_option("k12")
    page.get_by_label("Grade (school courses)").fill("8")
    page.get_by_label("Subject").select_option("math")
    page.get_by_label("Description (Markdown)").fill("Hình học qua các bài toán thực tế.")
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("status")).to_contain_text("created as a draft")

    page.get_by_role("link", name="Media library").click()
    page.get_by_label("File (image, PDF, audio, video or WebVTT captions)").set_input_files(
        str(_image(tmp_path))
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("media/tam-giac.png")

    page.goto(f"{base}/author/courses/{slug}")
    page.get_by_label("New lecture title").first.fill("Định lý Pythagore")
    page.get_by_role("button", name="Add lecture").first.click()
    page.get_by_label("Lecture text (Markdown; $math$ and $$display math$$)").fill(SOURCE_V1)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview.locator("table")).to_have_count(1)
    expect(preview.get_by_role("img", name="Tam giác vuông")).to_be_visible()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".flashes")).to_contain_text("Published as version 1")
    page.goto(f"{base}/author/courses/{slug}")
    page.get_by_role("button", name="Publish the course").click()
    expect(page.get_by_role("status")).to_contain_text("The course is published")

    # A student finds the course without diacritics and reads the (free preview) lecture.
    student = browser.new_context(locale="en-US").new_page()
    student.goto(f"{base}/courses?q=hinh+hoc+thuc+hanh")
    student.get_by_role("link", name="Hình học thực hành").click()
    student.get_by_role("link", name="Read the first lecture for free").click()
    lecture = student.locator("article.lecture")
    expect(lecture.locator("math")).to_have_count(1)
    image = lecture.get_by_role("img", name="Tam giác vuông")
    expect(image).to_have_attribute("width", "120")
    expect(image).to_have_attribute("loading", "lazy")
    # Lazy: it loads once laid out, a moment after the page.
    # A function, as the other journeys wait: Playwright polls a bare expression with eval,
    # which the page's Content-Security-Policy refuses (it failed whenever the image was not
    # loaded at the first look).
    student.wait_for_function(
        "() => document.querySelector('article.lecture img').naturalWidth === 120",
        timeout=15_000,
    )

    # The teacher edits and republishes; the student sees the new text.
    page.goto(f"{base}/author/courses/{slug}")
    page.get_by_role("link", name="Định lý Pythagore").click()
    page.get_by_label("Lecture text (Markdown; $math$ and $$display math$$)").fill(
        SOURCE_V1 + "\nVí dụ: $6^2 + 8^2 = 10^2$.\n"
    )
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".flashes")).to_contain_text("Published as version 2")
    student.reload()
    expect(student.locator("article.lecture")).to_contain_text("Ví dụ")

    page.get_by_role("link", name="History").click()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.diff")).to_contain_text("Ví dụ")
    teacher.close()
