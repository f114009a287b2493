"""Issue journey: a student completes a course, downloads the signed record, opens its printable
page, and the public verify page reports it valid; after an admin revokes it, the same page
reports it revoked."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Page, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.serving import serving, write_files
from tests.helpers import make_settings

pytestmark = pytest.mark.e2e
T = TypeVar("T")
PASSWORD = "records journey password"
ADMIN = "admin-e2e@example.org"

PACKAGE = {
    "institutions.yaml": """\
        - slug: dh-e2e
          name: Đại học Thử Nghiệm
          kind: university
        - slug: bo-giao-duc
          name: Bộ Giáo dục và Đào tạo
          kind: ministry
        """,
    "nhap-mon/course.md": """\
        ---
        slug: nhap-mon
        title: Nhập môn nghiên cứu
        institution: dh-e2e
        language: vi
        level: university
        subject: science
        code: RES101
        credits: 1
        workload_hours: 50
        pass_mark: 50
        outcomes:
          - Đặt một câu hỏi nghiên cứu.
        sections:
          - title: Bài học
            items:
              - lecture: cau-hoi
        ---
        Một tín chỉ về cách đặt câu hỏi nghiên cứu.
        """,
    "nhap-mon/lectures/cau-hoi.md": """\
        ---
        title: Câu hỏi nghiên cứu
        ---
        Một câu hỏi tốt thì **cụ thể** và **kiểm chứng được**.
        """,
}


@pytest.fixture(scope="module")
def records_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-records")
    content = write_files(tmp / "content", PACKAGE)

    def build():  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp / 'records.sqlite3'}"
        upgrade(url)
        application = create_app(settings=make_settings(tmp / "instance", url))
        with application.app_context():
            import_tree(db.session, application.extensions["mooc_storage"], load_tree(content))
            admin = register(db.session, email=ADMIN, password=PASSWORD, name="Quản trị")
            grant_role(db.session, admin, get_institution(db.session, "bo-giao-duc"), Role.ADMIN)
            db.session.commit()
        return application

    with serving(build) as url:
        yield url


def _verify_file(page: Page, base: str, path: Path) -> None:
    page.goto(f"{base}/verify")
    page.get_by_label("Or choose the record's file").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()


def test_record_is_issued_downloaded_printed_verified_and_then_revoked(
    browser: Browser, records_server: str, tmp_path: Path
) -> None:
    base = records_server
    student = browser.new_context(locale="en-US", accept_downloads=True).new_page()
    student.goto(f"{base}/register")
    student.get_by_label("Full name").fill("Đặng Thu Hà")
    student.get_by_label("Email").fill(f"ha-{uuid.uuid4().hex[:8]}@example.org")
    student.get_by_label("Password", exact=True).fill(PASSWORD)
    student.get_by_label("Repeat the password").fill(PASSWORD)
    student.get_by_role("button", name="Create account").click()

    student.goto(f"{base}/courses/nhap-mon")
    student.get_by_role("button", name="Enrol for free").click()
    student.get_by_role("button", name="Mark as done").click()
    expect(student.locator(".flashes")).to_contain_text("Congratulations")

    # The record was signed as the course was completed.
    student.get_by_role("link", name="My records").click()
    student.get_by_role("link", name="Nhập môn nghiên cứu").first.click()
    with student.expect_download() as download_info:
        student.get_by_role("link", name="Download the signed record (JSON)").click()
    record_file = tmp_path / "record.json"
    download_info.value.save_as(record_file)
    record = json.loads(record_file.read_text())
    assert "OpenBadgeCredential" in record["type"]
    assert record["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    # A university record names its holder in clear, for a registrar.
    assert "Đặng Thu Hà" in record_file.read_text(encoding="utf-8")

    student.get_by_role("link", name="Printable page").click()
    expect(student.locator("main")).to_contain_text("RES101")
    student.get_by_role("button", name="Create a share link").click()
    qr = student.locator("figure.qr-figure svg")
    expect(qr).to_have_count(1)  # the verification QR code, drawn on the server
    share_url = student.locator("code.share-url").inner_text().strip()
    assert share_url.startswith("http://mooc.test/verify/")  # the configured public origin
    share_url = share_url.replace("http://mooc.test", base)  # … served here on a loopback port
    assert "/verify/" not in student.url and "share=" not in student.url  # no secret in the URL

    # A link made on the record page shows where the student is, with a copy button (JS).
    student.get_by_role("link", name="Back to the record").click()
    student.locator("main").get_by_role("button", name="Create a share link").click()
    expect(student.locator("#new-link")).to_be_in_viewport()
    expect(student.get_by_role("button", name="Copy the link")).to_be_visible()
    expect(student.locator("section.new-link figure.qr-figure svg")).to_have_count(1)

    visitor = browser.new_context(locale="en-US").new_page()  # no login needed to verify
    _verify_file(visitor, base, record_file)
    expect(visitor.locator(".verdict")).to_contain_text("Valid:")
    expect(visitor.locator("main")).to_contain_text("Đặng Thu Hà")
    expect(visitor.locator(".check-row-passed", has_text="Revocation")).to_have_count(1)
    visitor.goto(share_url)  # what the QR code opens
    expect(visitor.locator(".verdict")).to_contain_text("Valid:")

    admin = browser.new_context(locale="en-US").new_page()
    admin.goto(f"{base}/login")
    admin.locator("main").get_by_label("Email").fill(ADMIN)
    admin.locator("main").get_by_label("Password").fill(PASSWORD)
    admin.locator("main").get_by_role("button", name="Log in").click()
    admin.goto(f"{base}/admin/records")
    admin.get_by_role("link", name="Nhập môn nghiên cứu").first.click()
    admin.get_by_role("link", name="Revoke this record…").click()
    expect(admin.locator("main")).to_contain_text("Revoking cannot be undone")
    admin.get_by_label("Reason for revoking").fill("Issued by mistake during a test.")
    admin.get_by_role("button", name="Revoke the record").click()
    expect(admin.locator("main")).to_contain_text("Revoked on")

    _verify_file(visitor, base, record_file)
    expect(visitor.locator(".verdict")).to_contain_text("NOT valid: the issuer has revoked it.")
    revocation = visitor.locator(".check-row-failed", has_text="Revocation")
    expect(revocation).to_contain_text("The issuer has revoked this record.")
    visitor.goto(share_url)
    expect(visitor.locator(".verdict")).to_contain_text("NOT valid")
