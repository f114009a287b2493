"""A job killed mid-way is retried and does its work exactly once: a real worker process
(`flask jobs worker`) is SIGKILLed while its job's write is flushed but not committed; `flask
jobs recover` sends the run again once its lease has run out, and a new worker does the work —
one row, two attempts. On SQLite and PostgreSQL, with the SQLite queue and with Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from mooc.extensions import db
from mooc.factory import create_app
from mooc.jobs import queue_of
from mooc.jobs.models import JobRun, RunState
from mooc.migrate import upgrade
from mooc.settings import load_settings
from tests.helpers import ROOT
from tests.integration.jobs.blocking import BLOCKING, EFFECTS, JOBS

FLASK = str(Path(sys.executable).with_name("flask"))
APP = "tests.integration.jobs.blocking_app"
REDIS_BASE = os.environ.get("MOOC_TEST_REDIS_URL", "").rstrip("/") or "redis://127.0.0.1:6379"


def _redis_url() -> str:
    """A Redis database of its own (the highest free one), or skip without Redis."""
    try:
        client = redis.Redis.from_url(REDIS_BASE + "/0", socket_connect_timeout=2)
        databases = int(client.config_get("databases").get("databases", 16))
        for number in range(databases - 1, 0, -1):
            if not redis.Redis.from_url(f"{REDIS_BASE}/{number}").dbsize():
                return f"{REDIS_BASE}/{number}"
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_BASE}: {error}")
    pytest.skip("no empty Redis database")


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite-queue":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        return
    url = _redis_url()
    yield url
    redis.Redis.from_url(url).flushdb()


def _env(database_url: str, queue_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOOC_")}
    return {
        **env,
        "MOOC_ENV": "development",
        "MOOC_DATABASE_URL": database_url,
        "MOOC_QUEUE_URL": queue_url,
        "MOOC_INSTANCE_PATH": str(tmp_path / "instance"),
        "MOOC_NOTIFICATIONS_SENDER": "off",
        "MOOC_JOBS_WORKERS": "2",
    }


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [FLASK, "--app", APP, "jobs", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait(condition: Callable[[], bool], what: str, logs: list[Path], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen:\n" + "\n".join(p.read_text() for p in logs))


def _run(engine: Engine, run_id: str) -> tuple[RunState, int]:
    with engine.connect() as connection:
        row = connection.execute(
            select(JobRun.state, JobRun.attempts).where(JobRun.id == run_id)
        ).one()
        return RunState(row[0]), int(row[1])


def _effects(engine: Engine, marker: str) -> int:
    with engine.connect() as connection:
        found = connection.scalar(
            select(func.count()).select_from(EFFECTS).where(EFFECTS.c.run == marker)
        )
        return int(found or 0)


def _stop(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def test_a_job_killed_mid_way_is_retried_and_does_its_work_exactly_once(
    backend: str,
    fresh_database_url: Callable[[str], str],
    queue_url: str,
    tmp_path: Path,
) -> None:
    database_url = fresh_database_url(backend)
    upgrade(database_url)
    engine = create_engine(database_url)
    EFFECTS.create(engine)
    env = _env(database_url, queue_url, tmp_path)
    gate = str(tmp_path / "gate")
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = _worker(env, logs[0])
    second = None
    try:
        # The test enqueues as an app server would: the same settings, another process.
        run_id = _enqueue(env, gate)
        started = Path(gate + ".started")
        _wait(started.exists, "the first worker starting the job", logs)
        _stop(first, signal.SIGKILL)  # mid-way: the row is flushed, not committed
        assert _run(engine, run_id) == (RunState.RUNNING, 1)
        assert _effects(engine, run_id) == 0  # the database rolled the killed work back

        time.sleep(2.2)  # the job's lease (2 s) runs out
        recovered = subprocess.run(
            [FLASK, "--app", APP, "jobs", "recover"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert recovered.returncode == 0, recovered.stderr
        assert "enqueued again 1" in recovered.stdout
        assert _run(engine, run_id) == (RunState.QUEUED, 1)

        Path(gate + ".open").touch()
        second = _worker(env, logs[1])
        _wait(lambda: _run(engine, run_id)[0] == RunState.DONE, "the second worker's run", logs)
        assert _run(engine, run_id) == (RunState.DONE, 2)
        assert _effects(engine, run_id) == 1
        assert len(started.read_text().split()) == 2  # two attempts began, one counted

        # A late duplicate delivery of the finished run changes nothing.
        _push_again(env, run_id)
        time.sleep(1.5)
        assert _effects(engine, run_id) == 1
    finally:
        _stop(first, signal.SIGKILL)
        if second is not None:
            _stop(second, signal.SIGINT)
        engine.dispose()
    for log in logs[1:]:
        assert "Traceback" not in log.read_text(), log.read_text()


def _app(env: dict[str, str]) -> Flask:
    """The worker's app, built in this process from the same environment."""
    application = create_app(settings=load_settings(env))
    queue_of(application).register(JOBS)
    return application


def _enqueue(env: dict[str, str], gate: str) -> str:
    application = _app(env)
    with application.app_context():
        marker = f"{BLOCKING}:{uuid.uuid4().hex}"
        run_id = queue_of(application).enqueue(
            db.session, BLOCKING, key=marker, marker=marker, gate=gate
        )
        db.session.close()
        db.engine.dispose()
    return run_id


def _push_again(env: dict[str, str], run_id: str) -> None:
    application = _app(env)
    assert queue_of(application).push(BLOCKING, run_id)
    with application.app_context():
        db.engine.dispose()
