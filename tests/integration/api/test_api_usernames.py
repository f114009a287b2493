"""Pupils from a school roster have a username and often no email: the API's payloads that name
a person say so (the transfer item's student, as the OpenAPI document describes it), and an xAPI
agent filter finds such a pupil by account name (the user id statements carry, or the username).
"""

from __future__ import annotations

import json
import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.passwords import hash_password
from mooc.accounts.services import grant_role
from mooc.api.models import ApiScope
from mooc.api.openapi import document
from mooc.credentials.issuers import institution_by_slug
from tests.factories import PASSWORD, make_user, study
from tests.helpers import BASE_URL, login
from tests.integration.api.tokens import PARTNER, STATEMENTS, bearer, make_token
from tests.integration.credentials.records import SCHOOL_COURSE
from tests.integration.transfer.partner import (
    ISSUING,
    STATS,
    issue,
    send,
    set_up_partner,
    staff,
)

pytestmark = pytest.mark.usefixtures("pepper")

USERNAME = "mai.lo.12a1"


def _username_only(session: Session, *roles: tuple[str, Role]) -> User:
    user = User(
        name="Lò Thị Mai",
        username=USERNAME,
        email=None,
        password_hash=hash_password(PASSWORD),
        session_token=secrets.token_hex(16),
        locale="en",
    )
    session.add(user)
    session.flush()
    for slug, role in roles:
        grant_role(session, user, institution_by_slug(session, slug), role)
    session.flush()
    return user


def _matches(schema_name: str, payload: object) -> None:
    doc = document(BASE_URL)
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    Draft202012Validator(schema).validate(payload)


def test_a_transfer_item_names_a_pupil_without_email_by_username(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = staff(session)
    set_up_partner(session, officer)
    pupil = _username_only(session, (ISSUING, Role.STUDENT))
    result = send(app, session, pupil, issue(app, session, pupil, STATS))
    session.commit()
    item_id = result.request.items[0].id
    token = make_token(session, PARTNER, (ApiScope.REQUESTS_READ,)).plaintext

    listed = client.get("/api/v1/transfer/requests", headers=bearer(token))
    assert listed.status_code == 200
    (item,) = listed.get_json()["items"]
    assert item["student"] == {"name": "Lò Thị Mai", "email": None, "username": USERNAME}
    _matches("TransferItem", item)
    one = client.get(f"/api/v1/transfer/items/{item_id}", headers=bearer(token))
    assert one.get_json()["student"]["username"] == USERNAME
    _matches("TransferItem", one.get_json())


def test_the_document_says_a_student_may_have_no_email() -> None:
    student = document(BASE_URL)["components"]["schemas"]["TransferItem"]["properties"]["student"]
    assert set(student["required"]) == {"name", "email", "username"}
    assert student["properties"]["email"]["type"] == ["string", "null"]
    assert student["properties"]["username"]["type"] == ["string", "null"]


def _statement_users(client: FlaskClient, agent: str) -> set[str]:
    answer = client.get(STATEMENTS, query_string={"agent": agent, "limit": 500})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {s["actor"]["account"]["name"] for s in answer.get_json()["statements"]}


def test_an_agent_filter_finds_a_pupil_without_email(session: Session, client: FlaskClient) -> None:
    pupil = _username_only(session)
    other = make_user(session)
    study(session, pupil, SCHOOL_COURSE, leave_last=True)
    study(session, other, SCHOOL_COURSE, leave_last=True)
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()
    assert login(client, admin.email or "", PASSWORD).status_code == 303

    by_id = json.dumps({"account": {"homePage": BASE_URL, "name": str(pupil.id)}})
    assert _statement_users(client, by_id) == {str(pupil.id)}
    by_username = json.dumps({"account": {"homePage": BASE_URL, "name": USERNAME}})
    assert _statement_users(client, by_username) == {str(pupil.id)}
    assert _statement_users(client, USERNAME.upper()) == {str(pupil.id)}  # stored lowercase
    assert _statement_users(client, other.email or "") == {str(other.id)}
    # An unknown username, or an agent naming nobody, finds nothing (not everything).
    assert _statement_users(client, "nobody.6a1") == set()
    assert _statement_users(client, json.dumps({"account": {"name": "nobody.6a1"}})) == set()
    assert _statement_users(client, json.dumps({"objectType": "Agent"})) == set()
