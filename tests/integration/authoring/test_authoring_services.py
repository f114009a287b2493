"""Authoring services: courses, structure, drafts with optimistic locking, versions, quizzes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Role, User
from mooc.assessment.models import QuestionKind
from mooc.authoring import queries
from mooc.authoring.core import diffing, options
from mooc.authoring.models import AuditEntry
from mooc.authoring.services import courses, lectures, quizzes
from mooc.catalog.models import Course, CourseStatus, Lecture
from mooc.catalog.queries import CourseFilter, published_courses
from mooc.catalog.services import assign_teacher
from mooc.errors import Conflict, Invalid, PermissionDenied
from mooc.learning import services as learning
from tests.factories import make_user


def _school(session: Session) -> Institution:
    return session.scalars(select(Institution).where(Institution.slug == "thcs-ba-dinh")).one()


def _settings(**changes: object) -> courses.CourseSettings:
    base = {
        "title": "Hình học lớp 7",
        "description": "Tam giác, góc và **chứng minh**.",
        "language": "vi",
        "level": "k12",
        "grade": 7,
        "subject": "math",
        "code": None,
        "credits": None,
        "workload_hours": None,
        "outcomes": ("Chứng minh hai tam giác bằng nhau.",),
        "pass_mark": 50,
    }
    base.update(changes)
    return courses.CourseSettings(**base)  # type: ignore[arg-type]


@pytest.fixture
def teacher(session: Session) -> User:
    return make_user(session, ("thcs-ba-dinh", Role.TEACHER), name="Cô Lan")


@pytest.fixture
def course(session: Session, teacher: User) -> Course:
    return courses.create_course(session, teacher, _school(session), "hinh-hoc-7", _settings())


def _audit(session: Session, course: Course) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.course_id == course.id).order_by(AuditEntry.id)
        )
    )


def test_creating_a_course_makes_a_draft_taught_by_its_creator(
    session: Session, teacher: User, course: Course
) -> None:
    assert course.status == CourseStatus.DRAFT
    assert [t.user_id for t in course.teachers] == [teacher.id]
    assert "<strong>chứng minh</strong>" in course.description_html
    assert "hinh hoc" in course.search_text
    assert len(course.sections) == 1
    assert _audit(session, course)[0].action == "create"
    drafts = published_courses(session, CourseFilter(q="hinh hoc"))
    assert course not in drafts.items  # drafts stay out of the catalogue


def test_only_teachers_of_the_institution_create_courses(session: Session) -> None:
    outsider = make_user(session, ("thpt-chu-van-an", Role.TEACHER))
    with pytest.raises(PermissionDenied):
        courses.create_course(session, outsider, _school(session), "x-course", _settings())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"grade": 13}, "grade"),
        ({"subject": "astrology"}, "subject"),
        ({"pass_mark": 101}, "pass_mark"),
        ({"level": "university", "grade": None, "code": "", "credits": Decimal(3)}, "code"),
        (
            {"level": "university", "grade": None, "code": "M1", "credits": Decimal(0)},
            "credits",
        ),
    ],
)
def test_course_settings_are_validated(
    session: Session, teacher: User, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        courses.create_course(session, teacher, _school(session), "bad-one", _settings(**changes))
    assert caught.value.field == field


def test_duplicate_course_address_is_a_conflict(
    session: Session, teacher: User, course: Course
) -> None:
    with pytest.raises(Conflict):
        courses.create_course(session, teacher, _school(session), course.slug, _settings())


def test_other_teachers_cannot_edit(session: Session, course: Course) -> None:
    colleague = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    with pytest.raises(PermissionDenied):
        courses.update_course(session, colleague, course, _settings(title="Hijacked"))
    assert course.title == "Hình học lớp 7"


def test_draft_saves_use_optimistic_locking(
    session: Session, teacher: User, course: Course
) -> None:
    lecture = courses.create_lecture(session, teacher, course.sections[0], "Tam giác")
    start = lecture.draft_revision
    first = lectures.Draft("Tam giác", "Tổng ba góc là $180^\\circ$.", True, 10)
    new_revision = lectures.save_draft(session, teacher, lecture, first, base_revision=start)
    assert new_revision == start + 1
    stale = lectures.Draft("Tam giác", "Bản của người thứ hai", True, 10)
    with pytest.raises(Conflict):
        lectures.save_draft(session, teacher, lecture, stale, base_revision=start)
    assert lecture.draft_source == first.source  # nothing overwritten


def test_publishing_freezes_versions_and_history_diffs_them(
    session: Session, teacher: User, course: Course
) -> None:
    lecture = courses.create_lecture(session, teacher, course.sections[0], "Góc")
    with pytest.raises(Invalid):
        lectures.publish(session, teacher, lecture)  # nothing written yet
    draft = lectures.Draft("Góc", "Dòng một\nDòng hai\n", True, None)
    lectures.save_draft(session, teacher, lecture, draft, base_revision=lecture.draft_revision)
    v1 = lectures.publish(session, teacher, lecture)
    assert v1 is not None
    assert v1.number == 1
    assert lectures.publish(session, teacher, lecture) is None  # unchanged: no new version
    edited = lectures.Draft("Góc", "Dòng một\nDòng hai đã sửa\nDòng ba\n", True, None)
    lectures.save_draft(session, teacher, lecture, edited, base_revision=lecture.draft_revision)
    v2 = lectures.publish(session, teacher, lecture)
    assert v2 is not None
    assert v2.number == 2
    assert v1.source == "Dòng một\nDòng hai\n"  # the old version is immutable
    kinds = [(line.kind, line.text) for line in diffing.diff(v1.source, v2.source)]
    assert ("removed", "Dòng hai") in kinds
    assert ("added", "Dòng hai đã sửa") in kinds
    assert ("added", "Dòng ba") in kinds
    lectures.restore_as_draft(session, teacher, lecture, 1)
    assert lecture.draft_source == v1.source
    assert lecture.published_version_id == v2.id  # students still see version 2
    actions = [e.action for e in _audit(session, course)]
    assert actions.count("publish") == 2


def test_preview_is_sanitized_like_the_published_page(
    session: Session, teacher: User, course: Course
) -> None:
    lecture = courses.create_lecture(session, teacher, course.sections[0], "Xem trước")
    html = lectures.preview(session, lecture, "<script>alert(1)</script>\n\n$x^2$").html
    assert "<script>" not in html
    assert "<math" in html


def test_structure_reordering_and_section_rules(
    session: Session, teacher: User, course: Course
) -> None:
    first = course.sections[0]
    a = courses.create_lecture(session, teacher, first, "A")
    b = courses.create_lecture(session, teacher, first, "B")
    courses.move_item(session, teacher, b, -1)
    order = [i.title for i in queries.section_items(session, first.id)]
    assert order == ["B", "A"]
    second = courses.add_section(session, teacher, course, "Chương 2")
    courses.move_item(session, teacher, a, 0, second)
    assert [i.title for i in queries.section_items(session, second.id)] == ["A"]
    with pytest.raises(Conflict):
        courses.delete_section(session, teacher, first)  # still holds B
    courses.move_section(session, teacher, second, -1)
    session.refresh(course)
    assert [s.title for s in course.sections] == ["Chương 2", course.sections[1].title]


def test_publishing_a_course_needs_a_published_lecture(
    session: Session, teacher: User, course: Course
) -> None:
    with pytest.raises(Conflict):
        courses.set_published(session, teacher, course, True)
    lecture = courses.create_lecture(session, teacher, course.sections[0], "Mở đầu")
    lectures.save_draft(
        session,
        teacher,
        lecture,
        lectures.Draft("Mở đầu", "Chào các em.", True, 5),
        base_revision=lecture.draft_revision,
    )
    lectures.publish(session, teacher, lecture)
    courses.set_published(session, teacher, course, True)
    session.flush()
    assert course in published_courses(session, CourseFilter(q="hinh hoc lop 7")).items
    courses.set_published(session, teacher, course, False)
    session.flush()
    assert course not in published_courses(session, CourseFilter(q="hinh hoc lop 7")).items


@pytest.fixture
def english() -> Iterator[None]:
    """Services speak the default language (Vietnamese) outside a request; these read English."""
    with force_locale("en"):
        yield


def test_quiz_builder_validates_every_question_type(
    session: Session, teacher: User, course: Course, english: None
) -> None:
    quiz = quizzes.create_quiz(
        session,
        teacher,
        course.sections[0],
        quizzes.QuizSettings("Kiểm tra", 60, 1, True, 3, "best", None),
    )
    draft = quizzes.QuestionDraft
    with pytest.raises(Invalid, match="exactly one correct"):
        quizzes.add_question(
            session,
            teacher,
            quiz,
            draft("single", "Chọn", "", 1, {"options": options.parse_options("* a\n* b\nc")}),
        )
    with pytest.raises(Invalid, match="tolerance"):
        quizzes.add_question(
            session,
            teacher,
            quiz,
            draft("numeric", "Bao nhiêu?", "", 1, {"answer": 3, "tolerance": -1}),
        )
    with pytest.raises(Invalid, match="accepted answer"):
        quizzes.add_question(
            session, teacher, quiz, draft("text", "Thủ đô?", "", 1, {"answers": []})
        )
    revision = quiz.revision
    question = quizzes.add_question(
        session,
        teacher,
        quiz,
        draft(
            "multiple",
            "Số chẵn?",
            "2 và 4",
            2,
            {
                "options": options.parse_options("* 2\n3\n* 4"),
                "partial_credit": True,
            },
        ),
    )
    assert question.kind == QuestionKind.MULTIPLE
    assert question.data["options"][0] == {"text": "2", "correct": True}
    assert quiz.revision == revision + 1
    assert options.format_options(question.data["options"]) == "* 2\n3\n* 4"


def test_an_edit_that_changes_nothing_leaves_no_revision_and_no_entry(
    session: Session, teacher: User, course: Course
) -> None:
    settings = quizzes.QuizSettings("Kiểm tra", 60, 1, True, 3, "best", None)
    quiz = quizzes.create_quiz(session, teacher, course.sections[0], settings)
    revision, logged = quiz.revision, len(_audit(session, course))
    quizzes.update_quiz(session, teacher, quiz, settings)
    assert (quiz.revision, len(_audit(session, course))) == (revision, logged)
    quizzes.update_quiz(session, teacher, quiz, dataclasses.replace(settings, pass_mark=70))
    session.flush()
    assert quiz.revision == revision + 1
    entry = _audit(session, course)[-1]
    assert (entry.action, entry.object_type, entry.object_id) == ("edit", "quiz", quiz.id)
    assert entry.details["version"] == quiz.revision
    assert (entry.details["before"]["pass_mark"], entry.details["after"]["pass_mark"]) == (60, 70)
    assert entry.before_hash != entry.after_hash


def test_deleting_a_studied_lecture_retires_it(session: Session, teacher: User) -> None:
    seed = session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()
    assign_teacher(session, seed, teacher.id)
    student = make_user(session)
    learning.enrol(session, student, seed)
    lecture = session.scalars(select(Lecture).where(Lecture.course_id == seed.id)).first()
    assert lecture is not None
    learning.record_view(session, student, lecture)
    session.flush()
    section = lecture.section_id
    assert courses.delete_lecture(session, teacher, lecture) == "retired"
    assert session.get(Lecture, lecture.id) is lecture
    assert lecture.retired_at is not None and lecture.section_id is None
    # The lectures left behind are numbered 1…n again.
    positions = [item.position for item in queries.section_items(session, section or 0)]
    assert positions == list(range(1, len(positions) + 1))
    with pytest.raises(Conflict):  # a retired item only moves back into a section
        courses.move_item(session, teacher, lecture, -1)


def test_quiz_builder_refuses_typed_tone_marks_in_a_grade_1_course(
    session: Session, teacher: User, english: None
) -> None:
    young = courses.create_course(
        session, teacher, _school(session), "tieng-viet-1b", _settings(grade=1)
    )
    quiz = quizzes.create_quiz(
        session,
        teacher,
        young.sections[0],
        quizzes.QuizSettings("Ôn tập", 50, 1, True, None, "best", None),
    )
    draft = quizzes.QuestionDraft
    with pytest.raises(Invalid, match="not asked to type tone marks") as refused:
        quizzes.add_question(
            session,
            teacher,
            quiz,
            draft("text", "Ghép m + a + thanh nặng", "", 1, {"answers": ["mạ"]}),
        )
    assert "“mạ”" in refused.value.message
    # Choices, answers without marks, or answers that ignore diacritics are fine.
    quizzes.add_question(
        session, teacher, quiz, draft("text", "Vần của “bàn”?", "", 1, {"answers": ["an"]})
    )
    lenient = {"answers": ["mạ"], "ignore_diacritics": True}
    quizzes.add_question(session, teacher, quiz, draft("text", "Tiếng?", "", 1, lenient))
    # A grade 7 course may ask for typed tone marks.
    older = quizzes.create_quiz(
        session,
        teacher,
        _course_of_grade_7(session, teacher).sections[0],
        quizzes.QuizSettings("Kiểm tra", 50, 1, True, None, "best", None),
    )
    quizzes.add_question(session, teacher, older, draft("text", "Từ?", "", 1, {"answers": ["mạ"]}))


def _course_of_grade_7(session: Session, teacher: User) -> Course:
    return courses.create_course(session, teacher, _school(session), "hinh-hoc-7b", _settings())


def test_university_credits_stop_at_one_year_of_study() -> None:
    university = {"level": "university", "grade": None, "code": "MATH101", "workload_hours": 120}
    courses.validate_settings(_settings(**university, credits=Decimal(60)))
    with pytest.raises(Invalid, match="at most 60") as caught:
        courses.validate_settings(_settings(**university, credits=Decimal("60.5")))
    assert caught.value.field == "credits"
