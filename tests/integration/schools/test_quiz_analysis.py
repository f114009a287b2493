"""Item analysis of an assigned quiz (page, charts, CSV) and the pupil's progress report for
parents (teachers' copy, the pupil's own at /my/report, in the school's language)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.schools.models import AssignmentKind
from tests.factories import PASSWORD
from tests.helpers import login
from tests.integration.schools.report_setup import (
    Classroom,
    add_pupil,
    assign,
    make_classroom,
    study,
    take_quiz,
)


def _analysed(session: Session) -> tuple[Classroom, int]:
    """Six pupils; the quiz's second question (single choice) answered wrong by the weaker three,
    two of them picking the same wrong option."""
    room = make_classroom(session)
    assignment = assign(session, room, AssignmentKind.QUIZ, due_at=utcnow() + dt.timedelta(days=7))
    questions = room.quiz.questions
    single = questions[1]
    wrong_index = next(i for i, o in enumerate(single.data["options"]) if not o["correct"])
    for n, name in enumerate(["Hà An", "Hà Bảo", "Hà Cúc", "Hà Dung", "Hà Em", "Hà Giang"]):
        pupil = add_pupil(session, room, name)
        right = len(questions) - n  # An gets every question right, Giang the fewest
        answers = {single.id: str(wrong_index if n != 5 else wrong_index + 1)}
        take_quiz(session, pupil, room.quiz, right=max(right, 1) if n < 3 else 1, answers=answers)
    add_pupil(session, room, "Hà Hương")  # has not taken it
    return room, assignment.id


def test_the_item_analysis_page_shows_shares_wrong_answers_discrimination_and_charts(
    client: FlaskClient, session: Session
) -> None:
    room, assignment_id = _analysed(session)
    login(client, room.teacher.email or "", PASSWORD)
    url = f"/classes/{room.school_class.id}/report/quizzes/{assignment_id}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "6 of 7 pupils" in html
    assert "upper–lower index" in html  # the page says which discrimination it uses
    assert html.count("<svg") == 2 and "<desc" in html  # score distribution, share correct
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")[:-1]
    assert len(rows) == len(room.quiz.questions)
    second = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[1]))
    assert "6 of 6" in second  # everyone answered it
    assert "50%" in second  # the top three right, the bottom three wrong
    assert "chosen by 2 pupils" in second
    # The teacher reaches it from the class report's column heading.
    report = client.get(f"/classes/{room.school_class.id}/report").get_data(as_text=True)
    assert f'href="{url}"' in report


def test_the_item_analysis_csv(client: FlaskClient, session: Session) -> None:
    room, assignment_id = _analysed(session)
    login(client, room.teacher.email or "", PASSWORD)
    response = client.get(f"/classes/{room.school_class.id}/report/quizzes/{assignment_id}.csv")
    assert response.status_code == 200 and response.get_data().startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[0] == "number" and "discrimination_upper_lower" in header
    second = dict(zip(header, rows[1], strict=True))
    assert (second["drew"], second["correct"], second["share_correct"]) == ("6", "3", "0.5")
    assert second["most_chosen_wrong_count"] == "2"
    assert second["discrimination_upper_lower"] == "1.0"


def test_only_assigned_quizzes_of_this_class_are_analysed(
    client: FlaskClient, session: Session
) -> None:
    room, assignment_id = _analysed(session)
    lectures = assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:1])
    other = make_classroom(session, name="6A9")
    other_quiz = assign(session, other, AssignmentKind.QUIZ)
    withdrawn = assign(session, room, AssignmentKind.QUIZ)
    withdrawn.withdrawn_at = utcnow()
    session.flush()
    login(client, room.teacher.email or "", PASSWORD)
    base = f"/classes/{room.school_class.id}/report/quizzes"
    for target in (lectures.id, other_quiz.id, withdrawn.id, 999999):
        assert client.get(f"{base}/{target}").status_code == 404
    # Another class's teacher cannot read this class's analysis by changing the class id either.
    with client.session_transaction() as cookie:
        cookie.clear()
    login(client, other.teacher.email or "", PASSWORD)
    assert client.get(f"{base}/{assignment_id}").status_code == 404
    assert client.get(f"{base}/{assignment_id}.csv").status_code == 404


def test_the_parents_report_lists_the_pupils_work_in_the_school_language(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = add_pupil(session, room, "Đặng Thu Trang")
    add_pupil(session, room, "Đặng Văn Khác")
    assign(session, room, AssignmentKind.QUIZ, due_at=utcnow() - dt.timedelta(days=1))
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2])
    take_quiz(session, pupil, room.quiz, at=utcnow() - dt.timedelta(days=2))
    study(session, pupil, room.lectures[:1])
    login(client, room.teacher.email or "", PASSWORD)  # the teacher reads English pages
    page = client.get(f"/classes/{room.school_class.id}/pupils/{pupil.id}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html  # written for the family, in the school's language
    assert "Đặng Thu Trang" in html and "Đặng Văn Khác" not in html
    assert room.teacher.name in html and room.school_class.name in html
    assert room.quiz.title in html and "100%" in html
    assert "1/2 bài giảng" in html and "Trễ hạn" not in html.split("<tbody>")[1].split("</tr>")[0]
    # The pupil opens their own; another pupil's id in the teachers' URL is refused.
    with client.session_transaction() as cookie:
        cookie.clear()
    login(client, pupil.email or "", PASSWORD)
    mine = client.get("/my/report")
    assert mine.status_code == 200 and "Đặng Thu Trang" in mine.get_data(as_text=True)
    assert (
        client.get(f"/classes/{room.school_class.id}/pupils/{pupil.id}/report").status_code == 404
    )


def test_a_pupil_outside_the_class_has_no_report_here(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    other = make_classroom(session, name="7A1")
    stranger = add_pupil(session, other, "Ngô Lạ")
    login(client, room.teacher.email or "", PASSWORD)
    assert (
        client.get(f"/classes/{room.school_class.id}/pupils/{stranger.id}/report").status_code
        == 404
    )
    with client.session_transaction() as cookie:
        cookie.clear()
    login(client, room.teacher.email or "", PASSWORD)
    mine = client.get("/my/report")  # the teacher is no pupil: a report of nothing, not an error
    assert mine.status_code == 200 and "chưa là học sinh của lớp nào" in mine.get_data(as_text=True)
