"""Who a record belongs to: university records name the holder in clear (a registrar reads it on
the print, share and /verify pages); school (K-12) records carry only salted hashes, and the
verify and share pages let a verifier check a name against them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.sharing import create_share_link
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login, platform_verifier
from tests.integration.credentials.records import SCHOOL_COURSE, UNIVERSITY_COURSE, issue

pytestmark = pytest.mark.usefixtures("signing")

NAME = "Lò Thị Mai"
ROOT = Path(__file__).resolve().parents[3]
# The official OB 3.0 schemas sit beside the repository (or beside a worktree's parent folder).
SCHEMA = next(
    (
        place / "shared/data/schemas/ob_v3p0_achievementcredential.json"
        for place in (ROOT.parent, ROOT.parent.parent)
        if (place / "shared/data/schemas/ob_v3p0_achievementcredential.json").exists()
    ),
    ROOT / "missing-schema.json",
)


def _identifiers(record: IssuedCredential) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(record.document)["credentialSubject"]["identifier"]
    return found


def _visitor(app: Flask) -> FlaskClient:
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return visitor


def _verify(visitor: FlaskClient, record: IssuedCredential) -> str:
    token = csrf_from(visitor, "/verify")
    page = visitor.post("/verify", data={"csrf_token": token, "credential_json": record.document})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _check(visitor: FlaskClient, record: IssuedCredential, value: str) -> str:
    token = csrf_from(visitor, "/verify")
    page = visitor.post(
        "/verify/holder",
        data={
            "csrf_token": token,
            "credential_json": record.document,
            "identity_type": "name",
            "value": value,
        },
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_university_record_names_its_holder_in_clear(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = make_user(session, name=NAME)
    record = issue(app, session, learner, UNIVERSITY_COURSE)
    identifiers = _identifiers(record)
    assert identifiers[0]["identityType"] == "emailAddress" and identifiers[0]["hashed"]
    assert {
        "type": "IdentityObject",
        "identityHash": NAME,
        "identityType": "name",
        "hashed": False,
    } in identifiers
    assert platform_verifier(app, session).verify(json.loads(record.document)).verified
    if SCHEMA.exists():  # the official OB 3.0 schema's IdentityObject, where it is available
        jsonschema = pytest.importorskip("jsonschema")
        schema = json.loads(SCHEMA.read_text())
        definition = {**schema["$defs"]["IdentityObject"], "$defs": schema["$defs"]}
        for identifier in identifiers:
            jsonschema.Draft201909Validator(definition).validate(identifier)

    html = _verify(_visitor(app), record)
    assert "Holder" in html and NAME in html
    assert html.index("Valid:") < html.index(NAME)
    assert "Check a name or student number against this record" not in html
    login(client, learner.email or "", PASSWORD)
    printed = client.get(f"/records/{record.uuid}/print").get_data(as_text=True)
    assert NAME in printed
    _link, token = create_share_link(session, record, days=7)
    session.commit()
    assert NAME in _visitor(app).get(f"/verify/{token}").get_data(as_text=True)


def test_a_school_record_keeps_only_salted_hashes_and_a_verifier_checks_a_name(
    app: Flask, session: Session
) -> None:
    pupil = make_user(session, name=NAME)
    record = issue(app, session, pupil, SCHOOL_COURSE)
    identifiers = _identifiers(record)
    assert all(identifier["hashed"] is True for identifier in identifiers)
    assert [i["identityType"] for i in identifiers] == ["emailAddress", "name"]
    assert NAME not in record.document and "Mai" not in record.document
    assert platform_verifier(app, session).verify(json.loads(record.document)).verified

    visitor = _visitor(app)
    html = _verify(visitor, record)
    assert NAME not in html
    assert "Check a name or student number against this record" in html
    typed = unicodedata.normalize("NFD", "lò  thị MAI")  # another keyboard, case, spacing
    assert "The name matches" in _check(visitor, record, typed)
    answer = _check(visitor, record, "Lò Thị Mây")
    assert "The name does not match" in answer
    assert "The name matches" not in answer


def test_the_share_page_checks_a_name_against_a_school_record(app: Flask, session: Session) -> None:
    pupil = make_user(session, name=NAME)
    record = issue(app, session, pupil, SCHOOL_COURSE)
    _link, token = create_share_link(session, record, days=7)
    session.commit()
    visitor = _visitor(app)
    url = f"/verify/{token}"
    page = visitor.get(url).get_data(as_text=True)
    assert "Check a name or student number against this record" in page
    checked = visitor.post(
        f"{url}/holder",
        data={"csrf_token": csrf_from(visitor, url), "identity_type": "name", "value": NAME},
    )
    assert checked.status_code == 200
    assert "The name matches" in checked.get_data(as_text=True)
    empty = visitor.post(
        f"{url}/holder",
        data={"csrf_token": csrf_from(visitor, url), "identity_type": "name", "value": ""},
    )
    assert empty.status_code == 422
    bad_type = visitor.post(
        f"{url}/holder",
        data={"csrf_token": csrf_from(visitor, url), "identity_type": "email", "value": NAME},
    )
    assert bad_type.status_code == 422


def test_a_check_without_a_record_or_on_a_record_in_clear_is_refused_not_a_500(
    app: Flask, session: Session
) -> None:
    record = issue(app, session, make_user(session, name=NAME), UNIVERSITY_COURSE)
    visitor = _visitor(app)
    token = csrf_from(visitor, "/verify")
    garbage = visitor.post("/verify/holder", data={"csrf_token": token, "credential_json": "x"})
    assert garbage.status_code == 422
    nothing_hashed = visitor.post(
        "/verify/holder",
        data={
            "csrf_token": token,
            "credential_json": record.document,
            "identity_type": "name",
            "value": NAME,
        },
    )
    assert nothing_hashed.status_code == 422
