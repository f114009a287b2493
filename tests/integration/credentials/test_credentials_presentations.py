"""Presentations on the verify page and the CLI: the holder and the holder's proof (challenge
and domain checked when the verifier gives them), then each record's own verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy.orm import Session

from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.presentation import sign_presentation
from mooc.credentials.models import IssuedCredential
from mooc.db import utcnow
from tests.factories import make_user
from tests.helpers import csrf_from
from tests.integration.credentials.records import issue

HOLDER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(140, 172)))
HOLDER = did_key(HOLDER_KEY.public_key())
HOLDER_METHOD = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"

pytestmark = pytest.mark.usefixtures("signing")


@pytest.fixture
def record(app: Flask, session: Session) -> IssuedCredential:
    return issue(app, session, make_user(session))


def presented(*credentials: Any, challenge: str = "c-1", domain: str = "uni.example") -> Any:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": list(credentials),
    }
    return sign_presentation(
        unsigned, HOLDER_KEY, HOLDER_METHOD, utcnow(), challenge=challenge, domain=domain
    )


def test_the_verify_page_reports_the_holder_and_each_record(
    app: Flask, record: IssuedCredential
) -> None:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(visitor, "/verify")
    good = json.loads(record.document)
    altered = json.loads(record.document)
    altered["credentialSubject"]["result"][0]["value"] = "42"
    shown = json.dumps(presented(good, altered))

    def verify(**fields: str) -> str:
        page = visitor.post(
            "/verify", data={"csrf_token": token, "credential_json": shown, **fields}
        )
        assert page.status_code == 200
        return page.get_data(as_text=True)

    text = verify(challenge="c-1", domain="uni.example")
    assert HOLDER in text and "The holder signed this presentation" in text
    assert "Record 1 of 2" in text and "Record 2 of 2" in text
    assert "NOT valid: 1 of its records are not valid." in text
    assert "Valid: this record is authentic" in text and "NOT valid: it was altered" in text
    assert text.index("Valid: this record is authentic") < text.index("Xác suất và Thống kê")

    assert "answers another challenge" in verify(challenge="c-2")
    assert "answers another challenge" in verify(domain="evil.example")
    shown = json.dumps(presented(good))
    assert "Valid: the holder signed this presentation, and every record" in verify()


def test_the_cli_verifies_a_presentation_offline(
    app: Flask, record: IssuedCredential, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(presented(json.loads(record.document))))
    ok = runner.invoke(
        args=["credentials", "verify", str(path), "--challenge", "c-1", "--domain", "uni.example"]
    )
    assert ok.exit_code == 0, ok.output
    assert f"holder  {HOLDER}" in ok.output
    assert "credential 1: " in ok.output and ok.output.strip().endswith("VERIFIED")
    replayed = runner.invoke(args=["credentials", "verify", str(path), "--challenge", "c-2"])
    assert replayed.exit_code == 1 and "FAILED  holder-proof" in replayed.output
    as_json = runner.invoke(args=["credentials", "verify", str(path), "--json"])
    answer = json.loads(as_json.output)
    assert answer["verified"] is True and answer["holder"] == HOLDER
    assert answer["credentialResults"][0]["verified"] is True
