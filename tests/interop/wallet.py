"""The test wallet (tests/interop/js/wallet.mjs) run against a live platform, and the platform it
runs against: a served app with a student who holds a signed record.

The wallet is given the exchange URL (or the LCW deep link) exactly as the record's page shows
it, under the app's public origin (`BASE_URL`); `rewrite` sends what it asks of that origin, and
of the did:web host, to the loopback port the app is really served on.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, url_for
from sqlalchemy import select

from mooc.accounts.services import register
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.credentials.core.wallet import wallet_links
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import IssuingContext, issue_completion_record
from mooc.credentials.services.wallet import create_exchange
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.serving import off_the_event_loop, serving
from tests.factories import complete
from tests.helpers import BASE_URL, CONTENT, TEST_KEK, make_settings
from tests.interop.jsref import run_script
from tests.interop.records import bundled_contexts

STUDENT = "lan.wallet@example.org"
PASSWORD = "a long enough password"
COURSE = "intro-programming"


@dataclass(frozen=True)
class WalletResult:
    """What the wallet did in one exchange: its DID, the copy it received, the Digital Bazaar
    verifier's verdict on it, and how long the exchange (start → copy) took."""

    did: str
    credential: dict[str, Any]
    verified: bool
    revoked: bool
    errors: tuple[str, ...]
    subject_is_mine: bool
    exchange_ms: float
    verify_ms: float


def rewrite_to(live: str) -> dict[str, str]:
    """The app's public origin and its did:web host (always https), to the served address."""
    host = urlsplit(BASE_URL).netloc
    return {BASE_URL: live, f"https://{host}": live}


def run_wallet(
    links: Sequence[str], live: str, *, direct: bool = False, timeout: float = 600
) -> list[WalletResult]:
    """Run the test wallet over `links` (exchange URLs or deep links), one exchange each; with
    `direct`, as the LCW follows a deep link with a challenge (no `{}` first, no domain)."""
    request = {
        "exchanges": list(links),
        "documents": bundled_contexts(),
        "rewrite": rewrite_to(live),
        "direct": direct,
    }
    answer = run_script("wallet.mjs", request, timeout=timeout)
    return [
        WalletResult(
            did=item["did"],
            credential=item["credential"],
            verified=bool(item["verified"]),
            revoked=bool(item["revoked"]),
            errors=tuple(item["errors"]),
            subject_is_mine=bool(item["subjectIsMine"]),
            exchange_ms=float(item["exchangeMs"]),
            verify_ms=float(item["verifyMs"]),
        )
        for item in answer["results"]
    ]


def fetch_json(url: str, live: str) -> Any:
    """A document the platform publishes (a DID document, a status list), from the live app."""
    for origin, served in rewrite_to(live).items():
        if url.startswith(origin + "/"):
            url = served + url[len(origin) :]
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@dataclass(frozen=True)
class WalletPlatform:
    """A served app, and the record its student holds."""

    app: Flask
    live: str
    record_uuid: str

    def exchanges(self, count: int, *, deep_links: bool = False) -> list[str]:
        """`count` fresh exchange URLs of the record (or their LCW deep links), as the record's
        exchange page would show them."""

        def make() -> list[str]:
            with self.app.test_request_context(base_url=BASE_URL):
                session = db.session
                record = session.scalars(
                    select(IssuedCredential).where(IssuedCredential.uuid == self.record_uuid)
                ).one()
                urls = []
                for _ in range(count):
                    exchange = create_exchange(session, record, record.user, base_url=BASE_URL)
                    url = BASE_URL + url_for("credentials.wallet_exchange", token=exchange.token)
                    universal, _scheme = wallet_links(
                        issuer=issuer_did(BASE_URL, record.institution),
                        challenge=exchange.challenge,
                        exchange_url=url,
                    )
                    urls.append(universal if deep_links else url)
                session.commit()
                return urls

        return off_the_event_loop(make)


def seed_student(application: Flask) -> str:
    """A student who completed COURSE and holds its signed record; the record's uuid."""
    with application.app_context():
        session = db.session
        import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
        student = register(session, email=STUDENT, password=PASSWORD, name="Phạm Thị Lan")
        context = IssuingContext.from_settings(application.config["MOOC_SETTINGS"])
        record = issue_completion_record(session, complete(session, student, COURSE), context)
        session.commit()
        record_uuid = record.uuid
        session.close()
        return record_uuid


@contextmanager
def wallet_platform(tmp: Path) -> Iterator[WalletPlatform]:
    """The app on SQLite in `tmp`, seeded (`seed_student`), served on a loopback port."""
    made: dict[str, Any] = {}

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'wallet.sqlite3'}"
        upgrade(url)
        settings = make_settings(tmp / "instance", url).with_overrides(key_encryption_key=TEST_KEK)
        application = create_app(settings=settings)
        made["app"] = application
        made["record"] = seed_student(application)
        return application

    with serving(build) as live:
        yield WalletPlatform(made["app"], live, made["record"])
