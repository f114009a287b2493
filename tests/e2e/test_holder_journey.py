"""Holder journey: a registrar checks the name a pupil gives against a school (K-12) record that
carries it only as a salted hash; after the source record of a university's recognition is
revoked, /verify shows the recognition record suspended (verdict first, content as unverified
claims) until the university's staff confirm it. Screenshots of /verify at 360 and 1280 px.

Runs on its own server with a key-encryption key; completions, the request and the accepting
decision are prepared through the services (other journeys click through them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from mooc.accounts.models import Role
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.credentials.services.issuing import IssuingContext, issue_completion_record
from mooc.credentials.verification import PlatformVerifier, VerificationPolicy
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.transfer.models import Outcome
from mooc.transfer.services.decisions import decide
from mooc.transfer.services.requests import send_records
from tests.e2e.pages import log_in
from tests.e2e.serving import serving
from tests.e2e.universities import agree_with_mo_ha_noi
from tests.factories import complete
from tests.helpers import CONTENT, TEST_KEK, make_settings

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
PUPIL_NAME = "Nguyễn Minh An"
ADMIN = "admin.holder@example.org"
OFFICER = "registrar.holder@example.org"


@dataclass(frozen=True)
class Served:
    base: str
    school_record: Path
    recognition_record: Path


def _prepare(application: Flask, folder: Path) -> None:
    """Seed courses; a pupil's K-12 record; a student's university record recognised by Đà Nẵng;
    an administrator (who revokes) and Đà Nẵng's staff member."""
    with application.app_context():
        session = db.session
        import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
        settings = application.config["MOOC_SETTINGS"]
        context = IssuingContext.from_settings(settings)
        pupil = register(session, email="an.pupil@example.org", password=PASSWORD, name=PUPIL_NAME)
        school = issue_completion_record(
            session, complete(session, pupil, "tieng-viet-lop-1"), context
        )
        (folder / "school.json").write_text(school.document, encoding="utf-8")

        student = register(
            session, email="hoa.holder@example.org", password=PASSWORD, name="Đỗ Thị Hoa"
        )
        source = issue_completion_record(
            session, complete(session, student, "intro-programming"), context
        )
        admin = register(session, email=ADMIN, password=PASSWORD, name="Quản trị", locale="en")
        grant_role(session, admin, get_institution(session, "bo-giao-duc"), Role.ADMIN)
        officer = register(
            session, email=OFFICER, password=PASSWORD, name="Lê Văn Tâm", locale="en"
        )
        university = get_institution(session, "dai-hoc-da-nang")
        grant_role(session, officer, university, Role.STAFF)
        agree_with_mo_ha_noi(session, university, officer)
        verifier = PlatformVerifier(
            session, VerificationPolicy.from_settings(settings, network=False)
        )
        today = dt.datetime.now(dt.UTC).date()
        sent = send_records(
            session,
            student,
            university,
            [source.uuid],
            message="",
            verifier=verifier,
            base_url=settings.base_url,
            today=today,
        )
        item = sent.request.items[0]
        decision = decide(
            session,
            officer,
            university,
            item,
            outcome=Outcome.ACCEPTED,
            verifier=verifier,
            context=context,
            today=today,
        )
        assert decision.credential is not None
        (folder / "recognition.json").write_text(decision.credential.document, encoding="utf-8")
        session.commit()
        session.close()


@pytest.fixture(scope="module")
def holder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("e2e-holder")

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'holder.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url).with_overrides(key_encryption_key=TEST_KEK)
        application = create_app(settings=settings)
        _prepare(application, tmp)
        return application

    with serving(build) as url:
        yield Served(url, tmp / "school.json", tmp / "recognition.json")


def _verify(page: Page, base: str, record: Path) -> None:
    page.goto(f"{base}/verify")
    page.get_by_label("Or choose the record's file").set_input_files(str(record))
    page.get_by_role("button", name="Verify").click()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("holder-screenshots")
    print(f"screenshots: {folder}")
    return folder


def _shoot(page: Page, folder: Path, name: str) -> None:
    for width, height in ((360, 640), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def test_a_registrar_checks_a_name_against_a_hashed_school_record(
    browser: Browser, holder_server: Served, shots: Path
) -> None:
    registrar = browser.new_context(locale="en-US").new_page()  # no account needed
    _verify(registrar, holder_server.base, holder_server.school_record)
    main = registrar.locator("main")
    expect(main.locator("h2.verdict")).to_contain_text("Valid:")
    expect(main).not_to_contain_text(PUPIL_NAME)  # the record shows no name
    expect(main).to_contain_text("Named only by a salted hash")
    check = main.locator("section.holder-check")
    check.get_by_label("What to check").select_option(label="Name")
    check.get_by_label("Name or number as the holder gives it").fill("nguyễn  minh an")
    check.get_by_role("button", name="Check against this record").click()
    expect(registrar.get_by_role("status").filter(has_text="The name matches")).to_be_visible()
    _shoot(registrar, shots, "verify-name-match")

    check = registrar.locator("section.holder-check")
    check.get_by_label("Name or number as the holder gives it").fill("Nguyễn Minh Anh")
    check.get_by_role("button", name="Check against this record").click()
    expect(registrar.locator("main")).to_contain_text("The name does not match")


def test_a_recognition_is_shown_suspended_after_its_source_is_revoked(
    browser: Browser, holder_server: Served, shots: Path
) -> None:
    base = holder_server.base
    visitor = browser.new_context(locale="en-US").new_page()
    _verify(visitor, base, holder_server.recognition_record)
    expect(visitor.locator("h2.verdict")).to_contain_text("Valid:")
    expect(visitor.locator("main")).to_contain_text("Đỗ Thị Hoa")  # a university record: in clear

    admin = browser.new_context(locale="en-US").new_page()
    log_in(admin, base, ADMIN, PASSWORD)
    admin.goto(f"{base}/admin/records")
    admin.get_by_role("link", name="Introduction to Programming").first.click()
    admin.get_by_role("link", name="Revoke this record…").click()
    admin.get_by_label("Reason for revoking").fill("Exam fraud established.")
    admin.get_by_role("button", name="Revoke the record").click()
    expect(admin.locator("main")).to_contain_text("Revoked on")

    _verify(visitor, base, holder_server.recognition_record)
    verdict = visitor.locator("h2.verdict")
    expect(verdict).to_have_text("NOT valid: the issuer has suspended it.")
    expect(visitor.locator("section.unverified-claims")).to_contain_text("Nhập môn lập trình")
    suspended = visitor.locator(".check-row-failed", has_text="Revocation")
    expect(suspended).to_contain_text("suspended")
    _shoot(visitor, shots, "verify-suspended")

    # The university's staff are told, review it and confirm the recognition: valid again.
    officer = browser.new_context(locale="en-US").new_page()
    log_in(officer, base, OFFICER, PASSWORD)
    officer.goto(f"{base}/notifications")
    expect(officer.locator("main")).to_contain_text("A recognition needs your review")
    officer.goto(f"{base}/university/dai-hoc-da-nang?show=flagged")
    officer.locator("main").get_by_role("link", name="Introduction to Programming").first.click()
    expect(officer.locator("main")).to_contain_text("The recognition record is suspended")
    officer.get_by_role("button", name="Confirm the recognition").click()
    expect(officer.get_by_role("status")).to_contain_text("The recognition is confirmed")
    _verify(visitor, base, holder_server.recognition_record)
    expect(visitor.locator("h2.verdict")).to_contain_text("Valid:")
