"""`flask roster import PATH`: a school's roster from the command line, with a progress bar."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from mooc.accounts.models import Institution, InstitutionKind
from mooc.db import utcnow
from mooc.extensions import db
from mooc.schools.core.records import RosterInvalid
from mooc.schools.services.rosters import (
    describe,
    files_at,
    import_roster,
    read_roster,
    school_year_for,
)


@click.group()
def roster() -> None:
    """School rosters: OneRoster 1.1/1.2 CSV bulk files or the school spreadsheet."""


def _school(slug: str | None) -> Institution:
    schools = db.session.scalars(
        select(Institution)
        .where(Institution.kind == InstitutionKind.SCHOOL)
        .order_by(Institution.slug)
    ).all()
    if slug is None and len(schools) == 1:
        return schools[0]
    for school in schools:
        if school.slug == slug:
            return school
    names = ", ".join(s.slug for s in schools) or "none"
    raise click.UsageError(f"say which school with --school SLUG (schools: {names})")


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--school", "slug", help="the school's slug (needed when there are several)")
@click.option("--dry-run", is_flag=True, help="show what would change, change nothing")
def import_command(path: Path, slug: str | None, dry_run: bool) -> None:
    """Import PATH: a folder or .zip of OneRoster CSV files, or a .csv/.xlsx spreadsheet.

    Idempotent: importing the same file again changes nothing. A file with errors changes
    nothing and exits with status 1, listing each error as file:line (column): message."""
    school = _school(slug)
    started = time.perf_counter()
    file_name, files = files_at(path)
    try:
        read = read_roster(file_name, files, school_year_for(db.session, school, utcnow().date()))
        bar: Any
        with click.progressbar(length=read.roster.size, label="importing", file=sys.stderr) as bar:
            plan, _entry = import_roster(
                db.session, school, read, by=None, dry_run=dry_run, progress=lambda n: bar.update(n)
            )
            bar.update(read.roster.size - bar.pos)
    except RosterInvalid as exc:
        db.session.rollback()
        for issue in exc.issues:
            click.echo(describe(issue), err=True)
        click.echo(f"{len(exc.issues)} error(s): nothing was changed", err=True)
        raise SystemExit(1) from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    elapsed = time.perf_counter() - started
    for key, value in plan.counts().items():
        click.echo(f"{key.replace('_', ' '):22} {value}")
    rate = read.roster.size / elapsed if elapsed else 0.0
    verb = "checked (dry run, nothing changed)" if dry_run else "imported"
    click.echo(f"{read.roster.size} records {verb} in {elapsed:.1f} s ({rate:,.0f} records/s)")
