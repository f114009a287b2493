"""Verifying records three ways (page, API, CLI) with one verifier: revocation, foreign issuers
and status lists, malformed and oversized input."""

from __future__ import annotations

import copy
import http.server
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.credentials.core.multikey import did_key
from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.status_list import Bitstring, status_list_credential
from mooc.credentials.models import IssuedCredential, RevocationEntry, StatusList
from mooc.db import utcnow
from mooc.settings import SettingsError, load_settings
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login, platform_verifier, signing_settings
from tests.integration.credentials.records import issue

FOREIGN_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
FOREIGN_DID = did_key(FOREIGN_KEY.public_key())
FOREIGN_METHOD = f"{FOREIGN_DID}#{FOREIGN_DID.removeprefix('did:key:')}"


pytestmark = pytest.mark.usefixtures("signing")


@pytest.fixture
def record(app: Flask, session: Session) -> IssuedCredential:
    return issue(app, session, make_user(session))


def document(record: IssuedCredential) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(record.document)
    return found


def check(answer: dict[str, Any], check_id: str) -> dict[str, str]:
    return next(c for c in answer["checks"] if c["id"] == check_id)


def signed_by_foreign_issuer(record: IssuedCredential, status_url: str) -> dict[str, Any]:
    """The record re-issued by a did:key issuer whose status list lives at `status_url`."""
    unsigned = {key: value for key, value in document(record).items() if key != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": FOREIGN_DID}
    unsigned["credentialStatus"] = {
        "id": f"{status_url}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": status_url,
    }
    return create_proof(unsigned, FOREIGN_KEY, FOREIGN_METHOD, utcnow())


def foreign_status_list(url: str, revoked: bool = False) -> dict[str, Any]:
    bits = Bitstring.zeros()
    if revoked:
        bits = bits.set(42)
    unsigned = status_list_credential(url, FOREIGN_DID, bits, utcnow())
    return create_proof(unsigned, FOREIGN_KEY, FOREIGN_METHOD, utcnow())


def admin_client(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, admin.email, PASSWORD)
    return client, csrf_from(client, "/admin/records")


# --- revocation ---------------------------------------------------------------------------


def test_revoking_a_record_re_signs_its_list_and_verifiers_see_it_revoked(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    before = platform_verifier(app, session).verify(document(record))
    assert before.verified
    status_list = session.get(StatusList, record.status_list_id)
    assert status_list is not None
    version = status_list.version
    client, token = admin_client(app, session)

    page = client.post(
        f"/admin/records/{record.uuid}/revoke",
        data={"csrf_token": token, "reason": "Quiz answers were copied"},
    )
    assert page.status_code == 303

    after = platform_verifier(app, session).verify(document(record)).to_json()
    assert after["verified"] is False
    assert check(after, "status")["status"] == "failed"
    assert "revoked" in check(after, "status")["message"]
    session.refresh(status_list)
    assert status_list.version == version + 1
    published = client.get(f"/institutions/dai-hoc-mo-ha-noi/status/{status_list.number}")
    assert json.loads(published.data)["credentialSubject"]["encodedList"] == (
        status_list.encoded_list
    )
    entry = session.scalars(
        select(RevocationEntry).where(RevocationEntry.credential_id == record.id)
    ).one()
    assert entry.reason == "Quiz answers were copied"
    shown = client.get(page.location).get_data(as_text=True)
    assert "Quiz answers were copied" in shown and "Revoke the record" not in shown


def test_revoking_needs_a_reason_and_an_administrator(
    app: Flask, client: FlaskClient, session: Session, record: IssuedCredential
) -> None:
    admin, token = admin_client(app, session)
    asked = admin.get(f"/admin/records/{record.uuid}/revoke")
    assert asked.status_code == 200  # a confirmation page: nothing is revoked yet
    assert "Revoking cannot be undone" in asked.get_data(as_text=True)
    session.refresh(record)
    assert not record.is_revoked
    refused = admin.post(
        f"/admin/records/{record.uuid}/revoke", data={"csrf_token": token, "reason": " "}
    )
    assert refused.status_code == 422
    assert "Give the reason for revoking the record." in refused.get_data(as_text=True)
    student = session.get(User, record.user_id)
    assert student is not None
    login(client, student.email, PASSWORD)
    assert client.get(f"/admin/records/{record.uuid}").status_code == 403
    session.refresh(record)
    assert record.revoked_at is None


def test_administrators_find_records_and_rotate_an_issuers_key(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    client, token = admin_client(app, session)
    holder = session.get(User, record.user_id)
    assert holder is not None

    found = client.get("/admin/records", query_string={"q": holder.email}).get_data(as_text=True)
    nothing = client.get("/admin/records", query_string={"q": "nobody@nowhere"})
    rotated = client.post(
        "/admin/records/keys/dai-hoc-mo-ha-noi/rotate", data={"csrf_token": token}
    )

    assert f"/admin/records/{record.uuid}" in found
    assert record.uuid not in nothing.get_data(as_text=True)
    assert rotated.status_code == 303
    document = client.get("/institutions/dai-hoc-mo-ha-noi/did.json").get_json()
    assert len(document["assertionMethod"]) == 2
    assert platform_verifier(app, session).verify(json.loads(record.document)).verified


# --- foreign issuers and status lists ------------------------------------------------------


def test_a_status_list_that_cannot_be_fetched_leaves_the_status_unknown(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    not_allowed = signed_by_foreign_issuer(record, "https://status.partner.test/lists/1")
    answer = platform_verifier(app, session).verify(not_allowed).to_json()
    assert check(answer, "signature")["status"] == "passed"
    assert check(answer, "status")["status"] == "unknown"
    assert "allowlist" in check(answer, "status")["message"]
    assert answer["verified"] is False

    unreachable = signed_by_foreign_issuer(record, "http://127.0.0.1:9/lists/1")
    answer = (
        platform_verifier(app, session, allowlist=("127.0.0.1:9",)).verify(unreachable).to_json()
    )
    assert check(answer, "status")["status"] == "unknown"
    assert "cannot fetch" in check(answer, "status")["message"]

    offline = platform_verifier(app, session, allowlist=("127.0.0.1:9",), network=False)
    assert check(offline.verify(unreachable).to_json(), "status")["status"] == "unknown"


def test_a_did_web_issuer_off_the_allowlist_cannot_be_resolved(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    foreign = document(record)
    foreign["issuer"]["id"] = "did:web:uni.partner.test:issuers:registrar"
    answer = platform_verifier(app, session).verify(foreign).to_json()
    assert check(answer, "issuer-resolved")["status"] == "failed"
    assert "cannot resolve issuer" in check(answer, "issuer-resolved")["message"]
    assert check(answer, "signature")["status"] == "unknown"


class _ListServer:
    """A partner's status list served over loopback HTTP, which the test can stop."""

    def __init__(self) -> None:
        self.body = b"{}"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}/lists/1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_foreign_list_is_fetched_then_read_from_a_recent_cached_copy(
    app: Flask, client: FlaskClient, session: Session, record: IssuedCredential
) -> None:
    partner = _ListServer()
    try:
        partner.body = json.dumps(foreign_status_list(partner.url, revoked=True)).encode()
        foreign = signed_by_foreign_issuer(record, partner.url)
        with signing_settings(app, did_web_allowlist=(partner.host,), status_list_max_age=600):
            first = client.post(
                "/api/v1/credentials/verify", json={"verifiableCredential": foreign}
            )
            partner.stop()
            second = client.post(
                "/api/v1/credentials/verify", json={"verifiableCredential": foreign}
            )
        with signing_settings(app, did_web_allowlist=(partner.host,), status_list_max_age=1):
            app.extensions["mooc_credentials_status_cache"].put(
                partner.url, json.loads(partner.body), utcnow().replace(year=2000)
            )
            stale = client.post(
                "/api/v1/credentials/verify", json={"verifiableCredential": foreign}
            )
    finally:
        partner.stop()

    assert check(first.get_json(), "status")["status"] == "failed"  # index 42 is revoked
    assert not any("copy fetched" in w for w in first.get_json()["warnings"])
    assert check(second.get_json(), "status")["status"] == "failed"
    assert any("read from a copy fetched" in w for w in second.get_json()["warnings"])
    assert check(stale.get_json(), "status")["status"] == "unknown"


# --- the API ------------------------------------------------------------------------------


def test_the_verify_api_answers_verified_for_an_issued_record(
    client: FlaskClient, record: IssuedCredential
) -> None:
    answer = client.post(
        "/api/v1/credentials/verify", json={"verifiableCredential": document(record)}
    )
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["verified"] is True
    assert {c["id"] for c in body["checks"]} >= {"signature", "status", "issuer-trusted"}
    assert all(c["status"] == "passed" for c in body["checks"])
    assert body["errors"] == []


def test_the_verify_api_rejects_a_tampered_record(
    client: FlaskClient, record: IssuedCredential
) -> None:
    tampered = document(record)
    tampered["credentialSubject"]["creditsEarned"] = 20.0
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 20.0
    body = client.post(
        "/api/v1/credentials/verify", json={"verifiableCredential": tampered}
    ).get_json()
    assert body["verified"] is False
    assert check(body, "signature")["status"] == "failed"
    assert any("altered" in error for error in body["errors"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2, 3]", 422),
        (b'{"credential": {}}', 422),
        (b'{"verifiableCredential": "a string"}', 422),
        (b"[" * 100_000 + b"]" * 100_000, 400),
    ],
)
def test_the_verify_api_answers_problem_details_for_malformed_input(
    client: FlaskClient, body: bytes, status: int
) -> None:
    answer = client.post("/api/v1/credentials/verify", data=body, content_type="application/json")
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["status"] == status


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"@context": 5, "proof": []},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "issuer": {"id": 3}, "proof": {}},
        {"@context": ["https://unknown.example/context"], "type": "VerifiableCredential"},
    ],
)
def test_the_verify_api_answers_not_verified_for_a_malformed_record(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    answer = client.post("/api/v1/credentials/verify", json={"verifiableCredential": credential})
    assert answer.status_code == 200
    assert answer.get_json()["verified"] is False


def test_the_verify_api_refuses_oversized_input(
    client: FlaskClient, record: IssuedCredential
) -> None:
    padded = document(record)
    padded["description"] = "x" * (600 * 1024)
    answer = client.post("/api/v1/credentials/verify", json={"verifiableCredential": padded})
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"


def hostile(record: IssuedCredential, entries: int = 20_000) -> dict[str, Any]:
    """The field test's record: its types padded to `entries` (about 500 KB for 20,000)."""
    padded = document(record)
    padded["type"] = [*padded["type"], *(f"https://x.test/t{i:05d}" for i in range(entries))]
    return padded


@pytest.mark.parametrize(
    ("shape", "status", "reason"),
    [
        ("list", 413, "the list $.type has more than 256 entries"),
        ("lists", 413, "its lists are too long together"),
        ("values", 413, "it has more than 20,000 values"),
        ("depth", 422, "nested too deeply to verify (more than 32 levels)"),
    ],
)
def test_the_verify_api_refuses_records_too_complex_to_verify(
    client: FlaskClient, record: IssuedCredential, shape: str, status: int, reason: str
) -> None:
    credential = document(record)
    if shape == "list":
        credential = hostile(record, 2_000)  # well under MOOC_VERIFY_MAX_KB
    elif shape == "lists":
        credential["evidence"] = [[f"e{j}-{i}" for i in range(250)] for j in range(2)]
    elif shape == "values":
        credential["evidence"] = [{f"k{i}": i for i in range(200)} for _ in range(120)]
    else:
        nested: Any = "deep"
        for _ in range(40):
            nested = {"n": nested}
        credential["evidence"] = nested

    answer = client.post(
        "/api/v1/credentials/verify",
        json={"verifiableCredential": credential},
        headers={"Accept-Language": "en"},
    )

    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    assert reason in answer.get_json()["detail"]


def test_a_hostile_record_under_the_size_limit_is_refused_at_once(
    app: Flask, client: FlaskClient, record: IssuedCredential
) -> None:
    body = json.dumps({"verifiableCredential": hostile(record)}).encode()
    assert 500_000 < len(body) < app.config["MOOC_SETTINGS"].verify_max_kb * 1024
    started = time.perf_counter()
    answer = client.post("/api/v1/credentials/verify", data=body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert answer.status_code == 413
    assert elapsed < 1.0  # minutes before the bounds


def test_the_core_verifier_fails_a_record_past_its_bounds_unread(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    # The transfer pages and stored requests verify through the same core: never canonicalized.
    answer = platform_verifier(app, session).verify(hostile(record)).to_json()
    assert answer["verified"] is False
    assert answer["checks"] == [
        {
            "id": "well-formed",
            "status": "failed",
            "message": "the list $.type has more than 256 entries; not verified",
        }
    ]


def test_the_public_verify_endpoints_share_a_rate_limit_per_address(
    app: Flask, record: IssuedCredential, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = app.config["MOOC_SETTINGS"].with_overrides(verify_limit_per_address="3 per minute")
    monkeypatch.setitem(app.config, "MOOC_SETTINGS", settings)
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(visitor, "/verify")
    body = {"verifiableCredential": document(record)}
    assert visitor.post("/api/v1/credentials/verify", json=body).status_code == 200
    assert visitor.post("/api/v1/credentials/verify", json=body).status_code == 200
    page = visitor.post("/verify", data={"csrf_token": token, "credential_json": record.document})
    assert page.status_code == 200

    refused = visitor.post("/api/v1/credentials/verify", json=body)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    page = visitor.post("/verify", data={"csrf_token": token, "credential_json": record.document})
    assert page.status_code == 429
    assert "Too many requests" in page.get_data(as_text=True)
    # Another address has its own budget.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post("/api/v1/credentials/verify", json=body).status_code == 200


def test_the_verify_rate_is_a_setting_checked_at_start(tmp_path: Path) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ).verify_limit_per_address == "60 per minute"
    chosen = {**environ, "MOOC_VERIFY_LIMIT_PER_ADDRESS": "10 per minute;100 per hour"}
    assert load_settings(chosen).verify_limit_per_address == "10 per minute;100 per hour"
    with pytest.raises(SettingsError, match="MOOC_VERIFY_LIMIT_PER_ADDRESS"):
        load_settings({**environ, "MOOC_VERIFY_LIMIT_PER_ADDRESS": "lots"})


# --- the public page ----------------------------------------------------------------------


def test_the_public_page_verifies_pasted_json(
    app: Flask, session: Session, record: IssuedCredential
) -> None:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(visitor, "/verify")
    page = visitor.post("/verify", data={"csrf_token": token, "credential_json": record.document})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Valid: this record is authentic" in text
    assert "The signature is valid" in text
    assert "Xác suất và Thống kê" in text and "MAT2002" in text

    tampered = copy.deepcopy(document(record))
    tampered["credentialSubject"]["result"][0]["value"] = "42"
    page = visitor.post(
        "/verify", data={"csrf_token": token, "credential_json": json.dumps(tampered)}
    )
    text = page.get_data(as_text=True)
    assert "NOT valid: it was altered" in text and "The signature does not match" in text


def test_the_public_page_explains_the_checks_in_the_readers_language(
    app: Flask, record: IssuedCredential
) -> None:
    pages = {}
    for language in ("en", "vi"):
        visitor = app.test_client()
        visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        token = csrf_from(visitor, "/verify")
        page = visitor.post(
            "/verify", data={"csrf_token": token, "credential_json": record.document}
        )
        pages[language] = page.get_data(as_text=True)
    assert '<html lang="vi">' in pages["vi"]
    assert "verdict-ok" in pages["vi"]
    english = ("Valid: this record is authentic", "The signature is valid")
    assert all(sentence in pages["en"] for sentence in english)
    assert not any(sentence in pages["vi"] for sentence in english)


def test_the_public_page_verifies_an_uploaded_file_and_explains_bad_input(
    app: Flask, record: IssuedCredential
) -> None:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(visitor, "/verify")
    upload = visitor.post(
        "/verify",
        data={
            "csrf_token": token,
            "credential_file": (io.BytesIO(record.document.encode()), "record.json"),
        },
        content_type="multipart/form-data",
    )
    assert "Valid: this record is authentic" in upload.get_data(as_text=True)

    garbage = visitor.post("/verify", data={"csrf_token": token, "credential_json": "hello"})
    assert garbage.status_code == 422
    assert "not valid JSON" in garbage.get_data(as_text=True)
    empty = visitor.post("/verify", data={"csrf_token": token, "credential_json": ""})
    assert empty.status_code == 422
    assert "Paste a record or choose its file" in empty.get_data(as_text=True)
    too_long = visitor.post(
        "/verify", data={"csrf_token": token, "credential_json": json.dumps(hostile(record, 300))}
    )
    assert too_long.status_code == 413
    assert "the list $.type has more than 256 entries" in too_long.get_data(as_text=True)
    assert "Valid:" not in too_long.get_data(as_text=True)
    for size_kb in (540, 2048):  # over the limit; far over it (refused unread)
        huge = visitor.post(
            "/verify", data={"csrf_token": token, "credential_json": "x" * size_kb * 1024}
        )
        assert huge.status_code == 413


# --- the CLI ------------------------------------------------------------------------------


def test_the_cli_verifies_offline_with_exit_codes(
    app: Flask, session: Session, record: IssuedCredential, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    good = tmp_path / "record.json"
    good.write_text(record.document)
    tampered = tmp_path / "tampered.json"
    changed = document(record)
    changed["credentialSubject"]["result"][0]["value"] = "99"
    tampered.write_text(json.dumps(changed))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    too_long = tmp_path / "too-long.json"
    too_long.write_text(json.dumps(hostile(record)))

    ok = runner.invoke(args=["credentials", "verify", str(good)])
    bad = runner.invoke(args=["credentials", "verify", str(tampered)])
    unreadable = runner.invoke(args=["credentials", "verify", str(garbage)])

    assert ok.exit_code == 0, ok.output
    assert "ok      signature" in ok.output and ok.output.strip().endswith("VERIFIED")
    assert bad.exit_code == 1
    assert "FAILED  signature" in bad.output and "NOT VERIFIED" in bad.output
    assert unreadable.exit_code == 2
    refused = runner.invoke(args=["credentials", "verify", str(too_long)])
    assert refused.exit_code == 2
    assert "$.type" in refused.output and "256" in refused.output

    revoke = runner.invoke(
        args=["credentials", "revoke", record.uuid, "--reason", "issued by mistake"]
    )
    assert revoke.exit_code == 0, revoke.output
    revoked = runner.invoke(args=["credentials", "verify", str(good)])
    assert revoked.exit_code == 1
    assert "FAILED  status: the record is revoked" in revoked.output
