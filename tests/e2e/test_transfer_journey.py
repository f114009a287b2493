"""Credit-transfer journey: a student who completed Introduction to Programming (INT1001) sends
its signed record to Đại học Đà Nẵng; the university's staff member sees it verified with the
proposed 3 credits for IT1010 and accepts; the student sees the recognised credits, downloads
the signed recognition record, and the public verify page reports it valid.

Runs on its own server with a key-encryption key; the completion is prepared through the
services (the learning journey clicks through a course already)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
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
T = TypeVar("T")
PASSWORD = "a long enough password"
STUDENT = "hoa.transfer@example.org"
OFFICER = "registrar.transfer@example.org"


def _prepare(application: Flask) -> None:
    """Seed courses; a student with the INT1001 record; Đà Nẵng's staff, trust and rule."""
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
        completion = complete(session, student, "intro-programming")
        settings = application.config["MOOC_SETTINGS"]
        issue_completion_record(session, completion, IssuingContext.from_settings(settings))
        agree_with_mo_ha_noi(session, university, officer, min_grade=Decimal(50))
        session.commit()
        session.close()


@pytest.fixture(scope="module")
def transfer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-transfer")

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'transfer.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url).with_overrides(key_encryption_key=TEST_KEK)
        application = create_app(settings=settings)
        _prepare(application)
        return application

    with serving(build) as url:
        yield url


def _logout(page: Page) -> None:
    """Log out and wait until it is done: the page first clears the account's offline copies,
    so the form leaves a moment after the click."""
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out")


def test_a_record_is_sent_recognised_and_its_recognition_verified(
    page: Page, transfer_server: str, tmp_path: Path
) -> None:
    base = transfer_server
    # The student sends the record from My records.
    log_in(page, base, STUDENT, PASSWORD)
    page.goto(f"{base}/records")
    expect(page.locator("main")).to_contain_text("Introduction to Programming")
    page.get_by_role("link", name="Send records to a university").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send records to a university")
    page.get_by_label("University", exact=True).select_option(label="Đại học Đà Nẵng")
    page.get_by_label(re.compile("^Introduction to Programming")).check()
    page.get_by_label("Message to the university (optional)").fill("Student number 102240517")
    page.get_by_role("button", name="Send the records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request to Đại học Đà Nẵng")
    expect(page.locator("main")).to_contain_text("Waiting for a decision")
    _logout(page)

    # The university's staff member sees it verified, with 3 proposed credits, and accepts.
    log_in(page, base, OFFICER, PASSWORD)
    page.goto(f"{base}/university")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recognition queue")
    page.get_by_role("link", name="Introduction to Programming").click()
    main = page.locator("main")
    expect(main).to_contain_text(
        "Verified: authentic, unchanged, not revoked, and its issuer is on the trust list of "
        "Đại học Đà Nẵng."
    )
    expect(main).to_contain_text("Proposed: recognise as IT1010 Nhập môn lập trình for 3 credits.")
    expect(main).to_contain_text("Student number 102240517")
    page.get_by_role("button", name="Accept the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Your decision is recorded.")
    expect(main).to_contain_text("Accepted as proposed")
    _logout(page)

    # The student sees the recognised credits and downloads the signed recognition record.
    log_in(page, base, STUDENT, PASSWORD)
    page.goto(f"{base}/transfer/requests")
    page.locator("main").get_by_role("link", name=re.compile(r"\d")).first.click()
    expect(page.locator("main")).to_contain_text("3 credits recognised by Đại học Đà Nẵng")
    expect(page.locator("main")).to_contain_text("IT1010 Nhập môn lập trình")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed recognition record").click()
    saved = tmp_path / "recognition.json"
    download_info.value.save_as(saved)
    assert '"ext:CreditRecognition"' in saved.read_text(encoding="utf-8")
    _logout(page)

    # Anyone can verify it on the public page.
    page.goto(f"{base}/verify")
    page.get_by_label("Or choose the record's file").set_input_files(saved)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("main")).to_contain_text(
        "Valid: this record is authentic, unchanged, from a trusted issuer and in force."
    )
    expect(page.locator("main")).to_contain_text("Đại học Đà Nẵng")
