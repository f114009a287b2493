"""Importing a library of course folders: found in a directory, read and rendered in a pool of
processes (one per core by default), written one course at a time in this process.

Each course is applied in its own savepoint, so a course that fails rolls back alone and the
others import; the caller commits after each course it is given, so an interrupted import
keeps what it finished and a re-run skips it (unchanged courses are skipped by their hash).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.authoring.core.package_format import (
    LANGUAGES,
    InstitutionSpec,
    PackageError,
    load_institutions,
)
from mooc.authoring.core.prerendering import ReadCourse, read_course
from mooc.authoring.packages.importing import (
    ImportReport,
    ItemChange,
    apply_course,
    apply_institutions,
)
from mooc.catalog.models import Course
from mooc.catalog.services import region_labels
from mooc.errors import DomainError
from mooc.markup import RegionLabels
from mooc.storage import Storage

# Courses read ahead per worker: enough to keep every worker busy while this process writes,
# few enough that rendered texts waiting to be written stay a small part of memory.
AHEAD_PER_JOB = 4


@dataclass(frozen=True)
class Library:
    """A content folder's institutions and course folders, or a single course folder."""

    root: Path
    institutions: tuple[InstitutionSpec, ...]
    folders: tuple[Path, ...]


CourseOutcomeKind = Literal["created", "updated", "unchanged", "failed"]


@dataclass(frozen=True)
class CourseOutcome:
    """What the import did with one course folder; `reason` says why it failed."""

    folder: Path
    outcome: CourseOutcomeKind
    lectures: int = 0
    reason: str | None = None

    @property
    def slug(self) -> str:
        return self.folder.name


def default_jobs() -> int:
    """One process per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def find_library(root: Path) -> Library:
    """The course folders under `root` (every folder not starting with "."; `root` itself when it
    holds a course.md) and its institutions.yaml. Raises `PackageError` for what stops every
    course: no such folder, a bad institutions.yaml, nothing to import."""
    if not root.exists():
        raise PackageError(root, "no such file or folder")
    if (root / "course.md").is_file():
        return Library(root, (), (root,))
    institutions: tuple[InstitutionSpec, ...] = ()
    if (root / "institutions.yaml").is_file():
        institutions = load_institutions(root / "institutions.yaml")
    folders = tuple(
        folder
        for folder in sorted(root.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
    )
    if not folders and not institutions:
        raise PackageError(root, "no course folders (with course.md) found here")
    return Library(root, institutions, folders)


def read_courses(
    folders: Iterable[Path],
    stored_hashes: Mapping[str, str | None],
    labels: Mapping[str, RegionLabels],
    *,
    jobs: int,
) -> Iterator[ReadCourse]:
    """Each folder read, checked and rendered (`prerendering.read_course`), in order; with
    `jobs` > 1 in that many processes, a few courses ahead of the caller."""
    if jobs <= 1:
        for folder in folders:
            yield read_course(folder, stored_hashes.get(folder.name), labels)
        return
    # A fresh server process forks the workers: no copy of this process's threads, open
    # database connections or app; it has the rendering modules loaded once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mooc.authoring.core.prerendering"])
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    try:
        remaining = iter(folders)
        pending: deque[Future[ReadCourse]] = deque()

        def submit(batch: Iterable[Path]) -> None:
            for folder in batch:
                pending.append(
                    pool.submit(read_course, folder, stored_hashes.get(folder.name), labels)
                )

        submit(islice(remaining, jobs * AHEAD_PER_JOB))
        while pending:
            done = pending.popleft().result()
            submit(islice(remaining, 1))
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_library(
    session: Session,
    storage: Storage,
    library: Library,
    report: ImportReport,
    *,
    jobs: int,
    actor_id: int | None = None,
) -> Iterator[CourseOutcome]:
    """Apply the library's institutions, then each course in its own savepoint, yielding after
    each so the caller can commit it. Changes go into `report`; a failed course adds nothing."""
    apply_institutions(session, library.institutions, report)
    session.flush()
    stored = dict(session.execute(select(Course.slug, Course.source_hash)).all())
    labels = {language: region_labels(language) for language in LANGUAGES}
    for read in read_courses(library.folders, stored, labels, jobs=jobs):
        yield _apply_read_course(session, storage, read, report, actor_id)


def _apply_read_course(
    session: Session,
    storage: Storage,
    read: ReadCourse,
    report: ImportReport,
    actor_id: int | None,
) -> CourseOutcome:
    if read.package is None:
        return CourseOutcome(read.folder, "failed", reason=read.error)
    items: list[ItemChange] = []
    savepoint = session.begin_nested()
    try:
        outcome = apply_course(session, storage, read.package, actor_id, items, read.rendering)
        savepoint.commit()
    except DomainError as exc:
        savepoint.rollback()
        return CourseOutcome(read.folder, "failed", reason=exc.message)
    getattr(report, outcome).append(f"course {read.package.slug}")
    report.items.extend(items)
    lectures = 0 if outcome == "unchanged" else len(read.package.lectures)
    return CourseOutcome(read.folder, cast(CourseOutcomeKind, outcome), lectures)
