"""Reading a course package (the format of `content/`, see content/README.md) into frozen values.

Pure: files in, dataclasses or a `PackageError` naming the file and line out. Nothing touches
the database until a whole package has been read and checked, so a bad file imports nothing.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from mooc.assessment.core.questions import (
    normalized_definition,
    validate_question,
    young_pupil_problems,
)
from mooc.catalog.core.credits import MAX_CREDITS
from mooc.scorm.core.archive import Limits, PackageRefused, check_package

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MEDIA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
LANGUAGES = ("vi", "en")
INSTITUTION_KINDS = ("school", "university", "ministry")
MAX_TEXT_BYTES = 2 * 1024 * 1024
SCORM_MAX_BYTES = 2047 * 1024 * 1024  # what a package may unpack to; uploads have MOOC_SCORM_MAX_MB


class PackageError(ValueError):
    """A problem in a package file, with where it is."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class InstitutionSpec:
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class LectureSpec:
    slug: str
    title: str
    required: bool
    minutes: int | None
    source: str


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    prompt: str
    explanation: str
    points: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class QuizSpec:
    slug: str
    title: str
    pass_mark: int
    weight: int
    required: bool
    max_attempts: int | None
    policy: str
    time_limit_minutes: int | None
    questions: tuple[QuestionSpec, ...]
    reveal: str = "after_last"  # after_each | after_last | after_due | never
    shuffle_questions: bool = False
    shuffle_options: bool = False
    pool_size: int | None = None  # questions drawn per attempt; None: all


@dataclass(frozen=True)
class ItemRef:
    kind: str  # "lecture" | "quiz" | "scorm"
    slug: str
    options: tuple[tuple[str, Any], ...] = ()  # a SCORM item's settings beside its slug


@dataclass(frozen=True)
class ScormSpec:
    """A lecture that plays `scorm/<slug>.zip` (checked: manifest, paths, sizes)."""

    slug: str
    path: Path
    sha256: str
    title: str  # as course.md gives it, else the manifest's
    required: bool
    minutes: int | None
    graded: bool  # its score counts in the final grade
    weight: int


@dataclass(frozen=True)
class SectionSpec:
    title: str
    items: tuple[ItemRef, ...]


@dataclass(frozen=True)
class MediaFile:
    name: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class CoursePackage:
    slug: str
    title: str
    institution: str
    language: str
    level: str
    grade: int | None
    subject: str
    code: str | None
    credits: Decimal | None
    workload_hours: int | None
    pass_mark: int
    outcomes: tuple[str, ...]
    description: str
    sections: tuple[SectionSpec, ...]
    lectures: Mapping[str, LectureSpec]
    quizzes: Mapping[str, QuizSpec]
    media: Mapping[str, MediaFile]
    scorm: Mapping[str, ScormSpec] = field(default_factory=dict)
    cover: str | None = None  # a file in media/ shown as the course's cover image
    source_hash: str = field(default="")


@dataclass(frozen=True)
class ContentTree:
    institutions: tuple[InstitutionSpec, ...]
    courses: tuple[CoursePackage, ...]


# --- YAML with line numbers -------------------------------------------------------------------


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise PackageError(path, "file is larger than 2 MiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(path, f"not UTF-8 text ({exc.reason})") from None


def _yaml_error(path: Path, exc: yaml.YAMLError, offset: int = 0) -> PackageError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 + offset if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return PackageError(path, f"invalid YAML: {problem}", line)


def _locate(text: str, keys: Iterable[str | int], offset: int = 0) -> int | None:
    """The line of the node at `keys` (mapping keys / list indexes) in YAML `text`, 1-based."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line if node is not None else None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            line = next(k.start_mark.line for k, v in node.value if k.value == key)
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return None if line is None else line + 1 + offset


class _Fields:
    """Typed access to a YAML mapping that reports bad values with their line."""

    def __init__(
        self, path: Path, text: str, data: Any, offset: int = 0, base: tuple[str | int, ...] = ()
    ):
        if not isinstance(data, Mapping):
            raise PackageError(path, "expected a mapping of fields", _locate(text, base, offset))
        self.path, self.text, self.data, self.offset, self.base = path, text, data, offset, base

    def fail(self, key: str | int | tuple[str | int, ...], message: str) -> PackageError:
        keys = key if isinstance(key, tuple) else (key,)
        return PackageError(self.path, message, _locate(self.text, self.base + keys, self.offset))

    def string(self, key: str, *, required: bool = True, max_len: int = 200) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(key, f"'{key}' is required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, f"'{key}' must be text")
        value = str(value).strip()
        if len(value) > max_len:
            raise self.fail(key, f"'{key}' is longer than {max_len} characters")
        return value

    def number(self, key: str, *, default: int | None = None, lo: int = 0, hi: int = 10**6) -> Any:
        value = self.data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.fail(key, f"'{key}' must be a whole number from {lo} to {hi}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"'{key}' must be true or false")
        return value

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str:
        value = self.data.get(key, default)
        options = tuple(choices)
        if value not in options:
            raise self.fail(key, f"'{key}' must be one of: {', '.join(options)}")
        return str(value)

    def slug(self, key: str) -> str:
        value = self.string(key, max_len=80)
        if not SLUG.match(value):
            raise self.fail(key, f"'{key}' must use lowercase letters, digits and hyphens")
        return value


# --- the files ---------------------------------------------------------------------------------


def _front_matter(path: Path) -> tuple[dict[str, Any], str, str]:
    """(metadata, body, raw front matter text); line numbers in it are offset by 1 (`---`)."""
    text = _read_text(path)
    if not text.startswith("---"):
        raise PackageError(path, "must start with YAML front matter between '---' lines", 1)
    parts = text.split("\n---", 1)
    raw = parts[0][3:].lstrip("\n") if len(parts) == 2 else ""
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc, offset=1) from None
    if not post.metadata:
        raise PackageError(path, "front matter is empty or not closed by '---'", 1)
    return dict(post.metadata), post.content, raw


def load_institutions(path: Path) -> tuple[InstitutionSpec, ...]:
    text = _read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    if not isinstance(data, list):
        raise PackageError(path, "expected a list of institutions", 1)
    specs = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        fields = _Fields(path, text, item, base=(index,))
        slug = fields.slug("slug")
        if slug in seen:
            raise fields.fail("slug", f"institution {slug!r} is listed twice")
        seen.add(slug)
        specs.append(
            InstitutionSpec(slug, fields.string("name"), fields.choice("kind", INSTITUTION_KINDS))
        )
    return tuple(specs)


def _load_lecture(path: Path, slug: str) -> LectureSpec:
    meta, body, raw = _front_matter(path)
    fields = _Fields(path, raw, meta, offset=1)
    if not body.strip():
        raise PackageError(path, "the lecture has no text after its front matter")
    return LectureSpec(
        slug=slug,
        title=fields.string("title"),
        required=fields.flag("required", True),
        minutes=fields.number("minutes", lo=1, hi=600),
        source=body.strip() + "\n",
    )


def _load_question(fields: _Fields, index: int, grade: int | None) -> QuestionSpec:
    q = _Fields(
        fields.path, fields.text, fields.data["questions"][index], base=("questions", index)
    )
    kind = q.choice("type", ("single", "multiple", "numeric", "text"))
    problems = validate_question(kind, q.data) or young_pupil_problems(kind, q.data, grade)
    if problems:
        raise q.fail("type", f"question {index + 1}: " + " ".join(map(str, problems)))
    return QuestionSpec(
        kind=kind,
        prompt=q.string("prompt", max_len=5000),
        explanation=q.string("explanation", required=False, max_len=5000),
        points=q.number("points", default=1, lo=1, hi=100),
        data=normalized_definition(kind, q.data),
    )


def _load_quiz(path: Path, slug: str, grade: int | None) -> QuizSpec:
    text = _read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    fields = _Fields(path, text, data)
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise fields.fail("questions", "a quiz needs a non-empty list of 'questions'")
    max_attempts = fields.number("max_attempts", lo=0, hi=100)
    return QuizSpec(
        slug=slug,
        title=fields.string("title"),
        pass_mark=fields.number("pass_mark", default=50, lo=0, hi=100),
        weight=fields.number("weight", default=1, lo=0, hi=100),
        required=fields.flag("required", True),
        max_attempts=max_attempts or None,
        policy=fields.choice("policy", ("best", "last"), default="best"),
        time_limit_minutes=fields.number("time_limit_minutes", lo=1, hi=600),
        questions=tuple(_load_question(fields, i, grade) for i in range(len(questions))),
        reveal=fields.choice(
            "reveal", ("after_each", "after_last", "after_due", "never"), default="after_last"
        ),
        shuffle_questions=fields.flag("shuffle_questions", False),
        shuffle_options=fields.flag("shuffle_options", False),
        pool_size=fields.number("pool_size", lo=1, hi=len(questions)),
    )


def _credits(fields: _Fields) -> Decimal:
    raw = fields.data.get("credits")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise fields.fail("credits", "'credits' must be a number") from None
    if isinstance(raw, bool) or not Decimal(0) < value <= MAX_CREDITS:
        raise fields.fail(
            "credits", f"'credits' must be a number above 0 and at most {MAX_CREDITS}"
        )
    return value


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_media(folder: Path) -> dict[str, MediaFile]:
    media: dict[str, MediaFile] = {}
    if not folder.is_dir():
        return media
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file():
            raise PackageError(path, "media must be plain files")
        if not MEDIA_NAME.match(path.name):
            raise PackageError(path, "media names use letters, digits, '.', '_' and '-'")
        media[path.name] = MediaFile(path.name, path, path.stat().st_size, _hash_file(path))
    return media


def _sections(fields: _Fields) -> tuple[SectionSpec, ...]:
    raw = fields.data.get("sections")
    if not isinstance(raw, list) or not raw:
        raise fields.fail("sections", "'sections' must list at least one section")
    sections = []
    for index, section in enumerate(raw):
        s = _Fields(fields.path, fields.text, section, fields.offset, ("sections", index))
        items = section.get("items")
        if not isinstance(items, list) or not items:
            raise s.fail("items", "a section needs a non-empty list of 'items'")
        refs = []
        for j, item in enumerate(items):
            if isinstance(item, Mapping) and "scorm" in item:
                refs.append(_scorm_ref(s, j, item))
                continue
            if not isinstance(item, Mapping) or len(item) != 1:
                raise s.fail(("items", j), "an item is 'lecture: SLUG' or 'quiz: SLUG'")
            kind, slug = next(iter(item.items()))
            if kind not in ("lecture", "quiz") or not isinstance(slug, str) or not SLUG.match(slug):
                raise s.fail(("items", j), "an item is 'lecture: SLUG' or 'quiz: SLUG'")
            refs.append(ItemRef(kind, slug))
        sections.append(SectionSpec(s.string("title"), tuple(refs)))
    return tuple(sections)


SCORM_OPTIONS = ("title", "required", "minutes", "graded", "weight")


def _scorm_ref(section: _Fields, index: int, item: Mapping[str, Any]) -> ItemRef:
    """`- scorm: SLUG`, optionally with `title`, `required`, `minutes`, `graded`, `weight`."""
    slug = item.get("scorm")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise section.fail(("items", index), "a SCORM item is 'scorm: SLUG' (scorm/SLUG.zip)")
    unknown = sorted(set(item) - {"scorm", *SCORM_OPTIONS})
    if unknown:
        raise section.fail(("items", index), f"a SCORM item has no setting {unknown[0]!r}")
    return ItemRef("scorm", slug, tuple((k, item[k]) for k in SCORM_OPTIONS if k in item))


def _load_scorm(
    fields: _Fields, where: tuple[str | int, ...], path: Path, ref: ItemRef
) -> ScormSpec:
    if not path.is_file():
        raise fields.fail(where, f"SCORM package scorm/{ref.slug}.zip does not exist")
    options = _Fields(fields.path, fields.text, dict(ref.options), fields.offset, where)
    try:
        with zipfile.ZipFile(path) as archive:
            package = check_package(archive, Limits(max_bytes=SCORM_MAX_BYTES))
    except zipfile.BadZipFile:
        raise PackageError(path, "not a zip archive") from None
    except PackageRefused as exc:
        raise PackageError(path, str(exc)) from None
    return ScormSpec(
        slug=ref.slug,
        path=path,
        sha256=_hash_file(path),
        title=options.string("title", required=False) or package.manifest.title[:200],
        required=options.flag("required", True),
        minutes=options.number("minutes", lo=1, hi=600),
        graded=options.flag("graded", False),
        weight=options.number("weight", default=1, lo=0, hi=100),
    )


def _load_items(
    f: _Fields, folder: Path, sections: tuple[SectionSpec, ...], grade: int | None
) -> tuple[dict[str, LectureSpec], dict[str, QuizSpec], dict[str, ScormSpec]]:
    """The lectures, quizzes and SCORM packages the syllabus lists, each read and checked."""
    lectures: dict[str, LectureSpec] = {}
    quizzes: dict[str, QuizSpec] = {}
    scorm: dict[str, ScormSpec] = {}
    for section_index, section in enumerate(sections):
        for item_index, ref in enumerate(section.items):
            where = ("sections", section_index, "items", item_index)
            stores: dict[str, dict[str, Any]] = {
                "lecture": lectures,
                "quiz": quizzes,
                "scorm": scorm,
            }
            store = stores[ref.kind]
            if ref.slug in store or (ref.kind != "quiz" and ref.slug in {**lectures, **scorm}):
                raise f.fail(where, f"{ref.kind} {ref.slug!r} appears twice in the syllabus")
            if ref.kind == "scorm":
                path = folder / "scorm" / f"{ref.slug}.zip"
                scorm[ref.slug] = _load_scorm(f, where, path, ref)
            elif ref.kind == "lecture":
                path = folder / "lectures" / f"{ref.slug}.md"
                if not path.is_file():
                    raise f.fail(where, f"lecture file lectures/{ref.slug}.md does not exist")
                lectures[ref.slug] = _load_lecture(path, ref.slug)
            else:
                path = folder / "quizzes" / f"{ref.slug}.yaml"
                if not path.is_file():
                    raise f.fail(where, f"quiz file quizzes/{ref.slug}.yaml does not exist")
                quizzes[ref.slug] = _load_quiz(path, ref.slug, grade)
    return lectures, quizzes, scorm


def load_course(folder: Path) -> CoursePackage:
    """Read and check one course folder; raise `PackageError` at the first problem."""
    course_file = folder / "course.md"
    if not course_file.is_file():
        raise PackageError(folder, "no course.md in this folder")
    meta, body, raw = _front_matter(course_file)
    f = _Fields(course_file, raw, meta, offset=1)
    slug = f.slug("slug")
    if slug != folder.name:
        raise f.fail("slug", f"'slug' is {slug!r} but the folder is named {folder.name!r}")
    level = f.choice("level", ("k12", "university"))
    university = level == "university"
    grade = None if university else f.number("grade", lo=1, hi=12)
    if not university and grade is None:
        raise f.fail("level", "a k12 course needs a 'grade' from 1 to 12")
    outcomes = meta.get("outcomes", [])
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        raise f.fail("outcomes", "'outcomes' must be a list of sentences")
    sections = _sections(f)

    lectures, quizzes, scorm = _load_items(f, folder, sections, grade)
    for sub, suffix, known in (
        ("lectures", ".md", lectures),
        ("quizzes", ".yaml", quizzes),
        ("scorm", ".zip", scorm),
    ):
        for path in sorted((folder / sub).glob(f"*{suffix}")) if (folder / sub).is_dir() else []:
            if path.stem not in known:
                raise PackageError(path, "this file is not listed in the syllabus of course.md")

    media = _load_media(folder / "media")
    package = CoursePackage(
        slug=slug,
        title=f.string("title"),
        institution=f.slug("institution"),
        language=f.choice("language", LANGUAGES),
        level=level,
        grade=grade,
        subject=f.slug("subject"),
        code=f.string("code", max_len=40) if university else None,
        credits=_credits(f) if university else None,
        workload_hours=f.number("workload_hours", lo=1, hi=3000) if university else None,
        pass_mark=f.number("pass_mark", default=50, lo=0, hi=100),
        cover=f.string("cover", required=False, max_len=160) or None,
        outcomes=tuple(o.strip() for o in outcomes if o.strip()),
        description=body.strip() + "\n",
        sections=sections,
        lectures=lectures,
        quizzes=quizzes,
        media=media,
        scorm=scorm,
    )
    if package.cover is not None and package.cover not in media:
        raise f.fail("cover", f"cover media/{package.cover} does not exist")
    if university and package.workload_hours is None:
        raise f.fail("level", "a university course needs 'workload_hours'")
    for lecture in lectures.values():
        for name in re.findall(r"\]\(media/([^)\s]+)", lecture.source):
            if name not in media:
                raise PackageError(
                    folder / "lectures" / f"{lecture.slug}.md", f"media/{name} does not exist"
                )
    return _with_hash(package, folder)


def _with_hash(package: CoursePackage, folder: Path) -> CoursePackage:
    """Hash every file of the package: an unchanged package is skipped on re-import."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(_hash_file(path).encode())
    return CoursePackage(**{**package.__dict__, "source_hash": digest.hexdigest()})


def load_tree(root: Path) -> ContentTree:
    """Read a content folder (institutions.yaml + course folders) or a single course folder."""
    if not root.exists():
        raise PackageError(root, "no such file or folder")
    if (root / "course.md").is_file():
        return ContentTree((), (load_course(root),))
    institutions: tuple[InstitutionSpec, ...] = ()
    if (root / "institutions.yaml").is_file():
        institutions = load_institutions(root / "institutions.yaml")
    courses = tuple(
        load_course(folder)
        for folder in sorted(root.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
    )
    if not courses and not institutions:
        raise PackageError(root, "no course folders (with course.md) found here")
    return ContentTree(institutions, courses)
