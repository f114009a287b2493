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
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.pending import issue_pending
from mooc.credentials.services.sharing import create_share_link
from mooc.errors import Conflict, Invalid
from tests.factories import PASSWORD, complete, make_user
from tests.helpers import context, csrf_from, login, platform_verifier
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


def _student(session: Session, number: str | None) -> User:
    """A student of the university whose course UNIVERSITY_COURSE is, known by `number`."""
    learner = make_user(session, name=NAME)
    university = get_institution(session, "dai-hoc-mo-ha-noi")
    grant_role(session, learner, university, Role.STUDENT, number)
    return learner


def test_a_university_record_states_the_student_number_the_university_gave(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = _student(session, "  SV 2026  0517 ")  # spaces as typed are tidied once
    record = issue(app, session, learner, UNIVERSITY_COURSE)
    number = {
        "type": "IdentityObject",
        "identityHash": "SV 2026 0517",
        "identityType": "ext:studentId",  # OB 3.0 has no student number type: an extension
        "hashed": False,
    }
    assert number in _identifiers(record)
    assert platform_verifier(app, session).verify(json.loads(record.document)).verified
    if SCHEMA.exists():
        jsonschema = pytest.importorskip("jsonschema")
        schema = json.loads(SCHEMA.read_text())
        jsonschema.Draft201909Validator({**schema["$defs"]["IdentityObject"]}).validate(number)

    html = _verify(_visitor(app), record)
    assert "Student number" in html and "SV 2026 0517" in html
    assert html.index("Valid:") < html.index("SV 2026 0517")
    login(client, learner.email or "", PASSWORD)
    printed = client.get(f"/records/{record.uuid}/print").get_data(as_text=True)
    assert "SV 2026 0517" in printed
    _link, token = create_share_link(session, record, days=7)
    session.commit()
    assert "SV 2026 0517" in _visitor(app).get(f"/verify/{token}").get_data(as_text=True)


def test_the_batch_run_states_the_number_and_a_record_without_one_names_only(
    app: Flask, session: Session
) -> None:
    known = _student(session, "SV-0042")
    unknown = _student(session, None)
    ids = [complete(session, person, UNIVERSITY_COURSE).id for person in (known, unknown)]
    session.commit()
    for _batch in issue_pending(session, context(app), ids):
        session.commit()
    by_user = {record.user_id: record for record in records_issued(session, ids)}
    numbers = [
        [
            i["identityHash"]
            for i in _identifiers(by_user[person.id])
            if i["identityType"] == "ext:studentId"
        ]
        for person in (known, unknown)
    ]
    assert numbers == [["SV-0042"], []]


def test_a_student_number_is_one_persons_at_a_university_and_only_a_students(
    session: Session,
) -> None:
    _student(session, "SV-7")
    other = make_user(session)
    university = get_institution(session, "dai-hoc-mo-ha-noi")
    with pytest.raises(Conflict):
        grant_role(session, other, university, Role.STUDENT, "SV-7")
    with pytest.raises(Invalid):
        grant_role(session, other, university, Role.STAFF, "SV-8")
    with pytest.raises(Invalid):
        grant_role(session, other, get_institution(session, "thcs-ba-dinh"), Role.STUDENT, "HS-1")
    # elsewhere the same number is another university's business
    grant_role(session, other, get_institution(session, "dai-hoc-da-nang"), Role.STUDENT, "SV-7")


def records_issued(session: Session, completion_ids: list[int]) -> list[IssuedCredential]:
    return list(
        session.scalars(
            select(IssuedCredential).where(IssuedCredential.completion_id.in_(completion_ids))
        )
    )
