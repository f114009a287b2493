"""Issue journey (#9): a teacher assigns a quiz due tomorrow to class 6A1; a pupil sees it under
"to do" on the dashboard, takes it, and it moves to the done list. Screenshots at 360 and 1280 px
go to $MOOC_SCREENSHOTS, else the test's temporary folder (look at them when changing these
pages)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from mooc.accounts.models import InstitutionKind, Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.schools.models import ClassMember, ClassRole, SchoolClass, SchoolYear
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.helpers import CONTENT, make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "journey password 123"
TEACHER = "co-lan@example.org"
PUPIL = "an.nguyen@example.org"


@pytest.fixture(scope="module")
def classroom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("e2e-assign")
    made: dict[str, Any] = {}

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp / 'assign.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            session = db.session
            import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
            school = get_institution(session, "thcs-ba-dinh")
            assert school.kind is InstitutionKind.SCHOOL
            teacher = register(session, email=TEACHER, password=PASSWORD, name="Cô Lan")
            grant_role(session, teacher, school, Role.TEACHER)
            pupil = register(session, email=PUPIL, password=PASSWORD, name="Nguyễn An")
            year = SchoolYear(
                institution_id=school.id,
                name="2026–2027",
                starts_on=dt.date(2026, 9, 5),
                ends_on=dt.date(2027, 5, 31),
            )
            room = SchoolClass(institution=school, school_year=year, name="6A1", grade=6)
            session.add_all(
                [
                    year,
                    room,
                    ClassMember(school_class=room, user=teacher, role=ClassRole.HOMEROOM),
                    ClassMember(school_class=room, user=pupil, role=ClassRole.PUPIL),
                ]
            )
            session.commit()
            made["class_id"] = room.id
        return application

    with serving(build) as url:
        yield url, made["class_id"]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MOOC_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page: Page, folder: Path, name: str) -> None:
    for width, height in ((360, 640), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_pupil_does_the_quiz_the_teacher_assigned_for_tomorrow(
    browser: Browser, classroom_server: tuple[str, int], shots: Path
) -> None:
    base, class_id = classroom_server
    tomorrow = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(days=1)

    teacher = browser.new_context(locale="en-US").new_page()
    log_in(teacher, base, TEACHER, PASSWORD)
    teacher.goto(f"{base}/classes/{class_id}/assignments")
    expect(teacher.get_by_text("No work assigned to this class yet.")).to_be_visible()
    teacher.get_by_role("link", name="Assign work").click()
    teacher.get_by_label("Course").select_option(label="Toán lớp 6 (grade 6)")
    _shoot(teacher, shots, "assignment-course")
    teacher.get_by_role("button", name="Next").click()
    expect(teacher.get_by_label("A quiz")).to_be_checked()
    teacher.get_by_label("Quiz", exact=True).select_option(label="Kiểm tra tổng hợp Toán lớp 6")
    teacher.get_by_label("Due (optional)").fill(f"{tomorrow.isoformat()}T17:00")
    teacher.get_by_label("A note for the pupils (optional)").fill("Làm cẩn thận nhé!")
    _shoot(teacher, shots, "assignment-new")
    teacher.get_by_role("button", name="Assign", exact=True).click()
    expect(teacher.get_by_role("status")).to_contain_text("The work is assigned to class 6A1")
    row = teacher.locator("tbody tr").first
    expect(row).to_contain_text("Kiểm tra tổng hợp Toán lớp 6")
    expect(row).to_contain_text("(GMT+07:00)")  # the teacher's zone, with its label
    expect(row).to_contain_text("0 of 1")
    _shoot(teacher, shots, "assignments")
    teacher.get_by_role("link", name="Withdraw").first.focus()  # reachable by keyboard
    teacher.context.close()

    pupil = browser.new_context(locale="en-US").new_page()
    log_in(pupil, base, PUPIL, PASSWORD)
    pupil.goto(f"{base}/dashboard")
    todo = pupil.locator("section.todo-panel")
    expect(todo.get_by_role("heading", name="To do")).to_be_visible()
    expect(todo).to_contain_text("Due tomorrow")
    expect(todo).to_contain_text("Làm cẩn thận nhé!")
    _shoot(pupil, shots, "dashboard-todo")
    todo.get_by_role("link", name="Kiểm tra tổng hợp Toán lớp 6").click()
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Kiểm tra tổng hợp Toán lớp 6")
    expect(pupil.locator("main")).to_contain_text("Due ")
    pupil.get_by_role("button", name="Start the quiz").click()
    pupil.locator("fieldset.question").first.locator("input").first.fill("4")
    pupil.get_by_role("button", name="Submit answers").click()
    expect(pupil.get_by_role("heading", level=1)).to_contain_text("Attempt 1")
    # Three attempts allowed: the right answers stay hidden after the first.
    expect(pupil.locator("#answers-hidden")).to_be_visible()
    expect(pupil.locator("main")).not_to_contain_text("right answer")
    _shoot(pupil, shots, "result-hidden")

    pupil.goto(f"{base}/my/todo")
    expect(pupil.locator("main")).to_contain_text("Nothing to do right now.")
    done = pupil.locator("details.done-list")
    done.locator("summary").click()
    expect(done).to_contain_text("Kiểm tra tổng hợp Toán lớp 6")
    expect(done).to_contain_text("Done")
    _shoot(pupil, shots, "todo-done")
    pupil.context.close()
