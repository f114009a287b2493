"""Writing a course as a package in the `content/` format (see content/README.md), or as a zip.

What students see is what is exported: each lecture's published version (its draft when it was
never published), the quizzes as they stand, and the media library's bytes. The package is read
back with `load_course` before it replaces anything, so an export always imports.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.models import Question, Quiz
from mooc.authoring.core.package_format import (
    MEDIA_NAME,
    InstitutionSpec,
    PackageError,
    load_course,
    load_institutions,
)
from mooc.authoring.queries import course_media
from mooc.catalog.models import Course, Lecture, Level, ScormPackage
from mooc.errors import Invalid
from mooc.scorm.queries import packages_of_course
from mooc.storage import Storage

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same course always gives the same zip bytes
_TEXT_SUFFIXES = (".md", ".yaml", ".svg")
_SPOOL_IN_MEMORY = 16 * 1024 * 1024


@dataclass(frozen=True)
class ExportSummary:
    folder: Path  # the course folder written
    lectures: int
    quizzes: int
    media: int


# --- YAML as people write it -------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, no anchors, Unicode left readable."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key, as content/README.md and the seed files write them.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
    )


def _with_front_matter(meta: Mapping[str, Any], body: str) -> str:
    return f"---\n{_yaml(dict(meta))}---\n{body}"


# --- the files ---------------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _syllabus(
    session: Session, course: Course
) -> tuple[list[dict[str, Any]], list[Lecture], list[Quiz]]:
    """Sections with their items in order; empty sections are left out (the format has none)."""
    lectures = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).all()
    quizzes = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).all()
    packages = packages_of_course(session, course.id)
    sections: list[dict[str, Any]] = []
    kept_lectures: list[Lecture] = []
    kept_quizzes: list[Quiz] = []
    for section in course.sections:
        items: list[tuple[int, int, str, Lecture | Quiz]] = [
            (lec.position, 0, lec.slug, lec) for lec in lectures if lec.section_id == section.id
        ]
        items += [(q.position, 1, q.slug, q) for q in quizzes if q.section_id == section.id]
        if not items:
            continue
        refs: list[dict[str, Any]] = []
        for _position, _kind, slug, item in sorted(items, key=lambda i: i[:3]):
            if isinstance(item, Lecture) and item.id in packages:
                kept_lectures.append(item)
                refs.append(_scorm_ref(item, packages[item.id]))
            elif isinstance(item, Lecture):
                kept_lectures.append(item)
                refs.append({"lecture": slug})
            else:
                kept_quizzes.append(item)
                refs.append({"quiz": slug})
        sections.append({"title": section.title, "items": refs})
    if not sections:
        raise Invalid(
            _(
                "Add at least one lecture or quiz to %(course)s before exporting it.",
                course=course.title,
            )
        )
    return sections, kept_lectures, kept_quizzes


def _scorm_ref(lecture: Lecture, package: ScormPackage) -> dict[str, Any]:
    """`scorm: SLUG` and the settings that differ from the defaults (see `_scorm_ref` of the
    format)."""
    ref: dict[str, Any] = {"scorm": lecture.slug}
    if lecture.title != package.title:
        ref["title"] = lecture.title
    if not lecture.required:
        ref["required"] = False
    if lecture.minutes is not None:
        ref["minutes"] = lecture.minutes
    if package.counts_in_grade:
        ref["graded"] = True
    if package.weight != 1:
        ref["weight"] = package.weight
    return ref


def _write_scorm(storage: Storage, package: ScormPackage, path: Path) -> None:
    """The package's zip, byte for byte as it was uploaded or imported."""
    try:
        source = storage.open(package.zip_key)
    except FileNotFoundError:
        raise Invalid(
            _("The SCORM package of %(slug)s is missing from storage.", slug=package.slug)
        ) from None
    with closing(source), path.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)


def _course_md(course: Course, sections: Sequence[dict[str, Any]]) -> str:
    meta: dict[str, Any] = {
        "slug": course.slug,
        "title": course.title,
        "institution": course.institution.slug,
        "language": course.language,
        "level": course.level.value,
    }
    if course.level == Level.K12:
        meta["grade"] = course.grade
    meta["subject"] = course.subject
    if course.level == Level.UNIVERSITY:
        meta["code"] = course.code
        meta["credits"] = _number(course.credits) if course.credits is not None else None
        meta["workload_hours"] = course.workload_hours
    meta["pass_mark"] = course.pass_mark
    if course.cover_media:
        meta["cover"] = course.cover_media
    if course.outcomes:
        meta["outcomes"] = list(course.outcomes)
    meta["sections"] = list(sections)
    return _with_front_matter(meta, course.description.strip() + "\n")


def _lecture_md(lecture: Lecture) -> str:
    version = lecture.published_version
    title = version.title if version is not None else lecture.title
    source = version.source if version is not None else lecture.draft_source
    if not source.strip():
        raise Invalid(
            _("The lecture %(title)s has no text yet: write it before exporting.", title=title)
        )
    meta: dict[str, Any] = {"title": title, "required": lecture.required}
    if lecture.minutes is not None:
        meta["minutes"] = lecture.minutes
    return _with_front_matter(meta, source.strip() + "\n")


def _question(question: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"type": question.kind.value, "prompt": question.prompt}
    out.update(question.data)
    if question.explanation:
        out["explanation"] = question.explanation
    out["points"] = question.points
    return out


def _quiz_yaml(quiz: Quiz) -> str:
    data: dict[str, Any] = {
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "weight": quiz.weight,
        "required": quiz.required,
    }
    if quiz.max_attempts:
        data["max_attempts"] = quiz.max_attempts
    data["policy"] = quiz.policy.value
    if quiz.time_limit_minutes is not None:
        data["time_limit_minutes"] = quiz.time_limit_minutes
    # Settings at their defaults are left out, so older packages read the same as before.
    if quiz.reveal.value != "after_last":
        data["reveal"] = quiz.reveal.value
    if quiz.shuffle_questions:
        data["shuffle_questions"] = True
    if quiz.shuffle_options:
        data["shuffle_options"] = True
    if quiz.pool_size is not None:
        data["pool_size"] = quiz.pool_size
    data["questions"] = [_question(q) for q in quiz.questions]
    return _yaml(data)


def _write_course(
    session: Session, storage: Storage, course: Course, folder: Path
) -> ExportSummary:
    sections, lectures, quizzes = _syllabus(session, course)
    folder.mkdir()
    (folder / "course.md").write_text(_course_md(course, sections), encoding="utf-8")
    packages = packages_of_course(session, course.id)
    for lecture in lectures:
        if lecture.id in packages:
            (folder / "scorm").mkdir(exist_ok=True)
            _write_scorm(storage, packages[lecture.id], folder / "scorm" / f"{lecture.slug}.zip")
            continue
        (folder / "lectures").mkdir(exist_ok=True)
        path = folder / "lectures" / f"{lecture.slug}.md"
        path.write_text(_lecture_md(lecture), encoding="utf-8")
    if quizzes:
        (folder / "quizzes").mkdir()
    for quiz in quizzes:
        (folder / "quizzes" / f"{quiz.slug}.yaml").write_text(_quiz_yaml(quiz), encoding="utf-8")
    assets = course_media(session, course)
    if assets:
        (folder / "media").mkdir()
    for asset in assets:
        if not MEDIA_NAME.match(asset.name):
            raise Invalid(
                _("The media name %(name)s cannot be exported; rename the file.", name=asset.name)
            )
        try:
            source = storage.open(asset.storage_key)
        except FileNotFoundError:
            raise Invalid(
                _("The bytes of media/%(name)s are missing from storage.", name=asset.name)
            ) from None
        with closing(source), (folder / "media" / asset.name).open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    return ExportSummary(folder, len(lectures), len(quizzes), len(assets))


def _merge_institution(path: Path, course: Course) -> None:
    """Add (or update) the course's institution in `institutions.yaml`, keeping the others."""
    mine = InstitutionSpec(
        course.institution.slug, course.institution.name, course.institution.kind.value
    )
    existing: tuple[InstitutionSpec, ...] = ()
    if path.is_file():
        try:
            existing = load_institutions(path)
        except PackageError as exc:
            raise Invalid(
                _("%(error)s (fix or remove that file before exporting here)", error=str(exc))
            ) from None
    if mine in existing:
        return  # leave the file (and its comments) untouched
    specs = [spec for spec in existing if spec.slug != mine.slug] + [mine]
    data = [{"slug": s.slug, "name": s.name, "kind": s.kind} for s in specs]
    path.write_text(_yaml(data), encoding="utf-8")


def export_course(
    session: Session, storage: Storage, course: Course, target_dir: Path
) -> ExportSummary:
    """Write `course` as `target_dir/<slug>/` plus `target_dir/institutions.yaml`.

    `target_dir` is a content folder (it may already hold other courses, e.g. `content/`); an
    earlier export of the same course there is replaced whole, other courses are left alone.
    Raises `Invalid` when the course cannot be written as a package that imports.
    """
    if (target_dir / "course.md").exists():
        raise Invalid(
            _(
                "%(path)s is a course folder; export into the folder that holds course folders.",
                path=str(target_dir),
            )
        )
    final = target_dir / course.slug
    if final.exists() and not final.is_dir():
        raise Invalid(_("%(path)s exists and is not a folder.", path=str(final)))
    target_dir.mkdir(parents=True, exist_ok=True)
    # Built beside the destination, checked, then swapped in: never half a course on disk.
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target_dir))
    try:
        summary = _write_course(session, storage, course, staging / course.slug)
        try:
            load_course(staging / course.slug)
        except PackageError as exc:
            raise Invalid(
                _("The export would not import again: %(error)s", error=str(exc))
            ) from None
        _merge_institution(target_dir / "institutions.yaml", course)
        if final.exists():
            os.replace(final, staging / ".previous")
        os.replace(staging / course.slug, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportSummary(final, summary.lectures, summary.quizzes, summary.media)


def zip_folder(folder: Path, out: IO[bytes]) -> None:
    """Zip the contents of `folder` (its files at the zip root), reproducibly."""
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            # Images, audio and video are compressed already; deflating them only costs time.
            text = path.suffix.lower() in _TEXT_SUFFIXES
            info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
            with path.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)


def export_zip(session: Session, storage: Storage, course: Course) -> IO[bytes]:
    """The course package as a zip (`institutions.yaml` and the course folder at its root).

    Returns a temporary file positioned at its start; the caller closes it. Raises `Invalid`.
    """
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        with tempfile.TemporaryDirectory(prefix="mooc-export-") as tmp:
            export_course(session, storage, course, Path(tmp))
            zip_folder(Path(tmp), out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
