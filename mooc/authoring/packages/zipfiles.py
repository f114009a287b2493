"""Importing a course package uploaded as a zip: safe extraction, then the usual load and import.

The zip is checked as a whole before a byte is written: no path may leave the package, no links,
no more than so many entries or bytes, no zip bombs. Every refusal is a `PackageError` naming
the entry; `import_zip` turns it into `Invalid` and imports all or nothing.
"""

from __future__ import annotations

import io
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.authoring.core.package_format import ContentTree, PackageError, load_tree
from mooc.authoring.packages.importing import ImportReport, PreviewStorage, import_tree
from mooc.authoring.services.media import MediaLimits, check_media_size
from mooc.catalog.models import Course
from mooc.catalog.permissions import can_create_courses, can_teach
from mooc.catalog.services import assign_teacher
from mooc.errors import Invalid, PermissionDenied
from mooc.storage import Storage

ZipSource = bytes | Path | BinaryIO

_SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2000
    max_total_bytes: int = 2 * 1024**3  # unpacked
    max_ratio: int = 100  # unpacked : packed, for entries above `ratio_floor` bytes
    ratio_floor: int = 1024 * 1024


def _size(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n:,} bytes"


def _is_junk(parts: tuple[str, ...]) -> bool:
    """What macOS adds to zips it makes: resource forks and Finder files."""
    return parts[0] == "__MACOSX" or parts[-1] == ".DS_Store" or parts[-1].startswith("._")


def _check_name(name: str) -> PurePosixPath:
    where = Path(name)
    if _CONTROL.search(name):
        raise PackageError(where, _("control characters are not allowed in file names"))
    if "\\" in name:
        raise PackageError(where, _("backslashes are not allowed in zip paths (use '/')"))
    if name.startswith("/"):
        raise PackageError(where, _("absolute paths are not allowed in a package zip"))
    if _DRIVE.match(name):
        raise PackageError(where, _("drive letters are not allowed in a package zip"))
    path = PurePosixPath(name)
    if any(part == ".." for part in path.parts):
        raise PackageError(where, _("'..' would put this file outside the package"))
    if not path.parts or any(part in ("", ".") for part in name.rstrip("/").split("/")):
        raise PackageError(where, _("empty or '.' folder names are not allowed"))
    return path


def _check_entry(info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    where = Path(info.filename)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise PackageError(where, _("symbolic links are not allowed in a package zip"))
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageError(where, _("only plain files and folders are allowed in a package zip"))
    if info.flag_bits & 0x1:
        raise PackageError(where, _("encrypted files are not supported"))
    if info.compress_type not in _SUPPORTED_METHODS:
        raise PackageError(where, _("this compression method is not supported; use deflate"))
    if info.file_size > limits.ratio_floor:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise PackageError(
                where,
                _(
                    "compressed %(ratio)s:1 (%(size)s unpacked): this looks like a zip bomb "
                    "(at most %(limit)s:1 is accepted)",
                    ratio=f"{ratio:,.0f}",
                    size=_size(info.file_size),
                    limit=limits.max_ratio,
                ),
            )


def _open_zip(source: ZipSource, display: Path) -> zipfile.ZipFile:
    stream: BinaryIO | Path = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PackageError(display, _("this is not a zip file, or it is damaged")) from None


def _plan(archive: zipfile.ZipFile, display: Path, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """Check every entry; the files to extract (folders and macOS extras are left out)."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise PackageError(
            display,
            _(
                "the zip holds %(count)s entries; at most %(limit)s are accepted",
                count=len(entries),
                limit=limits.max_entries,
            ),
        )
    seen: set[str] = set()
    files: list[zipfile.ZipInfo] = []
    total = 0
    for info in entries:
        path = _check_name(info.filename)
        _check_entry(info, limits)
        key = path.as_posix().casefold()
        if key in seen:
            raise PackageError(Path(info.filename), _("this file is in the zip twice"))
        seen.add(key)
        if info.is_dir() or _is_junk(path.parts):
            continue
        total += info.file_size
        if total > limits.max_total_bytes:
            raise PackageError(
                display,
                _(
                    "the zip unpacks to more than %(limit)s, the most accepted",
                    limit=_size(limits.max_total_bytes),
                ),
            )
        files.append(info)
    if not files:
        raise PackageError(display, _("the zip is empty"))
    return files


def extract_zip(
    source: ZipSource, target: Path, *, limits: ZipLimits | None = None, name: str = "package.zip"
) -> None:
    """Check the zip `source` whole, then unpack its files into the empty folder `target`.

    Raises `PackageError` (naming the zip or the entry) for path traversal (`..`, absolute paths,
    drive letters, backslashes), links and special files, too many entries, too many bytes,
    suspicious compression ratios, and damaged or encrypted zips.
    """
    limits = limits or ZipLimits()
    display = Path(source.name if isinstance(source, Path) else name)
    with _open_zip(source, display) as archive:
        files = _plan(archive, display, limits)
        root = target.resolve()
        written = 0
        for info in files:
            destination = (target / info.filename).resolve()
            if not destination.is_relative_to(root):  # cannot happen after _plan; kept as a net
                raise PackageError(Path(info.filename), _("this path leaves the package"))
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as packed, destination.open("xb") as out:
                    while chunk := packed.read(_CHUNK):
                        written += len(chunk)
                        if written > limits.max_total_bytes:
                            raise PackageError(display, _("the zip unpacks to more than it says"))
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise PackageError(
                    Path(info.filename), _("could not unpack: %(reason)s", reason=str(exc))
                ) from None


def _package_root(folder: Path) -> Path:
    """Step into a single wrapping folder (a zipped `content/`), but not into a course folder."""
    for _depth in range(3):
        if (folder / "course.md").exists() or (folder / "institutions.yaml").exists():
            return folder
        children = list(folder.iterdir())
        if len(children) != 1 or not children[0].is_dir():
            return folder
        if (children[0] / "course.md").exists():
            return folder
        folder = children[0]
    return folder


def _as_in_zip(exc: PackageError, bases: tuple[Path, ...], display: Path) -> PackageError:
    """Report a problem with the path it has inside the zip, not the temporary folder's."""
    for base in bases:
        if exc.path.is_relative_to(base):
            inside = exc.path.relative_to(base)
            return PackageError(inside if inside.parts else display, exc.message, exc.line)
    return exc


def load_zip(
    source: ZipSource, workdir: Path, *, limits: ZipLimits | None = None, name: str = "package.zip"
) -> ContentTree:
    """Extract into `workdir` (which must outlive the import: media are read from it) and read
    the package; a course folder may also sit at the zip root. Raises `PackageError`."""
    display = Path(source.name if isinstance(source, Path) else name)
    extracted = workdir / "package"
    extracted.mkdir()
    extract_zip(source, extracted, limits=limits, name=name)
    root = _package_root(extracted)
    bases: tuple[Path, ...] = (extracted,)
    if (root / "course.md").is_file():
        root = _named_after_course(root, workdir / "course")
        bases = (root, extracted)
    try:
        return load_tree(root)
    except PackageError as exc:
        raise _as_in_zip(exc, bases, display) from None


def _named_after_course(folder: Path, holder: Path) -> Path:
    """Course files zipped without their folder: give them the folder `load_course` expects."""
    text = (folder / "course.md").read_text(encoding="utf-8", errors="replace")
    match = re.search(r"^slug:\s*['\"]?([a-z0-9-]{1,80})['\"]?\s*$", text, re.MULTILINE)
    if match is None or folder.name == match.group(1):
        return folder  # `load_course` will say what is wrong with course.md
    holder.mkdir()
    return folder.rename(holder / match.group(1))


def _check_permissions(session: Session, tree: ContentTree, user: User) -> None:
    """A teacher may update courses they teach and add courses to their institutions; only
    administrators add or change institutions. Raises `PermissionDenied` before any change."""
    institutions = {
        i.slug: i
        for i in session.scalars(
            select(Institution).where(
                Institution.slug.in_(
                    [s.slug for s in tree.institutions] + [c.institution for c in tree.courses]
                )
            )
        )
    }
    for spec in tree.institutions:
        known = institutions.get(spec.slug)
        same = known is not None and (known.name, known.kind.value) == (spec.name, spec.kind)
        if not same and not user.is_admin:
            raise PermissionDenied(
                _(
                    "Only administrators can add or change institutions: %(slug)s in "
                    "institutions.yaml is new or differs from the platform's.",
                    slug=spec.slug,
                )
            )
    for pkg in tree.courses:
        course = session.scalar(select(Course).where(Course.slug == pkg.slug))
        if course is not None and not can_teach(user, course):
            raise PermissionDenied(
                _("The course %(slug)s already exists and you do not teach it.", slug=pkg.slug)
            )
        institution = institutions.get(pkg.institution)
        moving = course is None or course.institution_id != getattr(institution, "id", None)
        if moving and not (
            user.is_admin or (institution is not None and can_create_courses(user, institution.id))
        ):
            raise PermissionDenied(
                _(
                    "You cannot add courses to the institution %(slug)s.",
                    slug=pkg.institution,
                )
            )


def import_zip(
    session: Session,
    storage: Storage,
    source: ZipSource,
    *,
    actor_id: int | None,
    user: User | None,
    limits: ZipLimits | None = None,
    media_limits: MediaLimits | None = None,
    name: str = "package.zip",
    progress: Callable[[str], None] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import the course package in the zip `source` (bytes, a path or a seekable file).

    With `user` (always, for web uploads) their permissions are checked first, and they become
    a teacher of the courses the package creates; without one (the CLI) nothing is checked.
    All or nothing: the changes run in a savepoint that is rolled back on any error, so the
    session is left as it was. The caller commits. With `dry_run` the changes are rolled back
    in any case (media go to a throw-away store): the report says what an import would do.
    Raises `Invalid` (the message names the zip entry, or the file and line of a package
    problem), `TooLarge` for media over the limits and `PermissionDenied`.
    """
    media_limits = media_limits or MediaLimits()
    with tempfile.TemporaryDirectory(prefix="mooc-import-") as tmp:
        try:
            tree = load_zip(source, Path(tmp), limits=limits, name=name)
        except PackageError as exc:
            raise Invalid(str(exc)) from exc
        for course in tree.courses:
            for media in course.media.values():
                with media.path.open("rb") as fh:
                    head = fh.read(64 * 1024)
                check_media_size(
                    f"{course.slug}/media/{media.name}", head, media.size, media_limits
                )
        if user is not None:
            _check_permissions(session, tree, user)
        existing = set(
            session.scalars(
                select(Course.slug).where(Course.slug.in_([c.slug for c in tree.courses]))
            )
        )
        savepoint = session.begin_nested()
        try:
            target = PreviewStorage() if dry_run else storage
            report = import_tree(session, target, tree, actor_id=actor_id, progress=progress)
            if user is not None:
                for created in session.scalars(
                    select(Course).where(
                        Course.slug.in_([c.slug for c in tree.courses if c.slug not in existing])
                    )
                ):
                    assign_teacher(session, created, user.id)
        except BaseException:
            savepoint.rollback()
            raise
        if dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        return report
