"""Issuing signed records: right after a completion, by the pending job, once per completion;
well-formed and verifying; no pupil named; keys rotated and sealed at rest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.credentials.core.identity import identifies
from mooc.credentials.core.multikey import encode_public_key
from mooc.credentials.core.status_list import MIN_BITS
from mooc.credentials.core.structure import check_structure
from mooc.credentials.issuers import institution_by_slug
from mooc.credentials.models import IssuedCredential, IssuerKey, StatusList
from mooc.credentials.services import issuing
from mooc.credentials.services.issuing import issue_completion_record
from mooc.credentials.services.keys import KeyEncryptionKey, KeyUnavailable, rotate_key, unseal
from mooc.credentials.services.pending import issue_pending
from mooc.credentials.services.status_lists import random_free_index
from mooc.credentials.services.transcripts import issue_transcript
from mooc.errors import Conflict
from mooc.learning.models import Completion
from mooc.learning.queries import ordered_lectures
from mooc.settings import SettingsError, load_settings
from tests.factories import PASSWORD, complete, make_user, seed_course, study
from tests.helpers import TEST_KEK, context, csrf_from, login, platform_verifier
from tests.integration.credentials.records import (
    SCHOOL_COURSE,
    UNIVERSITY_COURSE,
    issue,
    records_of,
)

UNIVERSITY_DID = "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi"


pytestmark = pytest.mark.usefixtures("signing")


def test_completing_a_course_in_the_browser_issues_its_record_at_once(
    client: FlaskClient, session: Session
) -> None:
    learner = make_user(session)
    found = study(session, learner, UNIVERSITY_COURSE, leave_last=True)
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, learner.email, PASSWORD)
    token = csrf_from(client, "/dashboard")
    last = ordered_lectures(session, found)[-1]
    assert records_of(session, learner) == []

    done = client.post(
        f"/courses/{found.slug}/lectures/{last.slug}/done", data={"csrf_token": token}
    )
    page = client.get(done.location).get_data(as_text=True)

    assert "Your signed record is ready" in page
    [record] = records_of(session, learner)
    assert record.completion is not None and record.completion.course_id == found.id
    # Marking it done again, and the pending job, leave the one record.
    client.post(f"/courses/{found.slug}/lectures/{last.slug}/done", data={"csrf_token": token})
    assert list(issue_pending(session, context(client.application))) == []
    assert len(records_of(session, learner)) == 1
    assert "Xác suất và Thống kê" in client.get("/records").get_data(as_text=True)


def test_the_pending_job_issues_each_completion_once_when_run_twice(
    app: Flask, session: Session
) -> None:
    learners = [make_user(session) for _ in range(3)]
    completions = [complete(session, learner, UNIVERSITY_COURSE) for learner in learners]
    session.commit()

    first = list(issue_pending(session, context(app)))
    session.commit()
    second = list(issue_pending(session, context(app)))

    assert sum(batch.issued for batch in first) == 3
    assert second == []
    issued = session.scalars(
        select(IssuedCredential.completion_id).where(
            IssuedCredential.completion_id.in_([c.id for c in completions])
        )
    ).all()
    assert sorted(issued) == sorted(c.id for c in completions)


def test_issuing_a_completion_again_gives_the_same_record(app: Flask, session: Session) -> None:
    learner = make_user(session)
    record = issue(app, session, learner)
    completion = session.get(Completion, record.completion_id)
    assert completion is not None

    again = issue_completion_record(session, completion, context(app))

    assert again.uuid == record.uuid
    assert len(records_of(session, learner)) == 1


def test_the_record_is_a_well_formed_open_badge_that_verifies(app: Flask, session: Session) -> None:
    record = issue(app, session, make_user(session))
    document = json.loads(record.document)

    assert check_structure(document).well_formed
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == UNIVERSITY_DID
    assert document["issuer"]["name"] == "Trường Đại học Mở Hà Nội"
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "Xác suất và Thống kê"
    assert achievement["humanCode"] == "MAT2002"
    assert achievement["creditsAvailable"] == 2.0 and subject["creditsEarned"] == 2.0
    assert achievement["timeRequired"] == "PT100H"
    assert any(a["targetCode"] == "LO1" for a in achievement["alignment"])
    assert subject["result"][0]["value"] == "100"
    status = document["credentialStatus"]
    assert status["statusListCredential"] == (
        "http://mooc.test/institutions/dai-hoc-mo-ha-noi/status/1"
    )
    assert 0 <= int(status["statusListIndex"]) < MIN_BITS
    assert int(status["statusListIndex"]) == record.status_index
    assert document["id"] == f"urn:uuid:{record.uuid}"

    report = platform_verifier(app, session).verify(document)
    assert report.verified, report.to_json()


def test_a_school_record_carries_no_name_or_email(app: Flask, session: Session) -> None:
    pupil = make_user(session, email="be.lan.2018@truong.test", name="Nguyễn Thị Bé Lan")
    record = issue(app, session, pupil, SCHOOL_COURSE)
    document = json.loads(record.document)

    for clear in ("be.lan.2018", "truong.test", "Bé Lan", "Nguyễn Thị"):
        assert clear not in record.document
    subject = document["credentialSubject"]
    assert "id" not in subject
    assert subject["identifier"][0]["hashed"] is True
    assert identifies(subject, email="be.lan.2018@truong.test")
    assert not identifies(subject, email="someone.else@truong.test")
    assert subject["achievement"]["alignment"][0]["targetName"] == "Grade 1"
    assert platform_verifier(app, session).verify(document).verified


def test_a_rotated_key_stays_published_and_old_records_keep_verifying(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    old = issue(app, session, make_user(session))
    university = institution_by_slug(session, "dai-hoc-mo-ha-noi")
    rotate_key(session, university, context(app).kek)
    session.commit()
    new = issue(app, session, make_user(session))

    document = client.get("/institutions/dai-hoc-mo-ha-noi/did.json").get_json()
    methods = [method["id"] for method in document["verificationMethod"]]
    assert len(methods) == 2 and methods == document["assertionMethod"]
    old_method = json.loads(old.document)["proof"][0]["verificationMethod"]
    new_method = json.loads(new.document)["proof"][0]["verificationMethod"]
    assert old_method != new_method
    assert {old_method, new_method} == set(methods)
    check = platform_verifier(app, session)
    assert check.verify(json.loads(old.document)).verified
    assert check.verify(json.loads(new.document)).verified


def test_the_rotate_key_command_adds_a_published_key(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    issue(app, session, make_user(session))
    rotated = app.test_cli_runner().invoke(args=["credentials", "rotate-key", "dai-hoc-mo-ha-noi"])
    unknown = app.test_cli_runner().invoke(args=["credentials", "rotate-key", "no-such-school"])

    assert rotated.exit_code == 0, rotated.output
    fragment = rotated.output.strip().split("#")[1].split()[0]
    document = client.get("/institutions/dai-hoc-mo-ha-noi/did.json").get_json()
    assert f"{UNIVERSITY_DID}#{fragment}" == document["assertionMethod"][-1]
    assert len(document["assertionMethod"]) == 2
    assert unknown.exit_code != 0


def test_the_database_holds_no_raw_private_key(app: Flask, session: Session) -> None:
    issue(app, session, make_user(session))
    university = institution_by_slug(session, "dai-hoc-mo-ha-noi")
    key = session.scalars(select(IssuerKey).where(IssuerKey.institution_id == university.id)).one()
    kek = KeyEncryptionKey.from_setting(TEST_KEK)

    seed = unseal(key, kek, UNIVERSITY_DID).seed

    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    assert encode_public_key(public) == key.public_key_multibase
    assert seed not in key.private_key_encrypted
    assert base64.b64encode(seed) not in key.private_key_encrypted
    assert TEST_KEK.encode() not in key.private_key_encrypted
    other = KeyEncryptionKey(bytes(32))
    with pytest.raises(KeyUnavailable, match="another MOOC_KEY_ENCRYPTION_KEY"):
        unseal(key, other, UNIVERSITY_DID)


def test_one_active_key_per_issuer_however_often_records_are_issued(
    app: Flask, session: Session
) -> None:
    for _ in range(2):
        issue(app, session, make_user(session))
    university = institution_by_slug(session, "dai-hoc-mo-ha-noi")
    active = session.scalar(
        select(func.count())
        .select_from(IssuerKey)
        .where(IssuerKey.institution_id == university.id, IssuerKey.active.is_(True))
    )
    assert active == 1
    assert seed_course(session, UNIVERSITY_COURSE).institution_id == university.id


def test_production_needs_a_key_encryption_key(tmp_path: Path) -> None:
    environ = {
        "MOOC_ENV": "production",
        "MOOC_SECRET_KEY": "s" * 40,
        "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
        "MOOC_BASE_URL": "https://mooc.example.edu",
        "MOOC_INSTANCE_PATH": str(tmp_path),
    }
    with pytest.raises(SettingsError, match="MOOC_KEY_ENCRYPTION_KEY"):
        load_settings(environ)
    with pytest.raises(SettingsError, match="32 random bytes"):
        load_settings({**environ, "MOOC_KEY_ENCRYPTION_KEY": "too-short"})
    assert load_settings({**environ, "MOOC_KEY_ENCRYPTION_KEY": TEST_KEK}).key_encryption_key
    assert not (tmp_path / "key_encryption_key").exists()


def test_development_generates_its_key_encryption_key_once(tmp_path: Path) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(environ).key_encryption_key
    assert (tmp_path / "key_encryption_key").read_text() == first
    assert load_settings(environ).key_encryption_key == first
    assert len(base64.urlsafe_b64decode(first)) == 32


def _clashing_indexes(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make the pipeline draw a bit already given on the list `times` times in a row (as if
    concurrent issuers kept winning it), then draw freely; returns the draws."""
    draws: list[int] = []

    def draw(session: Session, status_list: StatusList) -> int:
        taken = session.scalar(
            select(IssuedCredential.status_index)
            .where(IssuedCredential.status_list_id == status_list.id)
            .limit(1)
        )
        assert taken is not None, "a clash needs a record on the list already"
        index = taken if len(draws) < times else random_free_index(session, status_list)
        draws.append(index)
        return index

    monkeypatch.setattr(issuing, "random_free_index", draw)
    return draws


def test_a_status_bit_taken_meanwhile_is_drawn_again_for_every_kind_of_record(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner, other = make_user(session), make_user(session)
    first = issue(app, session, learner)
    transcript = issue_transcript(session, learner, [first.uuid], context(app))
    taken = {first.status_index, transcript.status_index}

    course_draws = _clashing_indexes(monkeypatch, times=2)
    course_record = issue_completion_record(
        session, complete(session, other, UNIVERSITY_COURSE), context(app)
    )
    transcript_draws = _clashing_indexes(monkeypatch, times=2)
    again = issue_transcript(session, learner, [first.uuid], context(app), name="Second copy")

    # each record: two clashes, then a fresh bit
    assert course_draws[:2] == [first.status_index] * 2 and len(course_draws) == 3
    assert transcript_draws[:2] == [transcript.status_index] * 2 and len(transcript_draws) == 3
    assert course_record.status_list_id == first.status_list_id
    assert again.status_list_id == transcript.status_list_id
    for record in (course_record, again):
        assert record.status_index not in taken
        document = json.loads(record.document)
        assert document["credentialStatus"]["statusListIndex"] == str(record.status_index)
        assert platform_verifier(app, session).verify(document).verified


def test_issuing_gives_up_with_a_conflict_when_every_draw_clashes(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner = make_user(session)
    first = issue(app, session, learner)
    issue_transcript(session, learner, [first.uuid], context(app))
    draws = _clashing_indexes(monkeypatch, times=issuing.MAX_INDEX_CLASHES)

    with pytest.raises(Conflict):
        issue_transcript(session, learner, [first.uuid], context(app), name="Second copy")

    assert len(draws) == issuing.MAX_INDEX_CLASHES
    assert len(records_of(session, learner)) == 2
