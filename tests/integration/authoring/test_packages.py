"""Course packages out and in: export in the content/ format (folder or zip), import into an
empty database, and zips that try to escape, link, or explode refused with nothing changed."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Role
from mooc.assessment.models import Question, Quiz
from mooc.authoring.core.package_format import (
    CoursePackage,
    PackageError,
    load_course,
    load_institutions,
    load_tree,
)
from mooc.authoring.packages.exporting import export_course, export_zip
from mooc.authoring.packages.importing import import_tree
from mooc.authoring.packages.zipfiles import ZipLimits, extract_zip, import_zip
from mooc.authoring.services.media import MediaLimits, upload_media
from mooc.catalog.models import Course, Lecture, LectureVersion, MediaAsset
from mooc.catalog.services import media_resolver, publish_lecture
from mooc.errors import Invalid, PermissionDenied
from mooc.extensions import db
from mooc.factory import create_app
from mooc.markup import render_markdown
from mooc.migrate import upgrade
from mooc.settings import Settings
from mooc.storage import Storage
from tests.factories import make_user

CONTENT = Path(__file__).resolve().parents[3] / "content"
SEED_COURSES = sorted(p.name for p in CONTENT.iterdir() if (p / "course.md").is_file())


@pytest.fixture(autouse=True)
def english(session: Session) -> Iterator[None]:
    with force_locale("en"):
        yield


@pytest.fixture
def storage(app: Flask) -> Storage:
    store: Storage = app.extensions["mooc_storage"]
    return store


def _course(session: Session, slug: str) -> Course:
    return session.scalars(select(Course).where(Course.slug == slug)).one()


@pytest.fixture
def second_app(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Flask]:
    """Another platform: a brand-new, empty, migrated database and its own storage."""
    url = fresh_database_url(backend)
    upgrade(url)
    app = create_app(
        settings=Settings(
            env="testing",
            instance_path=tmp_path / "second",
            secret_key="second-secret-" + "y" * 40,
            database_url=url,
            storage_url="memory://",
            base_url="http://other.test",
        )
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def snapshot(session: Session, storage: Storage, slug: str) -> dict[str, Any]:
    """What learners and teachers see of a course: settings, syllabus, the published lectures'
    HTML, quiz definitions and the media bytes."""
    course = _course(session, slug)
    lectures = session.scalars(select(Lecture).where(Lecture.course_id == course.id)).all()
    quizzes = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).all()
    syllabus = []
    for section in course.sections:
        items = sorted(
            [
                (lec.position, "lecture", lec.slug)
                for lec in lectures
                if lec.section_id == section.id
            ]
            + [(q.position, "quiz", q.slug) for q in quizzes if q.section_id == section.id]
        )
        syllabus.append((section.title, [(kind, item) for _, kind, item in items]))
    assets = session.scalars(select(MediaAsset).where(MediaAsset.course_id == course.id)).all()
    return {
        "course": {
            "title": course.title,
            "institution": (
                course.institution.slug,
                course.institution.name,
                course.institution.kind,
            ),
            "description": course.description,
            "description_html": course.description_html,
            "language": course.language,
            "level": course.level,
            "grade": course.grade,
            "subject": course.subject,
            "code": course.code,
            "credits": course.credits,
            "workload_hours": course.workload_hours,
            "outcomes": course.outcomes,
            "pass_mark": course.pass_mark,
        },
        "syllabus": syllabus,
        "lectures": {
            lec.slug: (
                lec.required,
                lec.minutes,
                lec.published_version.title,
                lec.published_version.html,
                lec.published_version.outline,
                lec.published_version.sha256,
            )
            for lec in lectures
            if lec.published_version is not None
        },
        "quizzes": {
            q.slug: (
                q.title,
                q.pass_mark,
                q.weight,
                q.required,
                q.max_attempts,
                q.policy,
                q.time_limit_minutes,
                [(x.kind, x.prompt, x.explanation, x.data, x.points) for x in q.questions],
            )
            for q in quizzes
        },
        "media": {
            a.name: (a.content_type, a.size, a.sha256, a.width, a.height, _read(storage, a))
            for a in assets
        },
    }


def _read(storage: Storage, asset: MediaAsset) -> bytes:
    with storage.open(asset.storage_key) as fh:
        return fh.read()


def _counts(session: Session, storage: Storage) -> dict[str, int]:
    counts = {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Institution, Course, Lecture, LectureVersion, Quiz, Question, MediaAsset)
    }
    counts["stored objects"] = len(getattr(storage, "objects", {}))
    return counts


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#c33").save(out, format="PNG")
    return out.getvalue()


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SEED_COURSES)
def test_an_exported_seed_course_reads_back_as_the_same_package(
    session: Session, storage: Storage, tmp_path: Path, slug: str
) -> None:
    summary = export_course(session, storage, _course(session, slug), tmp_path)
    exported, original = load_course(tmp_path / slug), load_course(CONTENT / slug)

    def comparable(pkg: CoursePackage) -> dict[str, Any]:
        fields = dict(pkg.__dict__)
        fields.pop("source_hash")
        fields["media"] = {name: (m.size, m.sha256) for name, m in pkg.media.items()}
        fields["scorm"] = {slug: {**s.__dict__, "path": None} for slug, s in pkg.scorm.items()}
        return fields

    assert comparable(exported) == comparable(original)
    assert (summary.lectures, summary.quizzes, summary.media) == (
        len(original.lectures) + len(original.scorm),
        len(original.quizzes),
        len(original.media),
    )
    institutions = load_institutions(tmp_path / "institutions.yaml")
    assert [i.slug for i in institutions] == [original.institution]


def test_every_seed_course_moves_to_an_empty_platform_unchanged(
    session: Session, storage: Storage, second_app: Flask, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    for slug in SEED_COURSES:
        export_course(session, storage, _course(session, slug), export)
    before = {slug: snapshot(session, storage, slug) for slug in SEED_COURSES}
    tree = load_tree(export)

    with second_app.app_context():
        other_storage = second_app.extensions["mooc_storage"]
        report = import_tree(db.session, other_storage, tree)
        db.session.commit()
        after = {slug: snapshot(db.session, other_storage, slug) for slug in SEED_COURSES}

    assert sorted(report.created) == sorted(
        [f"course {slug}" for slug in SEED_COURSES]
        + [f"institution {spec.slug}" for spec in tree.institutions]
    )
    for slug in SEED_COURSES:
        assert after[slug] == before[slug], slug
    assert any(after[slug]["media"] for slug in SEED_COURSES)
    assert any(after[slug]["quizzes"] for slug in SEED_COURSES)


def test_a_teacher_edited_course_exports_what_students_see(
    session: Session, storage: Storage, second_app: Flask, tmp_path: Path
) -> None:
    course = _course(session, "toan-lop-6")
    picture = _png(48, 24)
    upload_media(
        session,
        storage,
        course,
        "Hình minh họa.png",
        io.BytesIO(picture),
        limits=MediaLimits(),
        actor_id=None,
    )
    lecture = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == "phan-so")
    ).one()
    lecture.draft_source += "\n![Minh họa phân số](media/hinh-minh-hoa.png)\n"
    version = publish_lecture(session, lecture, resolver=media_resolver(session, course))
    assert version is not None and version.number == 2
    lecture.draft_source += "\nChưa xuất bản: bản nháp đang viết dở.\n"
    first_section = course.sections[0]
    draft_only = Lecture(
        course_id=course.id,
        section_id=first_section.id,
        slug="on-tap",
        position=99,
        title="Ôn tập chương 1",
        draft_source="## Ôn tập\n\nXem lại ![Tia số](media/tia-so.svg) và tính $2^3$.\n",
    )
    session.add(draft_only)
    quiz = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).one()
    quiz.time_limit_minutes = 20
    quiz.questions[0].prompt = "Tập hợp $A = \\{0; 1; 2; 3\\}$ có bao nhiêu phần tử?"
    session.flush()
    preview = render_markdown(draft_only.draft_source, media=media_resolver(session, course))
    before = snapshot(session, storage, "toan-lop-6")

    export_course(session, storage, course, tmp_path / "export")
    text = (tmp_path / "export" / "toan-lop-6" / "lectures" / "phan-so.md").read_text()
    assert "media/hinh-minh-hoa.png" in text
    assert "Chưa xuất bản" not in text
    with second_app.app_context():
        other_storage = second_app.extensions["mooc_storage"]
        import_tree(db.session, other_storage, load_tree(tmp_path / "export"))
        db.session.commit()
        after = snapshot(db.session, other_storage, "toan-lop-6")
        imported_draft = db.session.scalars(select(Lecture).where(Lecture.slug == "on-tap")).one()
        assert imported_draft.published_version is not None
        assert imported_draft.published_version.html == preview.html

    assert after["lectures"]["phan-so"] == before["lectures"]["phan-so"]
    assert after["quizzes"] == before["quizzes"]
    assert after["media"] == before["media"]
    assert after["media"]["hinh-minh-hoa.png"][3:] == (48, 24, picture)
    assert after["syllabus"] == before["syllabus"]


def test_a_course_with_an_unwritten_lecture_is_not_exported(
    session: Session, storage: Storage, tmp_path: Path
) -> None:
    course = _course(session, "toan-lop-6")
    session.add(
        Lecture(
            course_id=course.id,
            section_id=course.sections[0].id,
            slug="trong",
            position=50,
            title="Bài chưa viết",
            draft_source="",
        )
    )
    session.flush()
    with pytest.raises(Invalid, match="Bài chưa viết has no text yet"):
        export_course(session, storage, course, tmp_path / "out")
    assert not (tmp_path / "out" / "toan-lop-6").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == []


# --- the command line --------------------------------------------------------------------------


def test_cli_exports_to_a_folder_beside_other_courses(
    app: Flask, session: Session, content_copy: Path
) -> None:
    institutions_before = (content_copy / "institutions.yaml").read_bytes()
    (content_copy / "toan-lop-6" / "lectures" / "cu.md").write_text("stale file")
    result = app.test_cli_runner().invoke(
        args=["content", "export", "toan-lop-6", str(content_copy)]
    )
    assert result.exit_code == 0, result.output
    assert "7 lectures, 1 quizzes, 1 media files" in result.output
    assert not (content_copy / "toan-lop-6" / "lectures" / "cu.md").exists()
    assert (content_copy / "institutions.yaml").read_bytes() == institutions_before
    assert (content_copy / "toan-lop-6" / "media" / "tia-so.svg").read_bytes() == (
        CONTENT / "toan-lop-6" / "media" / "tia-so.svg"
    ).read_bytes()
    assert [c.slug for c in load_tree(content_copy).courses] == SEED_COURSES
    assert not [p for p in content_copy.iterdir() if p.name.startswith(".export-")]


def test_cli_exports_a_zip_that_cli_imports_without_new_versions(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    target = tmp_path / "goi" / "toan-lop-6.zip"
    result = runner.invoke(args=["content", "export", "toan-lop-6", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert "institutions.yaml" in names
    assert "toan-lop-6/course.md" in names
    assert "toan-lop-6/media/tia-so.svg" in names
    assert "toan-lop-6/quizzes/kiem-tra-toan-6.yaml" in names
    assert len([n for n in names if n.startswith("toan-lop-6/lectures/")]) == 7

    versions = session.scalar(select(func.count()).select_from(LectureVersion))
    result = runner.invoke(args=["content", "import", str(target)])
    assert result.exit_code == 0, result.output
    assert "updated   course toan-lop-6" in result.output
    assert session.scalar(select(func.count()).select_from(LectureVersion)) == versions


def test_cli_export_explains_its_refusals(app: Flask, session: Session, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["content", "export", "khong-co", str(tmp_path)])
    assert unknown.exit_code == 1
    assert "no course with the slug 'khong-co'" in unknown.output
    course_folder = runner.invoke(
        args=["content", "export", "toan-lop-6", str(CONTENT / "toan-lop-6")]
    )
    assert course_folder.exit_code == 1
    assert "is a course folder" in course_folder.output


def test_export_zip_is_reproducible(session: Session, storage: Storage) -> None:
    course = _course(session, "vat-ly-lop-10")
    with (
        export_zip(session, storage, course) as first,
        export_zip(session, storage, course) as second,
    ):
        assert first.read() == second.read()


# --- zips from outside -------------------------------------------------------------------------


def _export_entries(session: Session, storage: Storage, slug: str) -> list[tuple[str, bytes]]:
    with export_zip(session, storage, _course(session, slug)) as data, zipfile.ZipFile(data) as zf:
        return [(name, zf.read(name)) for name in zf.namelist()]


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def _symlink(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    info.create_system = 3  # Unix
    return info


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../evil.md", "../evil.md: '..' would put this file outside the package"),
        ("toan-lop-6/../../evil.md", "'..' would put this file outside the package"),
        ("/etc/cron.d/evil", "/etc/cron.d/evil: absolute paths are not allowed"),
        ("C:/Windows/evil.md", "drive letters are not allowed"),
        ("..\\evil.md", "backslashes are not allowed in zip paths"),
        (_symlink("toan-lop-6/media/passwd.svg", "/etc/passwd"), "symbolic links are not allowed"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "drive-letter", "backslash", "symlink"],
)
def test_zips_that_reach_outside_the_package_are_refused_and_change_nothing(
    session: Session,
    storage: Storage,
    tmp_path: Path,
    entry: str | zipfile.ZipInfo,
    message: str,
) -> None:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = list(
        _export_entries(session, storage, "toan-lop-6")
    )
    entries.append((entry, b"/etc/passwd" if isinstance(entry, zipfile.ZipInfo) else b"pwned"))
    data = _zip(entries)
    before = _counts(session, storage)

    with pytest.raises(Invalid) as caught:
        import_zip(session, storage, data, actor_id=None, user=None)
    assert message in caught.value.message
    assert caught.value.status == 422
    assert _counts(session, storage) == before

    # Nothing is written anywhere either: the whole zip is checked before extraction.
    (tmp_path / "x" / "package").mkdir(parents=True)
    with pytest.raises(PackageError, match=re.escape(message)):
        extract_zip(data, tmp_path / "x" / "package")
    assert [p for p in (tmp_path / "x").rglob("*") if p.is_file()] == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    session: Session, storage: Storage, tmp_path: Path
) -> None:
    bomb = tmp_path / "bom.zip"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _export_entries(session, storage, "toan-lop-6"):
            archive.writestr(name, data)
        with archive.open("toan-lop-6/media/zeros.svg", "w") as member:
            for _ in range(200):
                member.write(zeros)
    assert bomb.stat().st_size < 1024 * 1024
    before = _counts(session, storage)

    with pytest.raises(Invalid, match=r"zeros.svg: compressed [\d,]+:1 \(200 MB unpacked\)"):
        import_zip(session, storage, bomb, actor_id=None, user=None)
    with pytest.raises(Invalid, match="looks like a zip bomb"):
        import_zip(session, storage, bomb, actor_id=None, user=None)
    assert _counts(session, storage) == before


def test_too_many_entries_or_bytes_are_refused(session: Session, storage: Storage) -> None:
    data = _zip(list(_export_entries(session, storage, "toan-lop-6")))
    with pytest.raises(Invalid, match="the zip holds 11 entries; at most 5 are accepted"):
        import_zip(
            session, storage, data, actor_id=None, user=None, limits=ZipLimits(max_entries=5)
        )
    with pytest.raises(Invalid, match="unpacks to more than 20,000 bytes"):
        import_zip(
            session,
            storage,
            data,
            actor_id=None,
            user=None,
            limits=ZipLimits(max_total_bytes=20_000),
        )
    with pytest.raises(Invalid, match="not a zip file"):
        import_zip(session, storage, b"PK\x03\x04 but not really", actor_id=None, user=None)


def test_a_malformed_package_in_a_zip_reports_its_file_and_line(
    session: Session, storage: Storage
) -> None:
    entries = []
    for name, data in _export_entries(session, storage, "toan-lop-6"):
        if name == "toan-lop-6/lectures/phan-so.md":
            data = data.replace(b"minutes: 30", b"minutes: nhieu")
        entries.append((name, data))
    before = _counts(session, storage)
    with pytest.raises(Invalid) as caught:
        import_zip(session, storage, _zip(list(entries)), actor_id=None, user=None)
    assert caught.value.message == (
        "toan-lop-6/lectures/phan-so.md:4: 'minutes' must be a whole number from 1 to 600"
    )
    assert _counts(session, storage) == before


def test_an_import_that_fails_half_way_leaves_nothing_behind(
    session: Session, storage: Storage
) -> None:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    for slug in ("intro-programming", "toan-lop-6"):
        for name, data in _export_entries(session, storage, slug):
            if name == "institutions.yaml":
                continue
            if name == "intro-programming/course.md":
                data = data.replace(b"title: Introduction to Programming", b"title: Renamed")
            if name == "toan-lop-6/course.md":
                data = data.replace(b"institution: thcs-ba-dinh", b"institution: truong-moi")
            entries.append((name, data))
    before = _counts(session, storage)
    with pytest.raises(Invalid, match="institution 'truong-moi' is not known"):
        import_zip(session, storage, _zip(entries), actor_id=None, user=None)
    # intro-programming was applied first, then rolled back with the rest.
    assert _course(session, "intro-programming").title == "Introduction to Programming"
    assert _counts(session, storage)["Course"] == before["Course"]
    assert {k: v for k, v in _counts(session, storage).items() if k != "stored objects"} == {
        k: v for k, v in before.items() if k != "stored objects"
    }


@pytest.mark.parametrize("layout", ["content-folder", "course-files-at-root", "wrapped-folder"])
def test_zips_made_by_hand_import_whatever_the_layout(
    session: Session, storage: Storage, layout: str
) -> None:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    for name, data in _export_entries(session, storage, "toan-lop-6"):
        if layout == "course-files-at-root":
            if name == "institutions.yaml":
                continue
            name = name.removeprefix("toan-lop-6/")
        elif layout == "wrapped-folder":
            name = f"content/{name}"
        entries.append((name, data))
    entries.append(("__MACOSX/._course.md", b"\x00\x05\x16\x07"))
    versions = _counts(session, storage)["LectureVersion"]
    # As a web upload arrives: a seekable stream.
    report = import_zip(session, storage, io.BytesIO(_zip(entries)), actor_id=None, user=None)
    assert report.updated == ["course toan-lop-6"]
    assert _counts(session, storage)["LectureVersion"] == versions


def _copy_as(
    entries: list[tuple[str, bytes]], slug: str
) -> list[tuple[str | zipfile.ZipInfo, bytes]]:
    out: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    for name, data in entries:
        if name == "toan-lop-6/course.md":
            data = data.replace(b"slug: toan-lop-6", f"slug: {slug}".encode())
        out.append((name.replace("toan-lop-6/", f"{slug}/"), data))
    return out


def test_teachers_import_only_into_what_they_may_change(session: Session, storage: Storage) -> None:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), name="Thầy Nam")
    others = _zip(list(_export_entries(session, storage, "intro-programming")))
    with pytest.raises(PermissionDenied, match="intro-programming already exists"):
        import_zip(session, storage, others, actor_id=teacher.id, user=teacher)

    copy = _copy_as(_export_entries(session, storage, "toan-lop-6"), "toan-6-lop-chieu")
    report = import_zip(session, storage, _zip(copy), actor_id=teacher.id, user=teacher)
    assert report.created == ["course toan-6-lop-chieu"]
    created = _course(session, "toan-6-lop-chieu")
    assert [t.user_id for t in created.teachers] == [teacher.id]
    assert created.institution.slug == "thcs-ba-dinh"

    renamed = [
        (name, data.replace("Trường THCS Ba Đình".encode(), "Trường Mới".encode()))
        for name, data in _copy_as(_export_entries(session, storage, "toan-lop-6"), "toan-6-b")
    ]
    with pytest.raises(PermissionDenied, match="Only administrators can add or change"):
        import_zip(session, storage, _zip(renamed), actor_id=teacher.id, user=teacher)
    assert session.scalar(select(Course.id).where(Course.slug == "toan-6-b")) is None
