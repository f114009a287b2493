"""Records issued by the platform pass the official OB 3.0 JSON Schema and name the platform's
context by the URL it serves it at; that URL answers with the bundled document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.credentials.core.contexts import (
    MOOC_CONTEXT_V1_PATH,
    mooc_context_document,
    mooc_context_url,
)
from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.records import LEGACY_RECORD_TERMS
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import signer_for
from mooc.credentials.services.transcripts import issue_transcript
from tests.factories import make_user
from tests.helpers import context, platform_verifier
from tests.integration.credentials.records import SCHOOL_COURSE, UNIVERSITY_COURSE, issue
from tests.integration.credentials.wallets import copy_to_wallet
from tests.integration.transfer.partner import recognise
from tests.ob_schema import schema_problems, status_problems

pytestmark = pytest.mark.usefixtures("signing")


@pytest.mark.parametrize("course", [UNIVERSITY_COURSE, SCHOOL_COURSE], ids=["university", "k12"])
def test_an_issued_course_record_passes_the_ob_schema(
    app: Flask, session: Session, course: str
) -> None:
    record = issue(app, session, make_user(session), course)
    document = json.loads(record.document)

    assert schema_problems(document) == []
    assert isinstance(document["proof"], list) and len(document["proof"]) == 1
    base_url = app.config["MOOC_SETTINGS"].base_url
    assert document["@context"][-1] == mooc_context_url(base_url)
    assert platform_verifier(app, session).verify(document).verified


def test_a_transcript_embeds_records_that_pass_the_ob_schema(app: Flask, session: Session) -> None:
    learner = make_user(session)
    first, second = issue(app, session, learner), issue(app, session, learner, SCHOOL_COURSE)
    transcript = issue_transcript(session, learner, [first.uuid, second.uuid], context(app))
    session.commit()
    document = json.loads(transcript.document)

    assert document["@context"][-1] == mooc_context_url(app.config["MOOC_SETTINGS"].base_url)
    assert isinstance(document["proof"], list)
    embedded = document["credentialSubject"]["verifiableCredential"]
    assert [schema_problems(record) for record in embedded] == [[], []]
    assert platform_verifier(app, session).verify(document).verified


def _wallet_copy(app: Flask, session: Session, record: IssuedCredential) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(copy_to_wallet(app, session, record).document)
    return copy


def test_every_kind_of_record_the_platform_issues_passes_the_unmodified_ob_schema(
    app: Flask, session: Session
) -> None:
    learner = make_user(session)
    course, school = issue(app, session, learner), issue(app, session, learner, SCHOOL_COURSE)
    transcript = issue_transcript(session, learner, [course.uuid, school.uuid], context(app))
    recognition = recognise(app, session, "schema.officer@example.test").record
    records = {
        "university course record": json.loads(course.document),
        "school course record": json.loads(school.document),
        "recognition record": json.loads(recognition.document),
        "wallet copy of a course record": _wallet_copy(app, session, course),
        "wallet copy of a recognition record": _wallet_copy(app, session, recognition),
    }
    clrs = {
        "transcript": json.loads(transcript.document),
        "wallet copy of a transcript": _wallet_copy(app, session, transcript),
    }
    for clr in clrs.values():  # the OB credentials a transcript embeds
        for index, embedded in enumerate(clr["credentialSubject"]["verifiableCredential"]):
            records[f"record {index} in a transcript"] = embedded

    assert {kind: schema_problems(document) for kind, document in records.items()} == {
        kind: [] for kind in records
    }
    # A CLR is not an OB credential: its one status entry meets the OB schema's definition.
    assert {kind: status_problems(clr["credentialStatus"]) for kind, clr in clrs.items()} == {
        kind: [] for kind in clrs
    }
    purposes = {
        kind: document["credentialStatus"]["statusPurpose"]
        for kind, document in {**records, **clrs}.items()
    }
    assert purposes["recognition record"] == "suspension"
    assert purposes["wallet copy of a recognition record"] == "suspension"
    assert {purpose for kind, purpose in purposes.items() if "recognition" not in kind} == {
        "revocation"
    }
    for document in (*records.values(), *clrs.values()):
        assert platform_verifier(app, session).verify(document).verified


def test_a_record_issued_the_old_way_still_verifies(app: Flask, session: Session) -> None:
    """Stored records from before v1: the platform terms inline and a lone proof object."""
    record = issue(app, session, make_user(session))
    new = json.loads(record.document)
    unsigned = {key: value for key, value in new.items() if key != "proof"}
    unsigned["@context"] = [*unsigned["@context"][:-1], LEGACY_RECORD_TERMS]
    signer = signer_for(session, context(app), record.institution)
    old = create_proof(
        unsigned,
        Ed25519PrivateKey.from_private_bytes(signer.seed),
        signer.verification_method,
        new["proof"][0]["created"],
    )
    assert isinstance(old["proof"], dict)
    # The same statements under either context: the very signature of the new record.
    assert old["proof"]["proofValue"] == new["proof"][0]["proofValue"]

    report = platform_verifier(app, session).verify(old)
    assert report.verified, report.to_json()
    old["credentialSubject"]["creditsEarned"] = 20.0
    assert not platform_verifier(app, session).verify(old).verified


def test_the_served_context_is_the_bundled_one(client: FlaskClient) -> None:
    response = client.get(MOOC_CONTEXT_V1_PATH)

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert json.loads(response.data) == mooc_context_document()
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
