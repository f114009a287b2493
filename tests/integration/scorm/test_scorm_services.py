"""SCORM packages as lectures, on SQLite and PostgreSQL: uploading (and refusing, leaving
nothing behind), course packages that import and export them byte for byte, and the runtime's
commits saved once, marking the lecture done, counting the score and stating interactions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring.core.package_format import PackageError, load_course, load_tree
from mooc.authoring.packages.exporting import export_course
from mooc.authoring.packages.importing import import_tree
from mooc.authoring.services.scorm import add_scorm_lecture, grade_package
from mooc.catalog.models import Course, Lecture, ScormPackage
from mooc.errors import Invalid, PermissionDenied
from mooc.learning import queries as learning_queries
from mooc.learning import services as learning
from mooc.learning.models import LectureProgress, XapiStatement
from mooc.learning.syllabus import load_outline
from mooc.scorm import services
from mooc.scorm.core.archive import Limits, storage_key
from mooc.storage import Storage
from tests.factories import make_user, study
from tests.helpers import BASE_URL
from tests.scorm_packages import build_package, build_zip, manifest

LIMITS = Limits(max_bytes=10 * 1024 * 1024)


def _add(session: Session, teacher: User, course: Course, storage: Storage, data: bytes) -> Lecture:
    return add_scorm_lecture(
        session, teacher, course.sections[0], data, storage=storage, limits=LIMITS
    )


def _cmi_12(status: str, *, raw: str = "", location: str = "", interactions: int = 0) -> dict:
    items = [
        {"id": f"q{n}", "type": "choice", "student_response": "b", "result": "correct"}
        for n in range(interactions)
    ]
    return {
        "cmi": {
            "core": {
                "lesson_status": status,
                "lesson_location": location,
                "score": {"raw": raw, "min": "0", "max": "100"},
                "total_time": "00:02:00",
            },
            "suspend_data": f"at:{location}",
            "interactions": {"childArray": items},
        }
    }


def test_an_uploaded_package_is_a_published_lecture_with_its_files_stored(
    session: Session, teacher: User, course: Course, storage: Storage
) -> None:
    data = build_package("2004", "Chuyển động tròn", scos=[("a", "Phần 1"), ("b", "Phần 2")])
    lecture = _add(session, teacher, course, storage, data)
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    assert lecture.title == "Chuyển động tròn" and lecture.published_version is not None
    assert (package.version, package.sha256) == ("2004", hashlib.sha256(data).hexdigest())
    assert [s["identifier"] for s in package.scos] == ["a", "b"]
    assert storage.exists(package.zip_key)
    assert storage.exists(storage_key(package.storage_prefix, "b/index.html"))
    # The outline (what every lecture page reads) knows the lecture plays a package.
    items = {i.slug: i for s in load_outline(session, course.id).sections for i in s.items}
    assert items[lecture.slug].scorm and not items["roi-tu-do"].scorm


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"index.html": "<p>no manifest</p>"}, "không có tệp imsmanifest.xml"),
        (
            {"imsmanifest.xml": manifest("1.2", "T", [("a", "A", "../../etc/passwd")])},
            "nằm ngoài gói",
        ),
        (
            {
                "imsmanifest.xml": manifest("1.2", "T", [("a", "A", "a/index.html")]),
                "a/index.html": "x",
                "a/zeros.bin": b"\0" * (12 * 1024 * 1024),
            },
            "bom zip",
        ),
    ],
)
def test_a_refused_package_says_why_and_leaves_nothing(
    session: Session,
    teacher: User,
    course: Course,
    storage: Storage,
    files: dict[str, bytes | str],
    reason: str,
) -> None:
    def counts() -> tuple[int | None, int | None]:
        return (
            session.scalar(select(func.count()).select_from(Lecture)),
            session.scalar(select(func.count()).select_from(ScormPackage)),
        )

    before = counts()
    # Worded in the default language (Vietnamese) from the core's code and parameters.
    with pytest.raises(Invalid, match=reason):
        _add(session, teacher, course, storage, build_zip(files))
    assert counts() == before


def test_a_rolled_back_upload_removes_its_files(
    session: Session, teacher: User, course: Course, storage: Storage
) -> None:
    data = build_package("1.2", "Rolled back")
    prefix = f"scorm/{hashlib.sha256(data).hexdigest()[:32]}"
    savepoint = session.begin_nested()
    _add(session, teacher, course, storage, data)
    assert storage.exists(f"{prefix}.zip")
    savepoint.rollback()
    session.rollback()  # the request's transaction ends without committing
    assert not storage.exists(f"{prefix}.zip")
    assert not storage.exists(storage_key(prefix, "part-1/index.html"))


def test_only_the_course_teachers_upload(
    session: Session, course: Course, storage: Storage
) -> None:
    stranger = make_user(session)
    with pytest.raises(PermissionDenied):
        _add(session, stranger, course, storage, build_package())


def test_commits_are_saved_once_per_sequence_and_interactions_stated_once(
    session: Session, teacher: User, course: Course, storage: Storage
) -> None:
    lecture = _add(session, teacher, course, storage, build_package("1.2"))
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    learner = make_user(session)
    learning.enrol(session, learner, course)

    def track(sequence: int, data: dict) -> services.Tracked:
        return services.track(
            session, learner, package, "part-1", sequence, data, base_url=BASE_URL
        )

    first = track(1, _cmi_12("incomplete", location="2", interactions=1))
    replay = track(1, _cmi_12("incomplete", location="2", interactions=1))
    late = track(1, _cmi_12("incomplete", location="9", interactions=1))
    assert (first.saved, replay.saved, late.saved) == (True, False, False)
    assert first.state.location == "2" and first.state.suspend_data == "at:2"
    second = track(2, _cmi_12("incomplete", location="3", interactions=2))
    assert second.saved and second.state.location == "3"
    answered = session.scalar(
        select(func.count())
        .select_from(XapiStatement)
        .where(XapiStatement.user_id == learner.id, XapiStatement.verb.like("%answered"))
    )
    assert answered == 2
    assert not second.lecture_done
    assert second.state.attempt == 1
    # Reopened: the new launch's first commit counts a second attempt, once.
    for _ in range(2):
        reopened = services.track(
            session,
            learner,
            package,
            "part-1",
            3,
            _cmi_12("incomplete", location="3", interactions=2),
            base_url=BASE_URL,
            opens_launch=True,
        )
    assert reopened.state.attempt == 2


def test_a_passed_package_marks_the_lecture_done_and_its_score_counts_when_graded(
    session: Session, teacher: User, course: Course, storage: Storage
) -> None:
    lecture = _add(session, teacher, course, storage, build_package("1.2"))
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    grade_package(session, teacher, package, counts_in_grade=True, weight=1)
    learner = make_user(session)
    study(session, learner, course.slug)  # every lecture done, the quiz passed (100) …
    session.execute(  # … but the package, which only its runtime finishes
        delete(LectureProgress).where(
            LectureProgress.user_id == learner.id, LectureProgress.lecture_id == lecture.id
        )
    )
    status = learning_queries.course_status(session, learner.id, course)
    assert not status.complete and status.final_grade == 100.0
    tracked = services.track(
        session, learner, package, "part-1", 1, _cmi_12("passed", raw="40"), base_url=BASE_URL
    )
    assert tracked.lecture_done
    progress = session.scalars(
        select(LectureProgress).where(
            LectureProgress.user_id == learner.id, LectureProgress.lecture_id == lecture.id
        )
    ).one()
    assert progress.done_at is not None and progress.version_id == lecture.published_version_id
    status = learning_queries.course_status(session, learner.id, course)
    assert status.final_grade == 70.0  # the quiz's 100 and the package's 40, weighted alike
    assert learning.complete_course_if_earned(session, learner, course, base_url=BASE_URL) is None
    assert learning_queries.completion(session, learner.id, course.id) is not None


def test_a_learner_must_be_enrolled_to_be_tracked(
    session: Session, teacher: User, course: Course, storage: Storage
) -> None:
    lecture = _add(session, teacher, course, storage, build_package("1.2"))
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    with pytest.raises(PermissionDenied):
        services.track(
            session, make_user(session), package, "part-1", 1, _cmi_12("passed"), base_url=BASE_URL
        )


def test_course_packages_import_and_export_scorm_items_byte_for_byte(
    session: Session, content_copy: Path, storage: Storage, tmp_path: Path
) -> None:
    folder = content_copy / "vat-ly-lop-10"
    data = build_package("2004", "Mô phỏng", scos=[("a", "A"), ("b", "B")])
    (folder / "scorm").mkdir(exist_ok=True)
    (folder / "scorm" / "mo-phong.zip").write_bytes(data)
    text = (folder / "course.md").read_text(encoding="utf-8")
    text = text.replace(
        "      - lecture: roi-tu-do\n",
        "      - lecture: roi-tu-do\n"
        "      - scorm: mo-phong\n        graded: true\n        weight: 2\n",
    )
    (folder / "course.md").write_text(text, encoding="utf-8")
    import_tree(session, storage, load_tree(folder))
    course = session.scalars(select(Course).where(Course.slug == "vat-ly-lop-10")).one()
    lecture = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == "mo-phong")
    ).one()
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    assert (lecture.title, package.counts_in_grade, package.weight) == ("Mô phỏng", True, 2)

    export_course(session, storage, course, tmp_path / "out")
    exported = tmp_path / "out" / "vat-ly-lop-10"
    assert (exported / "scorm" / "mo-phong.zip").read_bytes() == data
    assert "- scorm: mo-phong" in (exported / "course.md").read_text(encoding="utf-8")
    again = load_course(exported)
    assert again.scorm["mo-phong"].graded and again.scorm["mo-phong"].weight == 2


def test_a_course_package_with_a_bad_scorm_zip_names_the_file(content_copy: Path) -> None:
    folder = content_copy / "vat-ly-lop-10"
    (folder / "scorm").mkdir(exist_ok=True)
    (folder / "scorm" / "hong.zip").write_bytes(build_zip({"a.html": "x"}))
    text = (folder / "course.md").read_text(encoding="utf-8")
    text = text.replace(
        "      - lecture: roi-tu-do\n", "      - lecture: roi-tu-do\n      - scorm: hong\n"
    )
    (folder / "course.md").write_text(text, encoding="utf-8")
    with pytest.raises(PackageError, match=r"hong\.zip: there is no imsmanifest"):
        load_course(folder)
