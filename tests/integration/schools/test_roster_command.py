"""`flask roster import`: counts and records/s on success, file:line errors and status 1 on bad
input, nothing written by --dry-run. The command runs in the test's app context (its session is
the test's, rolled back afterwards), not through `flask`, which would open a session of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.schools.cli import roster
from mooc.schools.models import RosterPerson

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
