"""Issue journey: a student enrols, reads two lectures, fails the quiz once, passes it, and
sees the course completed with its grade on the dashboard; the lecture page works without
JavaScript. Runs on its own server with a two-lecture course written for the journey."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Page, expect

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.serving import serving, write_files
from tests.helpers import make_settings

pytestmark = pytest.mark.e2e
T = TypeVar("T")
PASSWORD = "a long enough password"

COURSE = {
    "institutions.yaml": """\
        - slug: thcs-e2e
          name: Trường THCS Thử Nghiệm
          kind: school
        """,
    "dien-tich/course.md": """\
        ---
        slug: dien-tich
        title: Diện tích hình chữ nhật
        institution: thcs-e2e
        language: vi
        level: k12
        grade: 4
        subject: math
        pass_mark: 50
        outcomes:
          - Tính diện tích hình chữ nhật.
        sections:
          - title: Bài học
            items:
              - lecture: khai-niem
              - lecture: cong-thuc
              - quiz: kiem-tra
        ---
        Một khóa học ngắn về diện tích.
        """,
    "dien-tich/lectures/khai-niem.md": """\
        ---
        title: Khái niệm diện tích
        minutes: 5
        ---
        ## Diện tích là gì?

        Diện tích cho biết một hình **rộng** bao nhiêu.
        """,
    "dien-tich/lectures/cong-thuc.md": """\
        ---
        title: Công thức
        minutes: 5
        ---
        ## Công thức

        Diện tích hình chữ nhật: $S = a \\times b$.

        | a | b | S |
        |---|---|---|
        | 2 | 3 | 6 |
        """,
    "dien-tich/quizzes/kiem-tra.yaml": """\
        title: Kiểm tra diện tích
        pass_mark: 50
        max_attempts: 3
        policy: best
        reveal: after_each
        questions:
          - type: single
            prompt: "Hình chữ nhật 2 × 3 có diện tích bao nhiêu?"
            options:
              - text: "5"
              - text: "6"
                correct: true
            explanation: "S = 2 × 3 = 6."
          - type: numeric
            prompt: "Hình chữ nhật 4 × 5 có diện tích bao nhiêu?"
            answer: 20
            explanation: "S = 4 × 5 = 20."
        """,
}


@pytest.fixture(scope="module")
def learning_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-learning")
    content = write_files(tmp / "content", COURSE)

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp / 'learning.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            storage = application.extensions["mooc_storage"]
            import_tree(db.session, storage, load_tree(Path(content)))
            db.session.commit()
        return application

    with serving(build) as url:
        yield url


def _register(page: Page, base: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill("Hoàng Văn Nam")
    page.get_by_label("Email").fill(f"nam-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")


def _answer(page: Page, single: str, number: str) -> None:
    page.get_by_role("radio", name=single, exact=True).check()
    page.get_by_label("Your answer (a number)").fill(number)
    page.get_by_role("button", name="Submit answers").click()


def test_student_completes_a_course_after_failing_the_quiz_once(
    page: Page, learning_server: str
) -> None:
    base = learning_server
    _register(page, base)
    page.goto(f"{base}/courses/dien-tich")
    page.get_by_role("button", name="Enrol for free").click()
    # Enrolling leads straight to the first lecture.
    expect(page.get_by_role("heading", level=1)).to_have_text("Khái niệm diện tích")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Công thức")
    expect(page.locator("article.lecture math")).to_have_count(1)  # MathML from the server
    expect(page.locator("article.lecture table")).to_have_count(1)
    page.get_by_role("button", name="Mark as done").click()

    page.goto(f"{base}/courses/dien-tich")
    page.get_by_role("link", name="Kiểm tra diện tích").click()
    page.get_by_role("button", name="Start the quiz").click()
    _answer(page, "A. 5", "21")  # both wrong (options are named by their letter, then text)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attempt 1: 0%")
    expect(page.locator("main")).to_contain_text("Not passed yet")
    expect(page.locator("main")).to_contain_text("S = 2 × 3 = 6.")  # the explanation

    page.get_by_role("link", name="Back to the quiz").click()
    expect(page.locator("main")).to_contain_text("2 attempts left")
    page.get_by_role("button", name="Try again").click()
    _answer(page, "B. 6", "20")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attempt 2: 100%")
    expect(page.get_by_role("status")).to_contain_text("Congratulations")

    page.goto(f"{base}/dashboard")
    completed = page.locator("table").filter(has_text="Diện tích hình chữ nhật")
    expect(completed).to_contain_text("100/100")
    expect(page.locator("main")).to_contain_text("Completed")


def test_lecture_page_works_without_javascript(browser: Browser, learning_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    try:
        _register(page, learning_server)
        page.goto(f"{learning_server}/courses/dien-tich")
        page.get_by_role("button", name="Enrol for free").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Khái niệm diện tích")
        outline = page.get_by_role("navigation", name="On this page")
        expect(outline.get_by_role("link", name="Diện tích là gì?")).to_be_visible()
        page.get_by_role("button", name="Mark as done").click()
        expect(page).to_have_url(re.compile(r"/lectures/cong-thuc$"))
        page.get_by_role("link", name=re.compile("Khái niệm diện tích")).click()
        expect(page.locator("main")).to_contain_text("You have finished this lecture.")
    finally:
        context.close()
