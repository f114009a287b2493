"""Pure roster logic: usernames, the spreadsheet reader, and the import plan against a snapshot."""

from __future__ import annotations

import datetime as dt

import pytest

from mooc.schools.core.planning import ExistingPerson, Snapshot, plan_import
from mooc.schools.core.records import RosterInvalid, YearRecord
from mooc.schools.core.sheet import class_grade, parse_birth_date, parse_sheet
from mooc.schools.core.usernames import allocate, is_valid_username, username_parts

YEAR = YearRecord("", "2026–2027", dt.date(2026, 9, 5), dt.date(2027, 5, 31))
HEADER = "Họ và tên,Ngày sinh,Lớp,Mã định danh,Email/Tên đăng nhập\n"


def test_usernames_are_folded_readable_and_numbered_on_a_clash() -> None:
    assert username_parts("Đạt", "Vũ", "6A1") == ("dat.vu", ".6a1")
    assert allocate("Ánh", "Hoàng", "2A", set()) == "anh.hoang.2a"
    assert allocate("An", "Nguyễn", "6A1", {"an.nguyen.6a1", "an.nguyen2.6a1"}) == "an.nguyen3.6a1"
    assert allocate("Hằng", "Phạm", None, set()) == "hang.pham"
    assert is_valid_username("an.nguyen.6a1")
    assert not is_valid_username("an nguyen") and not is_valid_username("an@x.vn")


def test_sheet_headings_match_without_case_or_diacritics() -> None:
    text = "ho va ten,NGAY SINH,lop,Ma dinh danh,email\nTrần Văn Bình,5/9/2014,7c,A-1,\n"
    roster = parse_sheet("lop.csv", text.encode(), YEAR)
    (person,) = roster.people
    assert (person.name, person.given_name, person.family_name) == ("Trần Văn Bình", "Bình", "Trần")
    assert person.birth_date == dt.date(2014, 9, 5)
    assert roster.classes[0].name == "7C" and roster.classes[0].grade == 7


def test_sheet_duplicate_ids_and_usernames_name_both_lines() -> None:
    text = HEADER + "An,,6A1,1,an.x\nBình,,6A1,1,\nChi,,6A1,2,an.x\n"
    with pytest.raises(RosterInvalid) as caught:
        parse_sheet("lop.csv", text.encode(), YEAR)
    messages = [str(issue) for issue in caught.value.issues]
    assert any("lop.csv:3 (Mã định danh)" in m and "line 2" in m for m in messages)
    assert any("lop.csv:4 (Email/Tên đăng nhập)" in m and "line 2" in m for m in messages)


def test_sheet_reports_every_problem_of_a_row_and_leaves_the_row_out() -> None:
    text = HEADER + ",31/02/2014,6A1,1,an x\nChi,,6a1,2,Chi@Example.com\n"
    with pytest.raises(RosterInvalid) as caught:
        parse_sheet("lop.csv", text.encode(), YEAR)
    assert [(i.line, i.column) for i in caught.value.issues] == [
        (2, "Họ và tên"),
        (2, "Ngày sinh"),
        (2, "Email/Tên đăng nhập"),
    ]
    roster = parse_sheet("lop.csv", (HEADER + "Chi,,6a1,2,Chi@Example.com\n").encode(), YEAR)
    (person,) = roster.people
    assert (person.email, person.username, person.birth_date) == ("chi@example.com", None, None)
    assert [e.class_source_id for e in roster.enrollments] == ["6A1"]


def test_a_row_with_a_problem_still_takes_its_id_and_username() -> None:
    """Every repeat in the file is reported at once, even when the first row has another problem."""
    text = HEADER + "An,31/02/2014,6A1,1,an.x\nBình,,6A1,1,an.x\n"
    with pytest.raises(RosterInvalid) as caught:
        parse_sheet("lop.csv", text.encode(), YEAR)
    assert [(i.line, i.column) for i in caught.value.issues] == [
        (2, "Ngày sinh"),
        (3, "Mã định danh"),
        (3, "Email/Tên đăng nhập"),
    ]


def test_a_sheet_with_only_a_header_lists_nobody() -> None:
    with pytest.raises(RosterInvalid, match="lists nobody"):
        parse_sheet("lop.csv", HEADER.encode(), YEAR)


def test_grades_and_dates() -> None:
    assert class_grade("12A3") == 12 and class_grade("13A") is None and class_grade("A1") is None
    assert parse_birth_date("2014-02-17") == dt.date(2014, 2, 17)
    with pytest.raises(ValueError, match="day is out of range"):
        parse_birth_date("31/02/2014")


def test_a_second_plan_after_the_first_is_applied_is_empty() -> None:
    roster = parse_sheet("lop.csv", (HEADER + "Nguyễn Văn An,,6A1,1,\n").encode(), YEAR)
    first = plan_import(roster, Snapshot())
    assert first.counts()["people_created"] == 1
    assert first.new_people[0].username == "an.nguyen.6a1"
    known = ExistingPerson(7, "1", "Nguyễn Văn An", "an.nguyen.6a1", None, True, None)
    again = plan_import(roster, Snapshot(people={"1": known}))
    assert again.counts()["people_created"] == 0 and again.counts()["people_changed"] == 0


def test_a_username_owned_by_another_account_is_refused() -> None:
    roster = parse_sheet("lop.csv", (HEADER + "An,,6A1,1,an.x\n").encode(), YEAR)
    with pytest.raises(RosterInvalid, match="belongs to another account"):
        plan_import(roster, Snapshot(usernames={"an.x": 99}))
