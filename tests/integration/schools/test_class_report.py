"""The class report: pupils × assigned items with done, score, attempts and late marks; averages;
the CSV; who may open it (teachers of the class, school staff, admins — nobody else, no IDOR);
and a fixed number of queries however large the class."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.authoring.services.scorm import add_scorm_lecture
from mooc.catalog.services import assign_teacher
from mooc.db import utcnow
from mooc.extensions import db
from mooc.schools.models import AssignmentKind, ClassMember, ClassRole
from mooc.scorm import queries
from mooc.scorm import services as scorm_services
from mooc.scorm.core.archive import Limits
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.integration.schools.report_setup import (
    Classroom,
    add_pupil,
    assign,
    make_classroom,
    study,
    take_quiz,
)
from tests.scorm_packages import build_package

NOW = utcnow()


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("</tr>")[:-1]
    ]


def _room(session: Session) -> Classroom:
    room = make_classroom(session)
    binh = add_pupil(session, room, "Nguyễn Thị Bình")
    an = add_pupil(session, room, "Trần Văn An")
    add_pupil(session, room, "Lê Minh Châu")
    assign(session, room, AssignmentKind.QUIZ, due_at=NOW - dt.timedelta(days=1))
    assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2])
    take_quiz(session, an, room.quiz, right=None, at=NOW - dt.timedelta(days=2))  # on time, 100
    take_quiz(session, binh, room.quiz, right=0, at=NOW - dt.timedelta(hours=3))  # late, 0
    take_quiz(session, binh, room.quiz, right=1, at=NOW - dt.timedelta(hours=2))
    study(session, an, room.lectures[:1])
    study(session, binh, room.lectures[:2])
    return room


def test_the_teacher_sees_pupils_by_given_name_with_done_scores_attempts_and_late(
    client: FlaskClient, session: Session
) -> None:
    room = _room(session)
    login(client, room.teacher.email or "", PASSWORD)
    page = client.get(f"/classes/{room.school_class.id}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _rows(html)
    # Vietnamese order: by the given name (An, Bình, Châu), not the family name.
    assert [r.split(" ")[0:3] for r in rows] == [
        ["Trần", "Văn", "An"],
        ["Nguyễn", "Thị", "Bình"],
        ["Lê", "Minh", "Châu"],
    ]
    an, binh, chau = rows
    assert an == "Trần Văn An ✓ Done 100% ×1 attempts 1/2 1/2 · 100%"  # 1 of 2 lectures
    # Two attempts, the first after the due time (done late, not late); both lectures done, so
    # that item is done too.
    assert binh == ("Nguyễn Thị Bình ✓ Done 8% ×2 attempts Done late ✓ Done 2/2 · 8%")
    assert chau == "Lê Minh Châu — Not done Late 0/2 0/2"
    foot = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<tfoot>", 1)[1]))
    # The quiz: 2 of 3 done, mean of 100 and 8.33; one done late, one late and not done.
    assg = "Class 2/3 · 54% 1 done late 1 late 1/3"
    assert foot.strip().startswith(assg), foot


def test_late_marks_follow_the_due_time(client: FlaskClient, session: Session) -> None:
    room = make_classroom(session)
    early = add_pupil(session, room, "Phạm An")
    late = add_pupil(session, room, "Phạm Bảo")
    add_pupil(session, room, "Phạm Cúc")  # not done, and the due time passed
    due = NOW - dt.timedelta(days=1)
    assign(session, room, AssignmentKind.QUIZ, due_at=due)
    take_quiz(session, early, room.quiz, at=due - dt.timedelta(minutes=1))
    take_quiz(session, late, room.quiz, at=due + dt.timedelta(minutes=1))
    login(client, room.teacher.email or "", PASSWORD)
    rows = _rows(client.get(f"/classes/{room.school_class.id}/report").get_data(as_text=True))
    cells = [r.split(" ", 2)[2] for r in rows]
    assert ["Done late" in c for c in cells] == [False, True, False]
    assert ["Late" in c for c in cells] == [False, False, True]


def test_the_csv_is_excel_ready_and_formula_safe(client: FlaskClient, session: Session) -> None:
    room = _room(session)
    add_pupil(session, room, '=HYPERLINK("http://evil") Zed')
    login(client, room.teacher.email or "", PASSWORD)
    response = client.get(f"/classes/{room.school_class.id}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Vietnamese names as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, *rows, average = table
    assert header[:3] == ["pupil", "login", "left"]
    assert header[3].endswith(":done") and ":quiz:" in header[3]
    by_name = {r[0]: r for r in rows}
    assert by_name["Trần Văn An"][3:7] == ["yes", "100.0", "1", ""]
    assert header[6:8] == [header[3].replace(":done", ":late"), header[3] + "_late"]
    assert by_name["Nguyễn Thị Bình"][6:8] == ["", "yes"]  # done late, not late
    assert by_name["Lê Minh Châu"][6:8] == ["yes", ""]  # late: not done, past the due time
    assert '\'=HYPERLINK("http://evil") Zed' in by_name  # neutralised, never a formula
    assert average[0] == "class average" and average[3] == "2/4"


def test_only_the_class_teachers_school_staff_and_admins_open_it(
    client: FlaskClient, session: Session
) -> None:
    room = _room(session)
    other_room = make_classroom(session, name="6A2")
    url = f"/classes/{room.school_class.id}/report"
    urls = [
        url,
        url + ".csv",
        f"/classes/{room.school_class.id}/pupils/{room.pupils[0].id}/report",
    ]
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    colleague = make_user(session, (room.school_slug, Role.TEACHER))  # same school, not this class
    staff = make_user(session, (room.school_slug, Role.STAFF))
    other_staff = make_user(session, (other_room.school_slug, Role.STAFF))
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    for user, status in [
        (room.pupils[0], 404),
        (colleague, 404),
        (other_room.teacher, 404),
        (other_staff, 404),
        (staff, 200),
        (admin, 200),
        (room.teacher, 200),
    ]:
        client.post("/logout", data={})
        with client.session_transaction() as cookie:
            cookie.clear()
        login(client, user.email or "", PASSWORD)
        for target in urls:
            assert client.get(target).status_code == status, (user.name, target)
    # A subject teacher of the class opens it; once they left the class, no longer.
    subject = make_user(session, (room.school_slug, Role.TEACHER))
    member = ClassMember(
        class_id=room.school_class.id, user_id=subject.id, role=ClassRole.TEACHER, subject="Toán"
    )
    session.add(member)
    session.flush()
    with client.session_transaction() as cookie:
        cookie.clear()
    login(client, subject.email or "", PASSWORD)
    assert client.get(url).status_code == 200
    member.ended_at = NOW
    session.flush()
    assert client.get(url).status_code == 404
    assert client.get("/classes/999999/report").status_code == 404


def test_a_pupil_who_left_stays_listed_but_out_of_the_averages(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    stays = add_pupil(session, room, "Võ Hà")
    gone = add_pupil(session, room, "Võ Anh")
    assign(session, room, AssignmentKind.QUIZ)
    take_quiz(session, stays, room.quiz, right=0)
    take_quiz(session, gone, room.quiz)
    session.execute(
        ClassMember.__table__.update().where(ClassMember.user_id == gone.id).values(ended_at=NOW)
    )
    login(client, room.teacher.email or "", PASSWORD)
    html = client.get(f"/classes/{room.school_class.id}/report").get_data(as_text=True)
    rows = _rows(html)
    assert rows[0].startswith("Võ Hà") and rows[1].startswith("Võ Anh left the class")
    foot = re.sub(r"<[^>]+>", " ", html.split("<tfoot>", 1)[1])
    assert "1/1" in foot and "0%" in foot  # the class average is the pupil still in it


@contextmanager
def _counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_report_takes_the_same_number_of_queries_for_3_or_12_pupils(
    client: FlaskClient, session: Session
) -> None:
    counts = []
    for size in (3, 12):
        room = make_classroom(session, name=f"6B{size}")
        assign(session, room, AssignmentKind.QUIZ, due_at=NOW)
        assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2])
        assign(session, room, AssignmentKind.COURSE)
        for n in range(size):
            pupil = add_pupil(session, room, f"Học Sinh {n:02d}")
            take_quiz(session, pupil, room.quiz, right=n % 5)
            study(session, pupil, room.lectures[: n % 3])
        with client.session_transaction() as cookie:
            cookie.clear()
        login(client, room.teacher.email or "", PASSWORD)
        session.expire_all()
        with _counting(session) as statements:
            page = client.get(f"/classes/{room.school_class.id}/report")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('<th scope="row">') == size + 1
        counts.append(len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts


def test_a_lecture_assignment_with_a_scorm_lecture_shows_its_score(
    client: FlaskClient, session: Session
) -> None:
    """The SCORM lecture's score (the mean of the pupil's SCO scores) is the assignment's score,
    in the report and its averages; a pupil without a score has none."""
    room = make_classroom(session)
    assign_teacher(session, room.course, room.teacher.id)
    lecture = add_scorm_lecture(
        session,
        room.teacher,
        room.course.sections[0],
        build_package("2004", "Phân số", scos=[("a", "A"), ("b", "B")]),
        storage=client.application.extensions["mooc_storage"],
        limits=Limits(max_bytes=10 * 1024 * 1024),
    )
    package = queries.package_of(session, lecture.id)
    scored = add_pupil(session, room, "Trần Văn An")
    add_pupil(session, room, "Lê Minh Châu")
    assign(session, room, AssignmentKind.LECTURES, lectures=[room.lectures[0], lecture])
    study(session, scored, room.lectures[:1])
    for sco, raw in (("a", "80"), ("b", "60")):
        cmi = {"cmi": {"completion_status": "incomplete", "score": {"raw": raw}}}
        scorm_services.track(session, scored, package, sco, 1, cmi, base_url="http://mooc.test")
    session.commit()
    login(client, room.teacher.email or "", PASSWORD)
    html = client.get(f"/classes/{room.school_class.id}/report").get_data(as_text=True)
    an, chau = _rows(html)
    assert an == "Trần Văn An 1/2 70% 0/1 · 70%"
    assert chau == "Lê Minh Châu 0/2 0/1"
