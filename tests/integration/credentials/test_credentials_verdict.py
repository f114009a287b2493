"""The verdict first: /verify and the share page say valid or NOT valid (and why) before the
record's content, and mark the content of a failed record as unverified claims."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.core.verdict import verdict_of
from mooc.credentials.core.verify import Check, Verification
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.revoking import revoke_record
from mooc.credentials.services.sharing import create_share_link
from tests.factories import make_user
from tests.helpers import context, csrf_from
from tests.integration.credentials.records import issue

pytestmark = pytest.mark.usefixtures("signing")

VALID = "Valid: this record is authentic, unchanged, from a trusted issuer and in force."


@pytest.fixture
def record(app: Flask, session: Session) -> IssuedCredential:
    return issue(app, session, make_user(session))


def _visitor(app: Flask, language: str = "en") -> FlaskClient:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return visitor


def _verify_page(app: Flask, document: Any, language: str = "en") -> str:
    visitor = _visitor(app, language)
    token = csrf_from(visitor, "/verify")
    text = document if isinstance(document, str) else json.dumps(document)
    page = visitor.post("/verify", data={"csrf_token": token, "credential_json": text})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _before(html: str, first: str, then: str) -> bool:
    return first in html and then in html and html.index(first) < html.index(then)


def test_a_valid_record_shows_the_verdict_before_its_content(
    app: Flask, record: IssuedCredential
) -> None:
    html = _verify_page(app, record.document)
    assert _before(html, VALID, "Xác suất và Thống kê")
    assert _before(html, "Xác suất và Thống kê", "Each check made on the record")
    assert "Unverified claims" not in html
    assert "NOT valid" not in html


def test_an_altered_record_is_not_valid_and_its_content_is_unverified_claims(
    app: Flask, record: IssuedCredential
) -> None:
    altered = json.loads(record.document)
    altered["credentialSubject"]["result"][0]["value"] = "10"
    html = _verify_page(app, altered)
    assert "NOT valid: it was altered after it was signed." in html
    assert VALID not in html
    assert _before(html, "NOT valid", "Unverified claims")
    assert _before(html, "Unverified claims", "Xác suất và Thống kê")
    assert 'class="unverified-claims"' in html


def test_a_revoked_record_says_revoked_first_on_verify_and_share_pages(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    _link, token = create_share_link(session, record, label="", days=7)
    revoke_record(session, record, reason="Copied answers", actor=None, context=context(app))
    session.flush()
    html = _verify_page(app, record.document)
    assert "NOT valid: the issuer has revoked it." in html
    assert _before(html, "NOT valid", "Unverified claims")
    shared = _visitor(app).get(f"/verify/{token}")
    text = shared.get_data(as_text=True)
    assert shared.status_code == 200
    assert _before(text, "NOT valid: the issuer has revoked it.", "Unverified claims")
    assert _before(text, "Unverified claims", "Xác suất và Thống kê")


def test_an_unknown_issuer_and_an_expired_record_are_named_as_such(
    app: Flask, record: IssuedCredential
) -> None:
    foreign = json.loads(record.document)
    foreign["issuer"]["id"] = "did:web:elsewhere.example"
    html = _verify_page(app, foreign)
    assert "NOT valid:" in html and "the issuer is unknown: its keys cannot be found" in html
    expired = Verification(
        (
            Check("signature", "passed", "ok"),
            Check("validity-period", "failed", "expired on 2020-01-01", "expired"),
        )
    )
    assert verdict_of(expired).reasons == ("expired",)
    suspended = Verification((Check("status", "failed", "the record is suspended", "suspended"),))
    assert verdict_of(suspended).reasons == ("suspended",)


def test_the_verdict_is_in_the_readers_language(app: Flask, record: IssuedCredential) -> None:
    altered = copy.deepcopy(json.loads(record.document))
    altered["name"] = "Something else"
    html = _verify_page(app, altered, "vi")
    assert "NOT valid" not in html
    assert "Unverified claims" not in html
    assert 'class="unverified-claims"' in html
