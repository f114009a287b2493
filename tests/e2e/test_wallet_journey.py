"""Add to wallet: a student opens a record, clicks "Add to wallet" and gets a QR code, the LCW
deep links and the exchange URL; the test wallet (Node, Digital Bazaar) follows the deep link to
the live server, proves its did:key and receives its copy, which it verifies; on reload the
exchange page says it is done and the record's page lists the wallet's DID. Screenshots at
360×640 and 1280×800 (in MOOC_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import log_in
from tests.interop.jsref import ensure_installed
from tests.interop.wallet import PASSWORD, STUDENT, WalletPlatform, run_wallet, wallet_platform

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletPlatform]:
    ensure_installed()
    with wallet_platform(tmp_path_factory.mktemp("e2e-wallet")) as served:
        yield served


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


def test_a_student_adds_a_record_to_a_wallet(
    page: Page, platform: WalletPlatform, shots: Path
) -> None:
    base = platform.live
    log_in(page, base, STUDENT, PASSWORD)
    page.goto(f"{base}/records")
    page.locator("main").get_by_role("link", name="Introduction to Programming").first.click()
    section = page.locator("section[aria-labelledby=wallet-heading]")
    expect(section.get_by_role("heading", name="Add to wallet")).to_be_visible()
    section.get_by_role("button", name="Add to wallet").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add to wallet: Introduction to Programming"
    )
    expect(page.get_by_role("img", name="QR code to add this record to a wallet")).to_be_visible()
    deep_link = page.get_by_role("link", name="Open in the Learner Credential Wallet")
    href = deep_link.get_attribute("href")
    assert href is not None and href.startswith("https://lcw.app/request.html?")
    scheme = page.get_by_role("link", name="Open in the wallet app (dccrequest link)")
    assert (scheme.get_attribute("href") or "").startswith("dccrequest://request?")
    exchange_url = page.get_by_label("Exchange URL (for other VC API wallets)").input_value()
    assert "/wallet/exchanges/" in exchange_url and exchange_url in href.replace(
        "%3A", ":"
    ).replace("%2F", "/")
    _shoot(page, shots, "wallet-exchange")

    # The phone's wallet follows the deep link to the live server.
    (result,) = run_wallet([href], base)
    assert result.verified, result.errors
    assert result.subject_is_mine and not result.revoked

    page.get_by_role("link", name="Check whether the wallet received it").click()
    expect(page.get_by_role("status")).to_contain_text("Done: on")
    expect(page.locator("main")).to_contain_text(result.did)
    _shoot(page, shots, "wallet-exchange-done")
    page.get_by_role("link", name="Back to the record").click()
    copies = page.get_by_role("table", name="Copies in wallets")
    expect(copies).to_contain_text(result.did)
    expect(copies).to_contain_text("Active")
    page.locator("#wallet-heading").scroll_into_view_if_needed()
    _shoot(page, shots, "record-wallet-copies")
