"""`flask content import PATH` and `flask content export COURSE PATH`: course packages (the
`content/` format) in and out of the database, as folders or zips (a folder's courses read and
rendered in a pool of processes, committed one by one); `flask media transcode`: the
renditions of course videos."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import select
from tqdm import tqdm

from mooc.authoring.core.package_format import PackageError, load_tree
from mooc.authoring.packages.exporting import export_course, export_zip
from mooc.authoring.packages.importing import ImportReport, preview_tree
from mooc.authoring.packages.library import (
    CourseOutcome,
    default_jobs,
    find_library,
    import_library,
)
from mooc.authoring.packages.zipfiles import import_zip
from mooc.authoring.services.media import MediaLimits
from mooc.authoring.services.renditions import run_transcodes
from mooc.catalog.models import Course
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.web import edge


@click.group()
def content() -> None:
    """Course packages: import and export the content/ format (folders or .zip files)."""


def _preview_folder(path: Path) -> ImportReport:
    try:
        tree = load_tree(path)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    return preview_tree(db.session, tree)


def _import_library(path: Path, jobs: int) -> None:
    """Import a folder course by course, committing each; report the failures and the rate."""
    try:
        library = find_library(path)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    report = ImportReport()
    failures: list[CourseOutcome] = []
    lectures = 0
    start = time.perf_counter()
    storage = edge.storage()
    with tqdm(total=len(library.folders), desc="Importing courses", unit="course") as bar:
        for done in import_library(db.session, storage, library, report, jobs=jobs):
            db.session.commit()
            lectures += done.lectures
            if done.outcome == "failed":
                failures.append(done)
            bar.update(1)
    db.session.commit()  # the institutions, when there were no courses
    seconds = time.perf_counter() - start
    _echo_report(report, dry_run=False)
    for failure in failures:
        click.echo(f"failed    course {failure.slug}: {failure.reason}")
    click.echo(
        f"{len(library.folders)} courses, {lectures} lectures imported in {seconds:.1f} s: "
        f"{lectures / seconds if seconds else 0.0:.1f} lectures/s with {jobs} "
        f"{'job' if jobs == 1 else 'jobs'}"
    )
    if failures:
        raise click.ClickException(
            f"{len(failures)} of {len(library.folders)} courses failed and were not changed; "
            "the others are imported"
        )


def _echo_report(report: ImportReport, *, dry_run: bool) -> None:
    for label in report.created:
        click.echo(f"created   {label}")
    for label in report.updated:
        click.echo(f"updated   {label}")
    for item in report.items:
        click.echo(f"  {item.change:<9} {item.label}  ({item.title})")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )
    if report.retired:
        click.echo(
            f"{len(report.retired)} lectures/quizzes retired: hidden from learners, kept with "
            "their progress and attempts"
        )
    if dry_run:
        click.echo("Dry run: nothing was changed.")


@content.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what would be created, updated and retired; change nothing.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=default_jobs,
    show_default="one per core",
    help="Processes that read and render the courses of a folder.",
)
def import_command(path: Path, dry_run: bool, jobs: int) -> None:
    """Import institutions and courses from PATH: a content folder, one course folder, or a
    .zip of either. Lectures and quizzes a course no longer has are retired when learners have
    records on them (kept, hidden from the syllabus), deleted otherwise.

    A folder is imported course by course: a course that fails is left as it was, the others
    are imported, and the command ends with an error listing the failures. A .zip is imported
    whole or not at all."""
    is_zip = path.suffix.lower() == ".zip" and path.is_file()
    try:
        if not is_zip and not dry_run:
            _import_library(path, jobs)
            return
        if is_zip:
            settings = edge.settings()
            report = import_zip(
                db.session,
                edge.storage(),
                path,
                actor_id=None,
                user=None,  # the operator at the console may import anything
                media_limits=MediaLimits.from_settings(settings),
                dry_run=dry_run,
            )
        else:
            report = _preview_folder(path)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    _echo_report(report, dry_run=dry_run)


@content.command("export")
@click.argument("course_slug", metavar="COURSE")
@click.argument("path", type=click.Path(path_type=Path))
def export_command(course_slug: str, path: Path) -> None:
    """Export COURSE (its slug) to PATH: a content folder (the course goes into PATH/COURSE,
    beside an institutions.yaml), or a file ending in .zip."""
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise click.ClickException(f"no course with the slug {course_slug!r}")
    storage = edge.storage()
    try:
        if path.suffix.lower() == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside, then renamed: an interrupted export never leaves half a zip.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".zip")
            try:
                with os.fdopen(fd, "wb") as out, export_zip(db.session, storage, course) as data:
                    shutil.copyfileobj(data, out, 1024 * 1024)
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            click.echo(f"exported {course.slug} to {path} ({path.stat().st_size:,} bytes)")
        else:
            summary = export_course(db.session, storage, course, path)
            click.echo(
                f"exported {course.slug} to {summary.folder}: {summary.lectures} lectures, "
                f"{summary.quizzes} quizzes, {summary.media} media files"
            )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


@click.group()
def media() -> None:
    """Course media: make the low-bandwidth renditions of uploaded videos."""


@media.command("transcode")
@click.option("--loop", is_flag=True, help="Keep running, looking for new videos every interval.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between looks.")
def transcode(loop: bool, interval: float) -> None:
    """Make the queued renditions (144p, 360p, audio only) of course videos. Several of these may
    run at once: each rendition is made by one of them."""
    storage = edge.storage()
    while True:
        report = run_transcodes(db.session, storage)
        db.session.close()
        if report.made or report.failed or not loop:
            click.echo(
                f"{report.made} made, {report.failed} failed, {report.not_needed} not needed, "
                f"{report.retrying} to retry"
            )
        if not loop:
            return
        time.sleep(interval)
