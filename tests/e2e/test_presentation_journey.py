"""A university requests and receives a presentation: Đại học Đà Nẵng's registrar makes a request
for records (QR code and link); the student opens the link, ticks the INT1001 record and presents
it; the registrar sees it answered and the record in the queue, verified with the holder's
signature. A presentation file is verified on /verify with its challenge and domain. Screenshots
of the new pages at 360×640 and 1280×800 (in MOOC_SCREENSHOTS when set)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.credentials.services.holder_keys import holder_signer, present_records
from mooc.credentials.services.issuing import IssuingContext, issue_completion_record
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.e2e.universities import agree_with_mo_ha_noi
from tests.factories import complete
from tests.helpers import CONTENT, TEST_KEK, make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
STUDENT = "hoa.present@example.org"
OFFICER = "registrar.present@example.org"
CHALLENGE = "e2e-challenge-0001"
DOMAIN = "https://registrar.example"


def _prepare(application: Flask, presentation_file: Path) -> None:
    """Seed courses; a student with the INT1001 record; Đà Nẵng's staff, trust and rule; a
    presentation of the record, signed for CHALLENGE and DOMAIN, saved for /verify."""
    with application.app_context():
        session = db.session
        import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
        student = register(
            session, email=STUDENT, password=PASSWORD, name="Đỗ Thị Hoa", locale="en"
        )
        officer = register(
            session, email=OFFICER, password=PASSWORD, name="Lê Văn Tâm", locale="en"
        )
        university = get_institution(session, "dai-hoc-da-nang")
        grant_role(session, officer, university, Role.STAFF)
        context = IssuingContext.from_settings(application.config["MOOC_SETTINGS"])
        record = issue_completion_record(
            session, complete(session, student, "intro-programming"), context
        )
        agree_with_mo_ha_noi(session, university, officer, min_grade=Decimal(50))
        signer = holder_signer(session, student, context.kek)
        shown = present_records(signer, [record], challenge=CHALLENGE, domain=DOMAIN)
        presentation_file.write_text(json.dumps(shown, ensure_ascii=False), encoding="utf-8")
        session.commit()
        session.close()


@pytest.fixture(scope="module")
def present_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("e2e-present")
    presentation_file = tmp / "presentation.json"

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'present.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url).with_overrides(key_encryption_key=TEST_KEK)
        application = create_app(settings=settings)
        _prepare(application, presentation_file)
        return application

    with serving(build) as url:
        yield url, presentation_file


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


def _logout(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Log out", exact=True).click()


def test_a_university_requests_and_receives_a_presentation(
    page: Page, present_server: tuple[str, Any], shots: Path
) -> None:
    base, _file = present_server
    # The registrar asks for records.
    log_in(page, base, OFFICER, PASSWORD)
    page.goto(f"{base}/university")
    page.get_by_role("link", name="Requests for records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for records")
    page.get_by_label("What the records are for").fill("Admission 2027: courses taken elsewhere")
    page.get_by_label("Open for").select_option(label="1 day")
    _shoot(page, shots, "record-requests")
    page.get_by_role("button", name="Create the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Admission 2027")
    expect(page.get_by_role("img", name="QR code of the request for records")).to_be_visible()
    link = page.locator("code.share-url").inner_text()
    assert (
        re.fullmatch(r"http://127\.0\.0\.1:\d+/records/requests/[\w-]+", link)
        or "/records/requests/" in link
    )
    request_page = page.url
    _shoot(page, shots, "record-request")
    _logout(page)

    # The student opens the link, chooses the record and presents it.
    log_in(page, base, STUDENT, PASSWORD)
    page.goto(base + link[link.index("/records/requests/") :])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đại học Đà Nẵng asks for your records"
    )
    page.get_by_label("Introduction to Programming").check()
    _shoot(page, shots, "record-request-answer")
    page.get_by_role("button", name="Present these records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request to Đại học Đà Nẵng")
    expect(page.locator("main")).to_contain_text("Introduction to Programming")
    _logout(page)

    # The registrar sees the answer; the record is in the queue, verified, with the holder's proof.
    log_in(page, base, OFFICER, PASSWORD)
    page.goto(request_page)
    expect(page.locator("main")).to_contain_text("Answered by Đỗ Thị Hoa")
    _shoot(page, shots, "record-request-answered")
    page.locator("main").get_by_role("link", name="Introduction to Programming").click()
    main = page.locator("main")
    expect(main).to_contain_text("Verified: authentic, unchanged, not revoked")
    expect(main).to_contain_text("The holder signed this presentation")


def test_the_verify_page_reports_a_presentation(
    page: Page, present_server: tuple[str, Path], shots: Path
) -> None:
    base, presentation_file = present_server
    page.goto(f"{base}/verify")
    page.get_by_label("Or choose the record's file").set_input_files(presentation_file)
    page.get_by_label("Challenge you gave the holder").fill(CHALLENGE)
    page.get_by_label("Your domain").fill(DOMAIN)
    page.get_by_role("button", name="Verify").click()
    main = page.locator("main")
    expect(main).to_contain_text(
        "Valid: the holder signed this presentation, and every record in it is valid."
    )
    expect(main).to_contain_text("Record 1 of 1")
    expect(main).to_contain_text("Introduction to Programming")
    _shoot(page, shots, "verify-presentation")
    page.get_by_label("Or choose the record's file").set_input_files(presentation_file)
    page.get_by_label("Challenge you gave the holder").fill("another")
    page.get_by_role("button", name="Verify").click()
    expect(main).to_contain_text("NOT valid: the holder's signature does not verify")
