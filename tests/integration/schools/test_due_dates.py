"""Due dates where the pupil studies: the course page (the course, and each assigned lecture and
quiz in its syllabus) and the lecture page show when the class's work is due, in the pupil's time
zone, and whether it is late or was done late; and "done late" in the to-do list and the class
report, told apart from done on time and from late and not done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.db import utcnow
from mooc.learning import services as learning
from mooc.learning.models import Completion
from mooc.schools.models import AssignmentKind, ClassMember, ClassRole
from tests.factories import PASSWORD, make_pupil, make_user
from tests.helpers import csrf_from, login
from tests.integration.schools.report_setup import (
    Classroom,
    add_pupil,
    assign,
    make_classroom,
    study,
    take_quiz,
)

VN_OFFSET = dt.timedelta(hours=7)  # Asia/Ho_Chi_Minh, the platform's default zone: no DST


def _sign_in(client: FlaskClient, session: Session, pupil: User) -> None:
    pupil.locale = "en"  # the tests read the English pages
    session.flush()
    token = csrf_from(client, "/login")
    login_name = pupil.email or pupil.username or ""
    signed_in = client.post(
        "/login", data={"login": login_name, "password": PASSWORD, "csrf_token": token}
    )
    client.get(signed_in.location).close()  # as a browser lands: the welcome is shown and gone


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _syllabus_items(html: str) -> dict[str, str]:
    """The course page's syllabus lines, by the title each one shows."""
    body = html.split('id="syllabus-heading"', 1)[1]
    found = {}
    for item in re.findall(r"<li class=\"item-[a-z]+\">(.*?)</li>", body, re.S):
        title = re.search(r"<(?:a|span) [^>]*lang=\"[a-z]+\">(.*?)</(?:a|span)>", item, re.S)
        assert title is not None
        found[_text(title.group(1))] = _text(item)
    return found


def _near_midnight_in_vietnam(days: int) -> dt.datetime:
    """00:30 in Vietnam `days` days from now: still the day before in UTC (17:30)."""
    day = (utcnow() + VN_OFFSET).date() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=dt.UTC) - VN_OFFSET


def _vn_day(moment: dt.datetime) -> str:
    local = moment + VN_OFFSET
    return f"{local:%b} {local.day}, {local.year}"


def _pupil(session: Session, room: Classroom, name: str = "Trần Văn An") -> User:
    return make_pupil(session, room.school_class, name, username="an.tran.6a1")


def test_the_lecture_page_shows_its_due_time_in_the_pupils_zone(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    due = _near_midnight_in_vietnam(3)
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2], due_at=due)
    learning.enrol(session, pupil, room.course)  # nothing done yet
    _sign_in(client, session, pupil)
    lecture = room.lectures[1]
    html = client.get(f"/courses/{room.course.slug}/lectures/{lecture.slug}").get_data(as_text=True)
    dues = _text(html.split('class="lecture-dues"', 1)[1].split("</ul>", 1)[0])
    assert "This lecture is assigned to your class." in dues
    # 00:30 in Hanoi is shown on the Vietnamese day, not on the UTC one, with the zone's label.
    assert f"Due {_vn_day(due)}" in dues and "12:30" in dues and "(GMT+07:00)" in dues
    assert _vn_day(due) != f"{due:%b} {due.day}, {due.year}"
    assert "Late" not in dues and "whole course" not in dues
    # A lecture not assigned shows no due time.
    other = client.get(f"/courses/{room.course.slug}/lectures/{room.lectures[2].slug}")
    assert "lecture-dues" not in other.get_data(as_text=True)


def test_the_lecture_page_says_late_then_done_late(client: FlaskClient, session: Session) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    due = utcnow() - dt.timedelta(hours=2)
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1], due_at=due)
    assign(session, room, AssignmentKind.COURSE, due_at=utcnow() + dt.timedelta(days=30))
    learning.enrol(session, pupil, room.course)
    _sign_in(client, session, pupil)
    url = f"/courses/{room.course.slug}/lectures/{room.lectures[0].slug}"
    first = client.get(url)
    dues = _text(first.get_data(as_text=True).split('class="lecture-dues"', 1)[1].split("</ul>")[0])
    assert "Late · was due" in dues
    assert "The whole course is assigned to your class. Due " in dues  # not late: a month left
    study(session, pupil, room.lectures[:1])  # finished now, two hours after the due time
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200  # the page changed: not a 304
    dues = _text(again.get_data(as_text=True).split('class="lecture-dues"', 1)[1].split("</ul>")[0])
    assert "✓ Done late · was due" in dues and "Late ·" not in dues


def test_a_new_assignment_changes_the_lecture_pages_validator(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    learning.enrol(session, pupil, room.course)
    _sign_in(client, session, pupil)
    url = f"/courses/{room.course.slug}/lectures/{room.lectures[0].slug}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1], due_at=utcnow())
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_course_page_marks_the_assigned_items_with_their_due_dates(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    lecture_due = _near_midnight_in_vietnam(2)
    quiz_due = utcnow() - dt.timedelta(days=1)
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1], due_at=lecture_due)
    assign(session, room, AssignmentKind.QUIZ, due_at=quiz_due)
    learning.enrol(session, pupil, room.course)
    _sign_in(client, session, pupil)
    html = client.get(f"/courses/{room.course.slug}").get_data(as_text=True)
    assert "Your class was assigned 2 items of this course" in _text(html)
    items = _syllabus_items(html)
    lecture_line = items[room.lectures[0].title]
    assert f"Assigned: Due {_vn_day(lecture_due)}" in lecture_line
    assert "(GMT+07:00)" in lecture_line
    assert "Assigned: Late · was due" in items[room.quiz.title]
    assigned = [title for title, line in items.items() if "Assigned:" in line]
    assert sorted(assigned) == sorted([room.lectures[0].title, room.quiz.title])


def test_the_course_page_shows_the_whole_course_due_and_a_later_class_wins(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    other = make_classroom(session, name="6A2")
    pupil = _pupil(session, room)
    session.add(ClassMember(class_id=other.school_class.id, user_id=pupil.id, role=ClassRole.PUPIL))
    early, late = utcnow() + dt.timedelta(days=2), utcnow() + dt.timedelta(days=9)
    assign(session, room, AssignmentKind.COURSE, due_at=early)
    assign(session, other, AssignmentKind.COURSE, due_at=late)
    learning.enrol(session, pupil, room.course)
    _sign_in(client, session, pupil)
    html = client.get(f"/courses/{room.course.slug}").get_data(as_text=True)
    found = re.search(r'<p class="course-due">(.*?)</p>', html, re.S)
    assert found is not None
    line = _text(found.group(1))
    assert line.startswith("Your class was assigned this course. Due ")
    assert _vn_day(late) in line and _vn_day(early) not in line


def test_pupils_in_no_class_and_visitors_see_nothing_new(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    assign(session, room, AssignmentKind.COURSE, due_at=utcnow() + dt.timedelta(days=2))
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1], due_at=utcnow())
    course_url = f"/courses/{room.course.slug}"
    lecture_url = f"{course_url}/lectures/{room.lectures[0].slug}"
    for html in (client.get(course_url).get_data(as_text=True),):
        assert "course-due" not in html and "Assigned:" not in html
    loner = make_user(session, name="Người học tự do")
    learning.enrol(session, loner, room.course)
    _sign_in(client, session, loner)
    for url in (course_url, lecture_url):
        html = client.get(url).get_data(as_text=True)
        assert "course-due" not in html and "Assigned:" not in html
        assert "lecture-dues" not in html


def test_the_todo_tells_done_late_from_done_and_from_late(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    past = utcnow() - dt.timedelta(days=1)
    quiz = assign(session, room, AssignmentKind.QUIZ, due_at=past)
    lectures = assign(
        session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2], due_at=past
    )
    course = assign(session, room, AssignmentKind.COURSE, due_at=past)
    # Quiz: the first attempt counts, submitted before the due time; the retry after it does not
    # make the work late.
    take_quiz(session, pupil, room.quiz, at=past - dt.timedelta(hours=1))
    take_quiz(session, pupil, room.quiz, at=past + dt.timedelta(hours=1))
    # Lectures: the last of them marked done (now), a day after the due time.
    study(session, pupil, room.lectures[:2])
    # Course: not completed, and the due time has passed.
    _sign_in(client, session, pupil)
    html = client.get("/my/todo").get_data(as_text=True)
    pending, _, done = html.partition('<details class="done-list">')
    by_item = {
        m.group(1): _text(m.group(2))
        for m in re.finditer(r'/my/assignments/(\d+)".*?<p class="when">(.*?)</p>', html, re.S)
    }
    assert by_item[str(quiz.id)].startswith("✓ Done · Due ")
    assert by_item[str(lectures.id)].startswith("✓ Done late · was due ")
    assert by_item[str(course.id)].startswith("Late · was due ")
    assert f"/my/assignments/{course.id}" in pending
    assert f"/my/assignments/{lectures.id}" in done and f"/my/assignments/{quiz.id}" in done
    assert "todo-done_late" in done
    panel = _text(client.get("/dashboard").get_data(as_text=True))
    assert "2 done (1 of them late)" in panel

    # Course: completed after the due time is done late too.
    session.add(
        Completion(
            user_id=pupil.id,
            course_id=room.course.id,
            final_grade=90.0,
            completed_at=past + dt.timedelta(minutes=1),
            lecture_versions=[],
            quiz_attempts=[],
            pass_mark=50,
        )
    )
    session.flush()
    html = client.get("/my/todo").get_data(as_text=True)
    found = re.search(rf'/my/assignments/{course.id}".*?<p class="when">(.*?)</p>', html, re.S)
    assert found and _text(found.group(1)).startswith("✓ Done late · was due ")


def test_the_class_report_counts_a_course_completed_late_as_done_late(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    on_time = add_pupil(session, room, "Phạm An")
    late = add_pupil(session, room, "Phạm Bảo")
    add_pupil(session, room, "Phạm Cúc")  # not done
    due = utcnow() - dt.timedelta(days=1)
    assign(session, room, AssignmentKind.COURSE, due_at=due)
    for pupil, at in ((on_time, due), (late, due + dt.timedelta(seconds=1))):
        session.add(
            Completion(
                user_id=pupil.id,
                course_id=room.course.id,
                final_grade=80.0,
                completed_at=at,
                lecture_versions=[],
                quiz_attempts=[],
                pass_mark=50,
            )
        )
    session.flush()
    login(client, room.teacher.email or "", PASSWORD)
    report = client.get(f"/classes/{room.school_class.id}/report.csv").get_data()
    header, *rows, average = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    late_col, done_late_col = (
        header.index(header[3][:-4] + "late"),
        header.index(header[3][:-4] + "done_late"),
    )
    marks = {r[0]: (r[late_col], r[done_late_col]) for r in rows}
    assert marks == {"Phạm An": ("", ""), "Phạm Bảo": ("", "yes"), "Phạm Cúc": ("yes", "")}
    assert header[-4:] == ["items_done", "items_late", "items_done_late", "average_score"]
    assert average[late_col] == "1" and average[done_late_col] == "1"
    page = _text(client.get(f"/classes/{room.school_class.id}/report").get_data(as_text=True))
    assert "1 done late 1 late" in page


def test_the_parents_report_counts_work_done_late_apart(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = add_pupil(session, room, "Phạm Bảo")
    due = utcnow() - dt.timedelta(days=1)
    assign(session, room, AssignmentKind.QUIZ, due_at=due)
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1], due_at=due)
    take_quiz(session, pupil, room.quiz, at=due + dt.timedelta(minutes=5))  # done late
    login(client, room.teacher.email or "", PASSWORD)
    page = client.get(f"/classes/{room.school_class.id}/pupils/{pupil.id}/report")
    assert page.status_code == 200
    # Written for the family, in the school's language (Vietnamese).
    text = _text(page.get_data(as_text=True))
    assert "Đã làm xong 1/2 việc được giao (1 việc xong sau hạn nộp)" in text
    assert "1 việc trễ hạn chưa làm xong" in text
    assert "Xong trễ hạn" in text and "Trễ hạn" in text


def test_the_quiz_page_says_due_then_late_then_done_late(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = _pupil(session, room)
    assignment = assign(session, room, AssignmentKind.QUIZ, due_at=utcnow() + dt.timedelta(days=2))
    learning.enrol(session, pupil, room.course)
    _sign_in(client, session, pupil)
    url = f"/courses/{room.course.slug}/quizzes/{room.quiz.slug}"

    def due_line() -> str:
        html = client.get(url).get_data(as_text=True)
        return _text(html.split('class="quiz-due">', 1)[1].split("</li>", 1)[0])

    ahead = due_line()
    assert ahead.startswith("This quiz is assigned to your class. Due ") and "Late" not in ahead
    assignment.due_at = utcnow() - dt.timedelta(hours=3)
    session.flush()
    assert "Late · was due" in due_line()
    take_quiz(session, pupil, room.quiz)  # submitted now, three hours after the due time
    assert "✓ Done late · was due" in due_line()
