"""xAPI statements: stored for learning events, listed for admins, forwarded to a real LRS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning import services
from mooc.learning.lrs import LrsConfig, backoff, forward_pending
from mooc.learning.models import XapiStatement
from mooc.learning.queries import ordered_lectures
from tests.factories import PASSWORD, make_user
from tests.helpers import login

BASE = "http://mooc.test"


class FakeLrs:
    """A real HTTP server on loopback playing an LRS: it can be told to fail."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_next = 0
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                lrs.headers.append({k.lower(): v for k, v in self.headers.items()})
                if lrs.fail_next:
                    lrs.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                statements = json.loads(body)
                lrs.received.extend(statements)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps([s["id"] for s in statements]).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    server = FakeLrs()
    yield server
    server.close()


def _finish_first_lecture(session: Session) -> tuple[Any, Course]:
    student = make_user(session)
    course = session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()
    services.enrol(session, student, course)
    lecture = ordered_lectures(session, course)[0]
    assert lecture.published_version is not None
    services.mark_done(session, student, lecture, lecture.published_version, base_url=BASE)
    session.flush()
    return student, course


def test_marking_a_lecture_done_stores_an_experienced_statement(session: Session) -> None:
    student, _ = _finish_first_lecture(session)
    row = session.scalars(select(XapiStatement).where(XapiStatement.user_id == student.id)).one()
    statement = row.statement
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["version"] == "1.0.3"
    assert statement["actor"]["account"] == {"homePage": BASE, "name": str(student.id)}
    assert "mbox" not in statement["actor"]  # no email in learning records
    assert statement["object"]["id"].startswith(f"{BASE}/courses/toan-lop-6/lectures/")
    assert statement["timestamp"].endswith("Z")


def test_statements_are_forwarded_and_a_failed_send_is_retried_not_lost(
    session: Session, lrs: FakeLrs
) -> None:
    _finish_first_lecture(session)
    pending = session.scalar(
        select(func.count()).select_from(XapiStatement).where(XapiStatement.forwarded_at.is_(None))
    )
    assert pending and pending >= 1
    config = LrsConfig(lrs.url, "key", "secret", timeout=5)
    now = utcnow()

    lrs.fail_next = 1
    failed = forward_pending(session, config, now=now)
    assert failed.sent == 0 and failed.failed == pending
    assert "503" in (failed.error or "")
    assert lrs.received == []
    # Not due again until the back-off has passed.
    assert forward_pending(session, config, now=now).sent == 0

    later = now + backoff(1)
    sent = forward_pending(session, config, now=later)
    assert sent.sent == pending
    assert len(lrs.received) == pending
    assert lrs.headers[-1]["x-experience-api-version"] == "1.0.3"
    assert lrs.headers[-1]["authorization"].startswith("Basic ")
    assert forward_pending(session, config, now=later).sent == 0  # nothing sent twice
    rows = session.scalars(select(XapiStatement)).all()
    assert all(r.forwarded_at is not None for r in rows if r.id in {s["id"] for s in lrs.received})


def test_unreachable_lrs_keeps_statements_queued(session: Session) -> None:
    _finish_first_lecture(session)
    result = forward_pending(session, LrsConfig("http://127.0.0.1:9", timeout=1), now=utcnow())
    assert result.failed >= 1
    assert "unreachable" in (result.error or "")
    assert session.scalar(
        select(func.count()).select_from(XapiStatement).where(XapiStatement.forwarded_at.is_(None))
    )


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1).total_seconds() == 30
    assert backoff(2).total_seconds() == 60
    assert backoff(20).total_seconds() == 3600


def test_statements_api_is_for_admins_with_filters(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    student, _ = _finish_first_lecture(session)
    make_user(session, ("bo-giao-duc", Role.ADMIN), email="xapi-admin@example.test")
    session.commit()

    login(client, student.email, PASSWORD)
    assert client.get("/api/v1/xapi/statements").status_code == 403

    client = app.test_client()  # a fresh browser for the administrator
    assert login(client, "xapi-admin@example.test", PASSWORD).status_code == 303
    response = client.get(f"/api/v1/xapi/statements?agent={student.email}&verb=experienced")
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    body = response.get_json()
    assert body["total"] == 1
    assert body["statements"][0]["actor"]["account"]["name"] == str(student.id)
    agent = json.dumps({"account": {"homePage": BASE, "name": str(student.id)}})
    assert (
        client.get("/api/v1/xapi/statements", query_string={"agent": agent}).get_json()["total"]
        == 1
    )
    assert client.get("/api/v1/xapi/statements?verb=completed").get_json()["total"] == 0
    future = client.get("/api/v1/xapi/statements?since=2999-01-01T00:00:00Z").get_json()
    assert future["statements"] == []
    bad = client.get("/api/v1/xapi/statements?since=yesterday")
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert "ISO 8601" in bad.get_json()["detail"]


def test_openapi_document_describes_the_statements_endpoint(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/xapi/statements" in doc["paths"]
