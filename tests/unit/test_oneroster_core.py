"""Reading OneRoster users: roles, names, usernames that are addresses, refused usernames."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.schools.core.oneroster import parse_oneroster
from mooc.schools.core.records import PersonRole, RosterInvalid

V11 = Path(__file__).resolve().parents[1] / "data" / "oneroster" / "v1.1"
USERS = "sourcedId,status,enabledUser,role,username,givenName,familyName,email,password\n"


def files(users: str) -> dict[str, bytes]:
    """The v1.1 sample with these users and no enrolments."""
    sample = {path.name: path.read_bytes() for path in V11.glob("*.csv")}
    enrollments = sample["enrollments.csv"].split(b"\n", 1)[0] + b"\n"
    return {**sample, "users.csv": (USERS + users).encode(), "enrollments.csv": enrollments}


def test_roles_are_read_without_case() -> None:
    """Some exports write `Student` or ` TEACHER `; they are pupils and teachers, not skipped."""
    parsed = parse_oneroster(
        files(
            "u-1,,true,Student,,An,Lê,,\n"
            "u-2,,true, TEACHER ,,Hằng,Phạm,,\n"
            "u-3,,true,Parent,,Cha,Lê,,\n"
        )
    )
    roles = {p.source_id: p.role for p in parsed.roster.people}
    assert roles == {"u-1": PersonRole.PUPIL, "u-2": PersonRole.TEACHER}
    assert parsed.skipped_people == 1


def test_users_become_pupils_and_teachers_and_other_roles_are_counted() -> None:
    parsed = parse_oneroster(
        files(
            "u-1,,true,student,An.Le@School.test,An,Lê,,\n"
            "u-2,,true,student,Binh.Tran,Bình,Trần,B@School.test,mk-2\n"
            "u-3,,true,guardian,,Cha,Trần,,\n"
            "u-4,,false,teacher,,,Hằng,,\n"
        )
    )
    people = {p.source_id: p for p in parsed.roster.people}
    assert parsed.skipped_people == 1 and set(people) == {"u-1", "u-2", "u-4"}
    # A username that is an address is the email.
    assert (people["u-1"].username, people["u-1"].email) == (None, "an.le@school.test")
    assert (people["u-2"].username, people["u-2"].email) == ("binh.tran", "b@school.test")
    assert people["u-2"].password == "mk-2" and people["u-2"].role == PersonRole.PUPIL
    teacher = people["u-4"]
    assert (teacher.given_name, teacher.family_name) == ("Hằng", "")
    assert teacher.role == PersonRole.TEACHER
    assert not teacher.active


def test_refused_usernames_and_nameless_people_are_all_reported() -> None:
    with pytest.raises(RosterInvalid) as caught:
        parse_oneroster(
            files(
                "u-1,,true,student,an le,An,Lê,,\n"
                "u-2,,true,student,,,,,\n"
                "u-3,,true,student,binh,Bình,Trần,,\n"
                "u-4,,true,teacher,BINH,Bình,Lê,,\n"
            )
        )
    issues = caught.value.issues
    assert [(i.line, i.column) for i in issues] == [
        (2, "username"),
        (3, "givenName"),
        (5, "username"),
    ]
    assert issues[2].params == {"value": "binh", "other": 4}
