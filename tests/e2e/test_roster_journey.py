"""Roster journey: a school's staff member opens the school from the menu, uploads a OneRoster
export (.zip), reads the dry-run preview (new classes and accounts with generated usernames),
imports it, and finds the pupils on the class page; uploading it again changes nothing."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

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
PASSWORD = "a long enough password"
STAFF = "van.thu@thcs-ba-dinh.test"
ROSTER = Path(__file__).resolve().parents[1] / "data" / "oneroster" / "v1.1"


@pytest.fixture(scope="module")
def school_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-roster")

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'roster.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            session = db.session
            import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
            staff = register(
                session, email=STAFF, password=PASSWORD, name="Vũ Thu Hương", locale="en"
            )
            grant_role(session, staff, get_institution(session, "thcs-ba-dinh"), Role.STAFF)
            session.commit()
            session.close()
        return application

    with serving(build) as url:
        yield url


def test_staff_upload_a_roster_preview_it_and_import(
    page: Page, school_server: str, tmp_path: Path
) -> None:
    base = school_server
    export = tmp_path / "smas-export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for file in ROSTER.iterdir():
            archive.write(file, file.name)
    log_in(page, base, STAFF, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="School").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trường THCS Ba Đình")
    page.locator("main").get_by_role("link", name="Import a roster").click()
    page.get_by_label("Roster file").set_input_files(export)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before importing")
    main = page.locator("main")
    expect(main).to_contain_text("Nothing has changed yet")
    expect(main.get_by_role("table")).to_contain_text("minh.tran.6a1")
    expect(main.get_by_role("table")).to_contain_text("lan.nguyen2.6a1")
    expect(main).to_contain_text("6A1")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("The roster is imported")
    expect(main).to_contain_text("Accounts created5")
    page.get_by_role("link", name="See the classes").click()
    page.get_by_role("link", name="6A1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Class 6A1")
    pupils = page.get_by_role("table").filter(has_text="Pupil")
    expect(pupils).to_contain_text("Trần Đức Minh")
    expect(pupils).to_contain_text("Nguyễn Ngọc Lan")
    expect(main).to_contain_text("Phạm Thu Hằng")  # the subject teacher from enrollments.csv
    # The same export again: the preview says it changes nothing.
    page.goto(f"{base}/schools/thcs-ba-dinh/roster")
    page.get_by_label("Roster file").set_input_files(export)
    page.get_by_role("button", name="Check the file").click()
    expect(main).to_contain_text("importing it changes nothing")
