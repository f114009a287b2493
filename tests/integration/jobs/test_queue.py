"""The job queue in one process: a real SqliteHuey in a temporary folder and the real ledger on
SQLite and PostgreSQL. Jobs run once, fail visibly, retry after their back-off, give up, are
retried by hand; a run delivered twice, or claimed by a second worker, does its work once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.jobs import Job, JobQueue, queries, queue_of, services
from mooc.jobs.models import JobRun, RunState
from mooc.notifications.models import Notification
from tests.factories import make_user

CALLS: list[str] = []
FAILURES_LEFT: dict[str, int] = {}


def _write(session: Session, user_id: int, text: str) -> None:
    session.add(Notification(user_id=user_id, kind="record_issued", params={"record": text}))
    session.flush()


def note(session: Session, user_id: int, text: str) -> None:
    """A test job whose work is a row (an in-app notification) written in the run's session."""
    CALLS.append(text)
    _write(session, user_id, text)


def flaky(session: Session, user_id: int, text: str) -> None:
    """Fails while FAILURES_LEFT[text] is above zero, then writes its row."""
    CALLS.append(text)
    if FAILURES_LEFT.get(text, 0) > 0:
        FAILURES_LEFT[text] -= 1
        raise RuntimeError(f"the mail server is down ({text})")
    _write(session, user_id, text)


TEST_JOBS = (
    Job("test.note", note),
    Job("test.flaky", flaky, retries=2, retry_delay=dt.timedelta(seconds=30)),
    Job("test.fragile", flaky, retries=0),
)


@pytest.fixture
def queue(app: Flask, session: Session, tmp_path: Path) -> JobQueue:
    """A queue of its own on the shared app: a SQLite queue file in the test's folder."""
    settings = app.config["MOOC_SETTINGS"].with_overrides(
        queue_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    )
    CALLS.clear()
    FAILURES_LEFT.clear()
    return JobQueue(app, settings, TEST_JOBS)


def _run(session: Session, run_id: str) -> JobRun:
    run = session.scalar(
        select(JobRun).where(JobRun.id == run_id).execution_options(populate_existing=True)
    )
    assert run is not None
    return run


def _notes(session: Session, user_id: int) -> list[str]:
    return [
        n.params["record"]
        for n in session.scalars(select(Notification).where(Notification.user_id == user_id))
    ]


def test_an_enqueued_job_runs_once_in_the_worker_and_is_recorded(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.once@example.test")
    session.commit()
    run_id = queue.enqueue(session, "test.note", user_id=person.id, text="Toán 6")
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.args) == (
        RunState.QUEUED,
        0,
        {"user_id": person.id, "text": "Toán 6"},
    )
    assert _notes(session, person.id) == []  # nothing ran in the request

    assert queue.drain().executed == 1
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.last_error) == (RunState.DONE, 1, None)
    assert run.finished_at is not None and run.args_digest == services.args_digest(run.args)
    assert _notes(session, person.id) == ["Toán 6"]

    queue.push("test.note", run_id)  # the same run delivered again (a duplicate message)
    assert queue.drain().executed == 1
    assert _notes(session, person.id) == ["Toán 6"]  # done once: the second delivery did nothing
    assert CALLS == ["Toán 6"]


def test_a_key_makes_the_same_work_one_run(queue: JobQueue, session: Session) -> None:
    person = make_user(session, email="jobs.key@example.test")
    session.commit()
    first = queue.enqueue(session, "test.note", key="note:1", user_id=person.id, text="a")
    second = queue.enqueue(session, "test.note", key="note:1", user_id=person.id, text="a")
    assert first == second == "note:1"
    queue.drain()
    assert _notes(session, person.id) == ["a"]


def test_a_failing_job_is_retried_after_its_back_off_and_then_succeeds(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.retry@example.test")
    session.commit()
    FAILURES_LEFT["b"] = 2
    run_id = queue.enqueue(session, "test.flaky", user_id=person.id, text="b")
    queue.drain()
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.max_attempts) == (RunState.FAILED, 1, 3)
    assert run.last_error is not None and "RuntimeError: the mail server is down (b)" in (
        run.last_error
    )
    assert run.due_at is not None and run.due_at > utcnow() + dt.timedelta(seconds=20)
    assert queries.run_counts(session).failed == 1
    assert [r.id for r in queries.latest_failures(session)] == [run_id]

    assert queue.drain().executed == 0  # not before its back-off
    queue.drain(now=utcnow() + dt.timedelta(seconds=31))
    run = _run(session, run_id)
    assert (run.state, run.attempts) == (RunState.FAILED, 2)
    assert run.due_at is not None and run.due_at > utcnow() + dt.timedelta(seconds=50)  # doubled

    queue.drain(now=utcnow() + dt.timedelta(minutes=2))
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.last_error) == (RunState.DONE, 3, None)
    assert _notes(session, person.id) == ["b"]
    assert CALLS == ["b", "b", "b"]  # two failed attempts; the third wrote its row


def test_a_job_out_of_attempts_is_given_up_shown_and_retried_by_hand(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.giveup@example.test")
    session.commit()
    FAILURES_LEFT["c"] = 1
    run_id = queue.enqueue(session, "test.fragile", user_id=person.id, text="c")
    queue.drain()
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.due_at) == (RunState.FAILED, 1, None)
    counts = queries.run_counts(session)
    assert (counts.failed, counts.given_up) == (1, 1)
    assert queue.drain(now=utcnow() + dt.timedelta(hours=1)).executed == 0  # no retry left

    assert queue.retry(session, [run_id]) == [run_id]
    queue.drain()
    run = _run(session, run_id)
    assert (run.state, run.attempts, run.max_attempts) == (RunState.DONE, 2, 2)
    assert _notes(session, person.id) == ["c"]


def test_a_worker_that_lost_its_claim_rolls_its_work_back(
    app: Flask, queue: JobQueue, session: Session
) -> None:
    """Worker A's lease ran out (it hung), worker B claimed the run and finished it; A's done
    mark then fails, so A's work is not committed: the work happened once."""
    person = make_user(session, email="jobs.lease@example.test")
    session.commit()
    run_id = "test.note:lease"
    now = utcnow()
    services.create_run(session, run_id, "test.note", {}, max_attempts=3, now=now)
    first = services.claim_run(session, run_id, now, dt.timedelta(seconds=1))
    assert first == 1
    assert services.claim_run(session, run_id, now, dt.timedelta(seconds=1)) is None  # held
    later = now + dt.timedelta(seconds=2)
    second = services.claim_run(session, run_id, later, dt.timedelta(minutes=1))
    assert second == 2
    note(session, person.id, "by B")
    assert services.finish_run(session, run_id, second, later)
    session.commit()
    note(session, person.id, "by A")
    assert not services.finish_run(session, run_id, first, later)
    session.rollback()
    assert _notes(session, person.id) == ["by B"]


def test_recover_requeues_a_dead_workers_run_and_gives_up_one_without_attempts(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.recover@example.test")
    session.commit()
    now = utcnow()
    for run_id, max_attempts in (("test.note:dead", 2), ("test.note:spent", 1)):
        services.create_run(
            session,
            run_id,
            "test.note",
            {"user_id": person.id, "text": run_id},
            max_attempts=max_attempts,
            now=now,
        )
        assert services.claim_run(session, run_id, now, dt.timedelta(seconds=1)) == 1
    session.commit()
    # Its worker was killed: nothing but the claim is left. Still held while the lease runs.
    assert services.recover_runs(session, now, dt.timedelta(minutes=5)).requeue == ()
    session.rollback()

    found = services.recover_runs(session, now + dt.timedelta(seconds=2), dt.timedelta(minutes=5))
    assert found.requeue == ("test.note:dead",)
    assert found.given_up == ("test.note:spent",)
    session.commit()
    spent = _run(session, "test.note:spent")
    assert (spent.state, spent.last_error) == (RunState.FAILED, services.DEAD_WORKER)
    queue.push("test.note", "test.note:dead")
    queue.drain()
    assert (_run(session, "test.note:dead").state, _notes(session, person.id)) == (
        RunState.DONE,
        ["test.note:dead"],
    )


def test_a_periodic_job_runs_once_per_minute_over_all_schedulers(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.periodic@example.test")
    session.commit()
    queue.register([Job("test.tick", lambda s: note(s, person.id, "tick"))])
    moment = utcnow().replace(second=5)
    first = queue.execute_periodic("test.tick", moment)
    second = queue.execute_periodic("test.tick", moment + dt.timedelta(seconds=30))
    assert first == second  # two workers' schedulers, one slot
    queue.execute_periodic("test.tick", moment + dt.timedelta(minutes=1))
    assert _notes(session, person.id) == ["tick", "tick"]


def test_the_app_registers_every_features_jobs_and_their_schedules(app: Flask) -> None:
    queue = queue_of(app)
    assert set(queue.jobs) == {
        "jobs.recover",
        "jobs.prune",
        "credentials.issue_records",
        "credentials.issue_pending",
        "learning.forward_xapi",
        "learning.recount_standing",
        "transfer.recheck",
        "authoring.transcode",
        "notifications.send",
        "scorm.sweep_files",
    }
    settings = app.config["MOOC_SETTINGS"]
    scheduled = {name for name, job in queue.jobs.items() if job.scheduled(settings)}
    # No LRS configured; the test app's sender is off (the default from the environment is
    # the queue, which schedules notifications.send).
    assert scheduled == {
        "jobs.recover",
        "jobs.prune",
        "credentials.issue_pending",
        "learning.recount_standing",
        "transfer.recheck",
        "authoring.transcode",
        "scorm.sweep_files",
    }
    queued = settings.with_overrides(notifications_sender="queue", lrs_url="http://lrs.test")
    assert {name for name, job in queue.jobs.items() if job.scheduled(queued)} == {
        *scheduled,
        "notifications.send",
        "learning.forward_xapi",
    }


def test_an_immediate_queue_runs_the_job_where_it_is_enqueued(app: Flask, session: Session) -> None:
    """`MOOC_QUEUE_URL=memory://`: no worker; the run is done when `enqueue` returns."""
    settings = app.config["MOOC_SETTINGS"].with_overrides(queue_url="memory://")
    immediate = JobQueue(app, settings, TEST_JOBS)
    person = make_user(session, email="jobs.immediate@example.test")
    session.commit()
    run_id = immediate.enqueue(session, "test.note", user_id=person.id, text="now")
    assert _run(session, run_id).state == RunState.DONE
    assert _notes(session, person.id) == ["now"]


def test_a_scheduled_run_is_skipped_while_the_last_one_still_works(
    queue: JobQueue, session: Session
) -> None:
    person = make_user(session, email="jobs.overlap@example.test")
    session.commit()
    queue.register([Job("test.sweep", lambda s: note(s, person.id, "sweep"))])
    moment = utcnow()
    services.create_run(session, "test.sweep@long", "test.sweep", {}, max_attempts=1, now=moment)
    assert services.claim_run(session, "test.sweep@long", moment, dt.timedelta(minutes=5)) == 1
    session.commit()
    assert queue.execute_periodic("test.sweep", moment + dt.timedelta(minutes=1)) is None
    assert _notes(session, person.id) == []
    # Its lease ran out (its worker died): the schedule goes on.
    assert queue.execute_periodic("test.sweep", moment + dt.timedelta(minutes=6)) is not None
    assert _notes(session, person.id) == ["sweep"]


def test_an_unreachable_queue_fails_no_request_and_recover_sends_the_run_later(
    app: Flask, queue: JobQueue, session: Session
) -> None:
    """Redis down (nothing listens on port 9): enqueue answers at once, the run waits in the
    ledger; once a queue answers, recover sends it and a worker runs it."""
    person = make_user(session, email="jobs.down@example.test")
    session.commit()
    settings = app.config["MOOC_SETTINGS"].with_overrides(queue_url="redis://127.0.0.1:9/0")
    down = JobQueue(app, settings, TEST_JOBS)
    run_id = down.enqueue(session, "test.note", user_id=person.id, text="later")
    assert _run(session, run_id).state == RunState.QUEUED
    assert queue.recover(session, dt.timedelta(minutes=5)).requeue == ()  # not overdue yet
    found = queue.recover(session, dt.timedelta(seconds=0))
    assert run_id in found.requeue
    queue.drain()
    assert _run(session, run_id).state == RunState.DONE
    assert _notes(session, person.id) == ["later"]
