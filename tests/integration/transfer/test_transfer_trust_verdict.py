"""Resolvable is not trusted: a university's evaluation page checks the issuer against that
university's trust list, never the platform's; an allowlisted host's issuers are only fetched."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.transfer.services import trust
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login, platform_verifier
from tests.integration.transfer.partner import STATS, issue, partner, staff, student
from tests.unit.credentials.samples import DID_KEY, DID_KEY_METHOD, signed_record

pytestmark = pytest.mark.usefixtures("signing")

URL = "/university/dai-hoc-da-nang/evaluate"
EMAIL = "binh.trust@example.test"


def _evaluate_page(client: FlaskClient, document: str) -> str:
    login(client, EMAIL, PASSWORD)
    page = client.post(
        URL, data={"csrf_token": csrf_from(client, URL), "credential_json": document}
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_issuer_the_university_trusts_is_trusted_on_its_page_though_not_the_platforms(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = staff(session, email=EMAIL)
    trust.add_trusted_issuer(session, partner(session), officer, did=DID_KEY, name="HCMUS")
    session.commit()
    html = _evaluate_page(client, json.dumps(signed_record(DID_KEY_METHOD, status=None)))
    assert (
        "Verified: authentic, unchanged, not revoked, and its issuer is on the trust list of "
        "Đại học Đà Nẵng." in html
    )
    assert f"issuer {DID_KEY} is on the trust list of Đại học Đà Nẵng" in html
    assert "The issuer is on this university&#39;s list of trusted issuers." in html
    assert "not on the trust list" not in html  # the platform's answer is not shown
    assert "this platform&#39;s list" not in html


def test_a_platform_issuer_the_university_does_not_trust_is_not_shown_as_verified(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = staff(session, email=EMAIL)
    # The university's own list names only another issuer (so the platform's is not copied in).
    trust.add_trusted_issuer(session, partner(session), officer, did=DID_KEY, name="HCMUS")
    record = issue(app, session, student(session), STATS)
    assert platform_verifier(app, session).verify(json.loads(record.document)).verified
    session.commit()
    html = _evaluate_page(client, record.document)
    assert (
        "Not trusted: the record is authentic, but its issuer is not on the trust list of "
        "Đại học Đà Nẵng." in html
    )
    assert "Verified: authentic" not in html
    assert "is not on the trust list of Đại học Đà Nẵng" in html
    assert "The issuer is not on this university&#39;s list of trusted issuers." in html


def test_an_allowlisted_host_makes_its_issuers_resolvable_not_trusted(
    app: Flask, session: Session
) -> None:
    verifier = platform_verifier(app, session, allowlist=("partner.example",))
    assert verifier.policy.allows("partner.example")
    assert not verifier._is_trusted("did:web:partner.example")
    record = issue(app, session, student(session), STATS)  # the platform's issuer, with a key
    assert verifier._is_trusted(json.loads(record.document)["issuer"]["id"])
