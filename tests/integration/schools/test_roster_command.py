"""`flask roster import`: counts and records/s on success, file:line errors and status 1 on bad
input, nothing written by --dry-run. The command runs in the test's app context (its session is
the test's, rolled back afterwards), not through `flask`, which would open a session of its own."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.accounts.passwords import verify_password
from mooc.schools.cli import roster
from mooc.schools.models import RosterImport, RosterPerson

DATA = Path(__file__).resolve().parents[2] / "data" / "oneroster"


def _people(session: Session, school: Institution) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RosterPerson)
            .where(RosterPerson.institution_id == school.id)
        )
        or 0
    )


def test_dry_run_changes_nothing(session: Session, school: Institution) -> None:
    runner = CliRunner()
    dry = runner.invoke(
        roster, ["import", str(DATA / "v1.2"), "--school", school.slug, "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "people created" in dry.output and "dry run" in dry.output
    assert _people(session, school) == 0


def test_import(session: Session, school: Institution) -> None:
    done = CliRunner().invoke(roster, ["import", str(DATA / "v1.2"), "--school", school.slug])
    assert done.exit_code == 0, done.output
    assert "records/s" in done.output
    assert _people(session, school) == 3


def test_errors_name_file_and_line_and_exit_1(
    session: Session, school: Institution, tmp_path: Path
) -> None:
    folder = Path(shutil.copytree(DATA / "v1.2", tmp_path / "v1.2"))
    enrollments = folder / "enrollments.csv"
    enrollments.write_text(enrollments.read_text().replace("lop-2a,sch-1,p-2", "lop-9z,sch-1,p-2"))
    result = CliRunner().invoke(roster, args=["import", str(folder), "--school", school.slug])
    assert result.exit_code == 1
    assert "enrollments.csv:3 (classSourcedId)" in result.output
    assert "nothing was changed" in result.output
    assert _people(session, school) == 0


def test_an_unknown_school_is_a_usage_error(session: Session) -> None:
    result = CliRunner().invoke(roster, args=["import", str(DATA / "v1.2"), "--school", "nowhere"])
    assert result.exit_code == 2 and "--school" in result.output


def test_passwords_from_the_file_reach_neither_the_log_nor_the_output(
    session: Session, school: Institution, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = Path(shutil.copytree(DATA / "v1.2", tmp_path / "v1.2"))
    users = folder / "users.csv"
    in_users, in_profiles = "Bi-mat-cua-Dat-4821", "hoc-tap-2026"  # users.csv, userProfiles.csv
    text = users.read_text().replace(",02,,,,,,,sch-1,", f",02,{in_users},,,,,,sch-1,", 1)
    users.write_text(text)
    assert in_profiles in (folder / "userProfiles.csv").read_text()
    session.commit()  # the school outlives the dry run's and the failed import's rollbacks
    caplog.set_level(logging.DEBUG)  # every logger, every level
    runner = CliRunner()
    dry = runner.invoke(roster, ["import", str(folder), "--school", school.slug, "--dry-run"])
    done = runner.invoke(roster, ["import", str(folder), "--school", school.slug])
    again = runner.invoke(roster, ["import", str(folder), "--school", school.slug])
    # An error on the very line that holds a password: the message quotes the bad username only.
    users.write_text(users.read_text().replace(",true,,,Đạt,", ",true,Đạt Vũ,,Đạt,", 1))
    bad = runner.invoke(roster, ["import", str(folder), "--school", school.slug])

    assert [dry.exit_code, done.exit_code, again.exit_code, bad.exit_code] == [0, 0, 0, 1]
    # The passwords were read and used: the accounts open with them.
    hashes = session.scalars(
        select(User.password_hash)
        .join(RosterPerson, RosterPerson.user_id == User.id)
        .where(RosterPerson.institution_id == school.id, RosterPerson.source_id.in_(["p-1", "p-2"]))
        .order_by(RosterPerson.source_id)
    ).all()
    assert verify_password(hashes[0], in_users) and verify_password(hashes[1], in_profiles)
    assert "roster import" in caplog.text  # the audit line was captured
    assert "importing" in done.stderr  # the progress bar, which is checked too
    assert "users.csv:2 (username)" in bad.stderr and "nothing was changed" in bad.stderr
    summaries = [str(e.summary) for e in session.scalars(select(RosterImport))]
    for secret in (in_users, in_profiles):
        assert secret not in caplog.text
        assert all(secret not in h for h in hashes)
        assert all(secret not in s for s in summaries)
        for result in (dry, done, again, bad):
            assert secret not in result.stdout and secret not in result.stderr
