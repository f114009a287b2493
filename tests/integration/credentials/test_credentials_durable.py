"""`flask credentials issue-pending` is durable: killed with SIGKILL mid-run (a real process on a
committed SQLite database), it lost no committed record, and a second run issues exactly the
rest, never one twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, User
from mooc.catalog.models import Course, CourseStatus, Level
from mooc.credentials.models import IssuedCredential
from mooc.credentials.verification import PlatformVerifier, VerificationPolicy
from mooc.extensions import db
from mooc.factory import create_app
from mooc.learning.models import Completion
from mooc.migrate import upgrade
from tests.helpers import BASE_URL, ROOT, TEST_KEK, make_settings

LEARNERS = 600
FLASK = str(Path(sys.executable).with_name("flask"))


def _seed(engine: Engine) -> None:
    with Session(engine) as session:
        university = Institution(
            slug="dai-hoc-thu", name="Đại học Thử", kind=InstitutionKind.UNIVERSITY
        )
        session.add(university)
        session.flush()
        course = Course(
            slug="giai-tich",
            institution_id=university.id,
            title="Giải tích 1",
            description="Giới hạn, đạo hàm và tích phân.",
            language="vi",
            level=Level.UNIVERSITY,
            subject="math",
            code="MAT1001",
            credits=3,
            workload_hours=150,
            outcomes=["Tính giới hạn", "Tính đạo hàm"],
            pass_mark=50,
            status=CourseStatus.PUBLISHED,
        )
        session.add(course)
        session.flush()
        users = [
            User(
                email=f"learner{n}@thu.test",
                password_hash="-",
                name=f"Learner {n}",
                session_token=f"token-{n}",
            )
            for n in range(LEARNERS)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(
            Completion(
                user_id=user.id,
                course_id=course.id,
                final_grade=50 + user.id % 50,
                lecture_versions=[],
                quiz_attempts=[],
                pass_mark=50,
                credits=course.credits,
                workload_hours=course.workload_hours,
            )
            for user in users
        )
        session.commit()


def _records(engine: Engine) -> dict[int, tuple[str, str, int, int]]:
    """completion id → (uuid, document, status list, index) of every committed record."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                IssuedCredential.completion_id,
                IssuedCredential.uuid,
                IssuedCredential.document,
                IssuedCredential.status_list_id,
                IssuedCredential.status_index,
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(IssuedCredential)) or 0


def _issue_pending(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [FLASK, "--app", "app", "credentials", "issue-pending", "--batch-size", "10"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers form one group the test can clean up
        )


def test_a_killed_run_loses_nothing_and_the_next_one_issues_the_rest_once(
    fresh_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = fresh_database_url("sqlite")
    upgrade(url)
    engine = create_engine(url)
    _seed(engine)
    env = {
        **os.environ,
        "MOOC_ENV": "development",
        "MOOC_DATABASE_URL": url,
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_KEY_ENCRYPTION_KEY": TEST_KEK,
        "MOOC_BASE_URL": BASE_URL,
    }

    first = _issue_pending(env, tmp_path / "first.log")
    deadline = time.monotonic() + 120
    while _count(engine) < 40 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(first.pid, signal.SIGKILL)  # workers left behind, if any

    survived = _records(engine)
    assert 40 <= len(survived) < LEARNERS, (tmp_path / "first.log").read_text()
    for _uuid, document, _list, _index in survived.values():
        assert "proof" in json.loads(document)  # only whole, signed records were committed

    second = _issue_pending(env, tmp_path / "second.log")
    assert second.wait(timeout=300) == 0, (tmp_path / "second.log").read_text()
    output = (tmp_path / "second.log").read_text()
    assert f"issued {LEARNERS - len(survived)} records" in output

    final = _records(engine)
    assert len(final) == LEARNERS
    with engine.connect() as connection:
        completions = connection.scalar(select(func.count()).select_from(Completion))
    assert completions == LEARNERS
    assert len({(row[2], row[3]) for row in final.values()}) == LEARNERS  # distinct bits
    assert all(final[completion] == row for completion, row in survived.items())

    third = _issue_pending(env, tmp_path / "third.log")
    assert third.wait(timeout=60) == 0
    assert "no completion is waiting" in (tmp_path / "third.log").read_text()
    assert _count(engine) == LEARNERS
    engine.dispose()

    app = create_app(
        settings=make_settings(tmp_path, url).with_overrides(
            key_encryption_key=TEST_KEK, base_url=BASE_URL
        )
    )
    with app.app_context():
        check = PlatformVerifier(db.session, VerificationPolicy(base_url=BASE_URL))
        for _uuid, document, _list, _index in list(final.values())[::200]:
            report = check.verify(json.loads(document))
            assert report.verified, report.to_json()
        db.engine.dispose()
