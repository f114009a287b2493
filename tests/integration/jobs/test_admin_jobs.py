"""The background jobs on the administrator's e-mails page: runs per state, the latest failures
with their errors, and retrying a given-up run (a CSRF-protected POST), which the worker then
runs."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.db import utcnow
from mooc.jobs import queue_of
from mooc.jobs.models import JobRun, RunState
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

PAGE = "/admin/emails/"
RETRY = "/admin/emails/jobs/retry"


def _run(session: Session, run_id: str, state: RunState, attempts: int, **values: object) -> JobRun:
    now = utcnow()
    run = JobRun(
        id=run_id,
        name="credentials.issue_records",
        args={"completion_ids": []},
        args_digest="0" * 64,
        state=state,
        attempts=attempts,
        max_attempts=values.pop("max_attempts", 6),
        created_at=now - dt.timedelta(hours=1),
        finished_at=now - dt.timedelta(minutes=attempts),
        **values,
    )
    session.add(run)
    session.flush()
    return run


def _login(client: FlaskClient, session: Session, role: tuple[str, Role], language: str) -> None:
    person = make_user(session, role, name="Someone")
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert login(client, person.email, PASSWORD).status_code == 303


def test_the_page_shows_counts_and_failures_and_a_retry_runs_the_job_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    given_up = _run(
        session,
        "credentials.issue_records:lost",
        RunState.FAILED,
        6,
        last_error="KeyUnavailable: the issuer's key cannot be opened",
    )
    retrying = _run(
        session,
        "credentials.issue_records:later",
        RunState.FAILED,
        1,
        last_error="OperationalError: database is locked",
        due_at=utcnow() + dt.timedelta(minutes=1),
    )
    _run(session, "credentials.issue_records:ok", RunState.DONE, 1)
    _login(client, session, ("bo-giao-duc", Role.ADMIN), "en")
    text = client.get(PAGE).get_data(as_text=True)
    assert "Background jobs" in text
    counts = text.split('id="jobs-heading"')[1]
    assert "<dt>Done</dt><dd>1</dd>" in counts and "<dt>Failed</dt><dd>2</dd>" in counts
    assert "<dt>Given up</dt><dd>1</dd>" in counts
    assert "KeyUnavailable: the issuer&#39;s key cannot be opened" in text
    assert "OperationalError: database is locked" in text
    assert f'name="run_id" value="{given_up.id}"' in text
    assert f'name="run_id" value="{retrying.id}"' not in text  # it retries by itself
    assert "Retry the 1 given-up job" in text and "Next attempt at" in text

    assert client.post(RETRY, data={"run_id": given_up.id}).status_code == 400  # no CSRF token
    session.refresh(given_up)
    assert given_up.state == RunState.FAILED

    token = csrf_from(client, PAGE)
    answer = client.post(RETRY, data={"csrf_token": token, "run_id": given_up.id})
    assert answer.status_code == 303
    assert "1 background job will run again shortly." in client.get(PAGE).get_data(as_text=True)
    session.refresh(given_up)
    assert (given_up.state, given_up.max_attempts) == (RunState.QUEUED, 7)

    queue_of(app).drain()  # what the worker does with the message the retry sent
    session.refresh(given_up)
    assert (given_up.state, given_up.attempts, given_up.last_error) == (RunState.DONE, 7, None)

    refused = client.post(RETRY, data={"csrf_token": token, "run_id": retrying.id})
    assert refused.status_code == 303
    assert "has not given up" in client.get(PAGE).get_data(as_text=True)
    nowhere = client.post(RETRY, data={"csrf_token": token, "run_id": "no-such-run"})
    assert nowhere.status_code == 303
    assert "There is no such background job." in client.get(PAGE).get_data(as_text=True)


def test_the_section_speaks_vietnamese(client: FlaskClient, session: Session) -> None:
    _login(client, session, ("bo-giao-duc", Role.ADMIN), "vi")
    text = client.get(PAGE).get_data(as_text=True)
    assert "Tác vụ nền" in text and "Chưa có tác vụ nền nào thất bại." in text


def test_only_administrators_retry_jobs(client: FlaskClient, session: Session) -> None:
    _login(client, session, ("thcs-ba-dinh", Role.TEACHER), "en")
    token = csrf_from(client, "/dashboard")
    assert client.post(RETRY, data={"csrf_token": token}).status_code == 403
