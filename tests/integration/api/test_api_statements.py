"""`GET /api/v1/xapi/statements` with an institution's token: only its own courses' learning;
and odd filters answer 422 problem details (or are read sensibly), never a server error."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.api.models import ApiScope
from tests.factories import PASSWORD, make_user, study
from tests.helpers import login
from tests.integration.api.tokens import PARTNER, STATEMENTS, bearer, make_token
from tests.integration.credentials.records import SCHOOL_COURSE, UNIVERSITY_COURSE

pytestmark = pytest.mark.usefixtures("pepper")


def _objects(body: dict[str, object]) -> list[str]:
    return [s["object"]["id"] for s in body["statements"]]  # type: ignore[attr-defined]


def test_a_universitys_token_reads_only_its_own_courses_statements(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = make_user(session)
    study(session, learner, UNIVERSITY_COURSE, leave_last=True)
    study(session, learner, SCHOOL_COURSE, leave_last=True)
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()
    own = make_token(session).plaintext
    partner = make_token(session, PARTNER).plaintext

    mine = client.get(STATEMENTS, query_string={"limit": 500}, headers=bearer(own)).get_json()
    assert mine["total"] > 0
    assert all(f"/courses/{UNIVERSITY_COURSE}" in iri for iri in _objects(mine))
    theirs = client.get(STATEMENTS, headers=bearer(partner)).get_json()
    assert theirs == {"statements": [], "more": "", "total": 0}

    assert login(client, admin.email, PASSWORD).status_code == 303
    everything = client.get(STATEMENTS, query_string={"limit": 500}).get_json()
    assert any(f"/courses/{SCHOOL_COURSE}" in iri for iri in _objects(everything))
    assert everything["total"] > mine["total"]


def test_paging_with_a_token_links_the_next_page(session: Session, client: FlaskClient) -> None:
    study(session, make_user(session), UNIVERSITY_COURSE, leave_last=True)
    session.commit()
    token = make_token(session).plaintext
    first = client.get(STATEMENTS, query_string={"limit": 1, "_scheme": "x"}, headers=bearer(token))
    assert first.status_code == 200
    more = first.get_json()["more"]
    assert more.startswith(f"{STATEMENTS}?") and "page=2" in more and "_scheme" not in more
    second = client.get(more, headers=bearer(token)).get_json()
    assert second["statements"] != first.get_json()["statements"]


def test_visitors_get_401_problem_details_not_a_login_page(client: FlaskClient) -> None:
    answer = client.get(STATEMENTS)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "query",
    [
        {"verb": "completed\x00"},
        {"agent": "a\x00@example.test"},
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"limit": "١٠"},
        {"limit": ""},
        {"page": "0"},
        {"page": "9" * 5000},
        {"since": "yesterday"},
        {"agent": "{not json"},
        {"agent": '{"a":' * 100_000},
    ],
)
def test_odd_filters_answer_422(
    session: Session, client: FlaskClient, query: dict[str, str]
) -> None:
    token = make_token(session).plaintext
    answer = client.get(STATEMENTS, query_string=query, headers=bearer(token))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        {"since": "0001-01-01T00:00:00+01:00"},
        {"since": "9999-12-31T23:59:59-01:00"},
        {"since": "2026-01-31t08:00:00z"},
        {"agent": json.dumps({"account": {"name": "²"}})},
        {"agent": json.dumps({"account": {"name": "9" * 5000}})},
        {"agent": json.dumps({"account": {"name": "99999999999"}})},
        {"agent": json.dumps([1, 2])},
    ],
)
def test_edge_filters_are_read_without_error(
    session: Session, client: FlaskClient, query: dict[str, str]
) -> None:
    token = make_token(session, scopes=(ApiScope.XAPI_READ,)).plaintext
    answer = client.get(STATEMENTS, query_string=query, headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["total"] == 0
