"""The OpenAPI document against the app: it is a valid OpenAPI 3.1 document naming every /api/v1
route and nothing else, and schemathesis fuzzes every operation through the WSGI app (no
network) as each kind of caller, checking for server errors and that every answer (status,
content type, headers, body) is one the document describes.

Bounded and reproducible: 25 derandomized examples per operation, caller and generation mode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.auths import AuthStorage
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.api.models import ApiScope
from mooc.api.openapi import document
from mooc.api.services import create_token
from mooc.credentials.issuers import institution_by_slug
from mooc.credentials.services.revoking import revoke_record
from mooc.db import utcnow
from tests.factories import PASSWORD, make_user, study
from tests.helpers import context, login, signing_settings
from tests.integration.credentials.records import UNIVERSITY_COURSE, issue
from tests.integration.transfer.partner import STATS, partner, send, set_up_partner, staff, student

BASE_URL = "http://mooc.test"
UNIVERSITY = "dai-hoc-mo-ha-noi"  # issues UNIVERSITY_COURSE
PEPPER = "schema-test-pepper-" + "p" * 32
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
EXAMPLES = 25


def documented_operations() -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in document(BASE_URL)["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def openapi_path(rule: str) -> str:
    """Flask's `/x/<int:id>` as OpenAPI's `/x/{id}`."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.get_json() == document(BASE_URL)
    validate(served.get_json())


def test_every_api_route_is_documented_and_nothing_else(app: Flask) -> None:
    routes = {
        (openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == documented_operations()


def test_every_problem_status_is_problem_details() -> None:
    """Each documented 4xx answers RFC 9457 problem details; 401s carry the Bearer challenge."""
    for path, item in document(BASE_URL)["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )
                if status == "401":
                    assert "WWW-Authenticate" in response["headers"], (method, path)


# --- fuzzing ---------------------------------------------------------------------------------


@dataclass
class Credentials:
    """A schemathesis auth provider: puts one caller's token or session cookie on each case,
    which schemathesis then also removes and forges to see that the API refuses."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, case: Any, ctx: Any) -> Credentials:
        return self

    def set(self, case: Any, data: Credentials, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), **data.headers}
        case.cookies = {**(case.cookies or {}), **data.cookies}


def _session_cookie(app: Flask, email: str) -> dict[str, str]:
    browser = app.test_client()
    assert login(browser, email, PASSWORD).status_code == 303
    cookie = browser.get_cookie("mooc_session")
    assert cookie is not None
    return {"mooc_session": cookie.value}


def _learner_with_statements(session: Session) -> None:
    study(session, make_user(session), UNIVERSITY_COURSE, leave_last=True)
    session.commit()


def anyone(app: Flask, session: Session) -> Credentials:
    return Credentials()


def university_token(app: Flask, session: Session) -> Credentials:
    _learner_with_statements(session)
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    issued = create_token(
        session,
        institution=institution_by_slug(session, UNIVERSITY),
        name="Registrar",
        scopes=list(ApiScope),
        created_by=admin,
        pepper=PEPPER,
        now=utcnow(),
    )
    session.commit()
    return Credentials(headers={"Authorization": f"Bearer {issued.plaintext}"})


def administrator(app: Flask, session: Session) -> Credentials:
    _learner_with_statements(session)
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()
    return Credentials(cookies=_session_cookie(app, admin.email))


def student_with_a_record(app: Flask, session: Session) -> Credentials:
    student = make_user(session)
    issue(app, session, student)
    return Credentials(cookies=_session_cookie(app, student.email))


def university_with_requests(app: Flask, session: Session) -> Credentials:
    """A partner university's token (transfer scopes, made by its staff) with one item sent;
    no cap, which would refuse schema-valid adjustments for what the student already has."""
    officer, learner = staff(session), student(session)
    set_up_partner(session, officer, cap=None)
    record = issue(app, session, learner, STATS)
    send(app, session, learner, record)
    issued = create_token(
        session,
        institution=partner(session),
        name="Registrar",
        scopes=[ApiScope.REQUESTS_READ, ApiScope.DECISIONS_WRITE, ApiScope.RECORDS_EVALUATE],
        created_by=officer,
        pepper=PEPPER,
        now=utcnow(),
    )
    session.commit()
    return Credentials(headers={"Authorization": f"Bearer {issued.plaintext}"})


Caller = Callable[[Flask, Session], Credentials]
# Every documented operation, as each kind of caller it serves.
FUZZED: list[tuple[str, str, Caller]] = [
    ("/api/v1/openapi.json", "GET", anyone),
    ("/api/v1/xapi/statements", "GET", university_token),
    ("/api/v1/xapi/statements", "GET", administrator),
    ("/api/v1/me/credentials", "GET", student_with_a_record),
    ("/api/v1/credentials/verify", "POST", anyone),
    ("/api/v1/transfer/requests", "GET", university_with_requests),
    ("/api/v1/transfer/items/{item_id}", "GET", university_with_requests),
    ("/api/v1/transfer/items/{item_id}/decision", "POST", university_with_requests),
    ("/api/v1/transfer/evaluate", "POST", university_with_requests),
    ("/api/v1/vc-api/credentials/verify", "POST", anyone),
    ("/api/v1/vc-api/presentations/verify", "POST", anyone),
    ("/api/v1/vc-api/credentials/issue", "POST", university_token),
    ("/api/v1/vc-api/credentials/status", "POST", university_token),
    ("/api/v1/vc-api/status-lists/{slug}/{purpose}/{number}", "GET", anyone),
    ("/api/v1/vc-api/status-lists/{slug}/{purpose}/{number}/publish", "POST", university_token),
]


# The W3C VC API answers 400 for a well-formed document that does not verify (what its test
# suites expect), and 422 for a credential the VC data model or JSON-LD refuse, which no JSON
# Schema can say: a schema-valid body may be refused there.
EXCLUDED_CHECKS = {
    f"/api/v1/vc-api/{path}": [positive_data_acceptance]
    for path in (
        "credentials/verify",
        "presentations/verify",
        "credentials/issue",
        "credentials/status",
    )
}


def _modes(path: str, method: str) -> list[GenerationMode]:
    """Negative data only where there is input to get wrong."""
    operation = document(BASE_URL)["paths"][path][method.lower()]
    has_input = bool(operation.get("parameters") or operation.get("requestBody"))
    return [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if has_input else [])]


def test_every_operation_is_fuzzed() -> None:
    assert {(path, method) for path, method, _ in FUZZED} == documented_operations()


@contextmanager
def _fuzzing(app: Flask) -> Iterator[None]:
    """The shared app with a token pepper and signing keys; and, since the test holds one app
    context open, each request schemathesis sends (probes too, on clients of its own) starts
    without the caches kept in `g`, as RequestScopedClient's do and real requests do."""

    def forget(sender: Flask, **extra: object) -> None:
        for name in ("_login_user", "_flask_babel", "csrf_token", "api_token"):
            g.pop(name, None)

    request_started.connect(forget, app)
    try:
        with signing_settings(app, api_token_pepper=PEPPER):
            yield
    finally:
        request_started.disconnect(forget, app)


@pytest.mark.parametrize(
    ("path", "method", "caller", "mode"),
    [
        pytest.param(path, method, caller, mode, id=f"{method} {path} {caller.__name__} {mode}")
        for path, method, caller in FUZZED
        for mode in _modes(path, method)
    ],
)
def test_operation_answers_as_documented(
    app: Flask,
    session: Session,
    path: str,
    method: str,
    caller: Caller,
    mode: GenerationMode,
) -> None:
    with _fuzzing(app):
        credentials = caller(app, session)
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operation = schema[path][method]
        strategy = operation.as_strategy(
            generation_mode=mode, auth_storage=AuthStorage(providers=[credentials])
        )
        browser = app.test_client()  # holds no cookie: the case carries its caller's

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(case=strategy)
        def answers_as_documented(case: Any) -> None:
            # Uncompressed: over WSGI nothing would undo Flask-Compress's Content-Encoding.
            case.call_and_validate(
                session=browser,
                headers={"Accept-Encoding": "identity"},
                excluded_checks=EXCLUDED_CHECKS.get(path, []),
            )

        answers_as_documented()


def test_verifying_real_records_answers_as_documented(app: Flask, session: Session) -> None:
    """Random bodies never verify; a record the platform signed (valid, then revoked) does."""
    with _fuzzing(app):
        record = issue(app, session, make_user(session))
        operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[
            "/api/v1/credentials/verify"
        ]["POST"]
        body = {"verifiableCredential": json.loads(record.document), "options": {}}
        case = operation.Case(body=body, media_type="application/json")
        answer = case.call_and_validate(headers={"Accept-Encoding": "identity"})
        assert answer.json()["verified"] is True
        revoke_record(session, record, reason="Issued in error", actor=None, context=context(app))
        session.commit()
        answer = case.call_and_validate(headers={"Accept-Encoding": "identity"})
        assert answer.json()["verified"] is False
