"""Roster import against a real database: OneRoster 1.1 and 1.2, the spreadsheet, re-imports,
changes, disabling, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Membership, Role, User
from mooc.accounts.passwords import verify_password
from mooc.schools.core.records import RosterInvalid
from mooc.schools.models import ClassMember, ClassRole, RosterImport, RosterPerson, SchoolClass
from mooc.schools.services.rosters import files_at, import_roster, read_roster, school_year_for

DATA = Path(__file__).resolve().parents[2] / "data" / "oneroster"
TODAY = dt.date(2026, 10, 1)


def run(session: Session, school: Institution, path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    name, files = files_at(path)
    read = read_roster(name, files, school_year_for(session, school, TODAY))
    plan, _ = import_roster(session, school, read, by=None, **kwargs)  # type: ignore[arg-type]
    session.flush()
    return plan


def user(session: Session, school: Institution, source_id: str) -> User:
    return session.scalars(
        select(User)
        .join(RosterPerson, RosterPerson.user_id == User.id)
        .where(RosterPerson.institution_id == school.id, RosterPerson.source_id == source_id)
    ).one()


def pupils_of(session: Session, school: Institution, class_name: str) -> set[str]:
    return set(
        session.scalars(
            select(User.name)
            .join(ClassMember, ClassMember.user_id == User.id)
            .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
            .where(
                SchoolClass.institution_id == school.id,
                SchoolClass.name == class_name,
                ClassMember.role == "pupil",
                ClassMember.ended_at.is_(None),
            )
        )
    )


@pytest.fixture
def v11(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / "v1.1", tmp_path / "v1.1"))


def test_oneroster_11_creates_people_classes_and_usernames(
    session: Session, school: Institution
) -> None:
    plan = run(session, school, DATA / "v1.1")
    assert plan.counts()["people_created"] == 5
    assert plan.counts()["skipped"] == 1  # the parent
    assert pupils_of(session, school, "6A1") == {
        "Trần Đức Minh",
        "Nguyễn Thị Lan",
        "Nguyễn Ngọc Lan",
    }
    assert user(session, school, "u-hs-01").username == "minh.tran.6a1"
    assert user(session, school, "u-hs-03").username == "lan.nguyen2.6a1"
    assert user(session, school, "u-hs-01").birth_date == dt.date(2015, 3, 14)
    assert user(session, school, "u-hs-01").data_saver is True  # a column's default, COPY or not
    khoa = user(session, school, "u-hs-04")
    assert khoa.username == "khoa.le" and khoa.must_change_password
    assert verify_password(khoa.password_hash, "mat-khau-cua-khoa")
    assert not verify_password(user(session, school, "u-hs-02").password_hash, "")
    teacher = user(session, school, "u-gv-01")
    assert teacher.email == "hang.pham@thcs-thu-nghiem.test"
    assert teacher.has_role("teacher", school.id)  # type: ignore[arg-type]


def test_reimport_changes_nothing(session: Session, school: Institution) -> None:
    run(session, school, DATA / "v1.1")
    again = run(session, school, DATA / "v1.1")
    assert again.changes_nothing
    assert (
        session.scalar(
            select(func.count())
            .select_from(RosterImport)
            .where(RosterImport.institution_id == school.id)
        )
        == 2
    )


def test_rows_of_one_import_carry_its_time_and_read_back_typed(
    session: Session, school: Institution
) -> None:
    before = dt.datetime.now(dt.UTC)
    run(session, school, DATA / "v1.1")
    session.expire_all()
    places = session.scalars(
        select(ClassMember)
        .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
        .where(SchoolClass.institution_id == school.id)
    ).all()
    links = session.scalars(
        select(RosterPerson).where(RosterPerson.institution_id == school.id)
    ).all()
    roles = session.scalars(select(Membership).where(Membership.institution_id == school.id)).all()
    assert len(places) == 6 and len(links) == 5 and len(roles) == 5
    assert {m.role for m in places} == {ClassRole.PUPIL, ClassRole.TEACHER}
    assert {m.role for m in roles} == {Role.STUDENT, Role.TEACHER}
    accounts = [user(session, school, link.source_id) for link in links]
    assert all(a.is_active and a.must_change_password and a.locale == "vi" for a in accounts)
    times = {row.created_at for row in [*places, *links, *roles, *accounts]}
    assert len(times) == 1  # one import, one time
    (created,) = times
    assert before <= created <= dt.datetime.now(dt.UTC)


def test_dry_run_writes_nothing(session: Session, school: Institution) -> None:
    plan = run(session, school, DATA / "v1.1", dry_run=True)
    assert plan.counts()["people_created"] == 5
    assert (
        session.scalar(
            select(func.count())
            .select_from(RosterPerson)
            .where(RosterPerson.institution_id == school.id)
        )
        == 0
    )


def test_changed_file_updates_names_classes_and_disables(
    session: Session, school: Institution, v11: Path
) -> None:
    run(session, school, v11)
    users = (v11 / "users.csv").read_text()
    users = users.replace("Minh,Trần,Đức", "Minh,Trần,Quang").replace(
        "u-hs-02,,,true", "u-hs-02,tobedeleted,,true"
    )
    (v11 / "users.csv").write_text(users)
    enrol = (v11 / "enrollments.csv").read_text().replace("e-03,,,cls-6a1", "e-03,,,cls-7b2")
    (v11 / "enrollments.csv").write_text(enrol)
    plan = run(session, school, v11)
    counts = plan.counts()
    assert counts["people_changed"] == 1 and counts["people_disabled"] == 1
    assert user(session, school, "u-hs-01").name == "Trần Quang Minh"
    lan = user(session, school, "u-hs-02")
    assert lan.is_active is False  # disabled, never deleted
    assert pupils_of(session, school, "7B2") == {"Lê Đăng Khoa", "Nguyễn Ngọc Lan"}
    assert "Nguyễn Ngọc Lan" not in pupils_of(session, school, "6A1")


def test_a_disabled_class_renamed_in_a_later_file_stays_disabled(
    session: Session, school: Institution, v11: Path
) -> None:
    run(session, school, v11)
    classes = (v11 / "classes.csv").read_text()
    (v11 / "classes.csv").write_text(classes.replace("cls-7b2,,", "cls-7b2,tobedeleted,"))
    run(session, school, v11)
    seven = session.scalars(select(SchoolClass).where(SchoolClass.source_id == "cls-7b2")).one()
    disabled_on = seven.disabled_at
    assert disabled_on is not None
    renamed = classes.replace("cls-7b2,,,Lớp 7B2,07", "cls-7b2,tobedeleted,,Lớp 7B3,07")
    (v11 / "classes.csv").write_text(renamed.replace(",7B2,", ",7B3,"))
    run(session, school, v11)
    session.refresh(seven)
    assert seven.disabled_at == disabled_on  # still disabled, since the first day it was


def test_oneroster_12_roles_and_profiles(session: Session, school: Institution) -> None:
    plan = run(session, school, DATA / "v1.2")
    assert plan.counts()["people_created"] == 3
    assert pupils_of(session, school, "2A") == {"Vũ Tiến Đạt", "Hoàng Ngọc Ánh"}
    assert user(session, school, "p-1").username == "dat.vu.2a"
    assert verify_password(user(session, school, "p-2").password_hash, "hoc-tap-2026")


def test_a_zip_imports_like_a_folder(session: Session, school: Institution, tmp_path: Path) -> None:
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in (DATA / "v1.2").iterdir():
            zf.write(file, f"export/{file.name}")
    assert run(session, school, archive).counts()["classes_created"] == 1


def test_generated_usernames_avoid_existing_accounts(session: Session, school: Institution) -> None:
    from tests.factories import make_user

    taken = make_user(session)
    taken.username = "minh.tran.6a1"
    session.flush()
    run(session, school, DATA / "v1.1")
    assert user(session, school, "u-hs-01").username == "minh.tran2.6a1"


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (
            "enrollments.csv",
            ("cls-6a1,org-bd,u-hs-01", "cls-9z9,org-bd,u-hs-01"),
            "enrollments.csv:2 (classSourcedId)",
        ),
        ("users.csv", ("u-hs-02,", "u-hs-01,"), "users.csv:3 (sourcedId)"),
        (
            "academicSessions.csv",
            ("2026-09-05,2027-05-31", "2026-13-05,2027-05-31"),
            "academicSessions.csv:2 (startDate)",
        ),
        ("users.csv", ("sourcedId,status", "sourceId,status"), "users.csv:1 (sourcedId)"),
        ("users.csv", (",khoa.le,", ",minh.tran.6a1,"), None),
        ("users.csv", ("u-hs-03,,,true", 'u-hs-03,,,"true'), "users.csv"),
    ],
)
def test_bad_files_change_nothing(
    session: Session,
    school: Institution,
    v11: Path,
    file: str,
    edit: tuple[str, str],
    expected: str | None,
) -> None:
    path = v11 / file
    path.write_text(path.read_text().replace(*edit, 1))
    if expected is None:  # a username used twice: the error names both lines
        text = path.read_text().replace(",,,Minh,", ",minh.tran.6a1,,Minh,", 1)
        path.write_text(text)
        expected = "users.csv:5 (username)"
    with pytest.raises(RosterInvalid) as caught:
        run(session, school, v11)
    assert expected in str(caught.value)
    assert (
        session.scalar(
            select(func.count())
            .select_from(RosterPerson)
            .where(RosterPerson.institution_id == school.id)
        )
        == 0
    )


def test_wrong_encoding_is_refused_with_a_hint(
    session: Session, school: Institution, v11: Path
) -> None:
    path = v11 / "users.csv"
    path.write_bytes(path.read_text().encode("cp1258", errors="replace"))
    with pytest.raises(RosterInvalid, match="UTF-8"):
        run(session, school, v11)


def test_utf8_with_bom_is_read(session: Session, school: Institution, v11: Path) -> None:
    path = v11 / "users.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run(session, school, v11).counts()["people_created"] == 5


SHEET = (
    "Họ và tên,Ngày sinh,Lớp,Mã định danh,Email/Tên đăng nhập\n"
    "Nguyễn Văn An,05/09/2014,6a1,001214000001,\n"
    "Đỗ Thị Bích,17/02/2014,6A1,001214000002,bich.do@example.test\n"
    "Phan Minh Quân,01/01/2014,6A2,001214000003,quan.phan\n"
)


def test_spreadsheet_csv_then_a_pupil_leaves_the_class(
    session: Session, school: Institution, tmp_path: Path
) -> None:
    sheet = tmp_path / "lop6.csv"
    sheet.write_text(SHEET)
    plan = run(session, school, sheet)
    assert plan.counts()["classes_created"] == 2
    assert user(session, school, "001214000001").username == "an.nguyen.6a1"
    assert (
        session.scalar(
            select(SchoolClass.grade).where(
                SchoolClass.institution_id == school.id, SchoolClass.name == "6A1"
            )
        )
        == 6
    )
    sheet.write_text("\n".join(SHEET.splitlines()[:3]) + "\n")  # Quân no longer listed
    again = run(session, school, sheet)
    assert again.counts()["memberships_ended"] == 0  # 6A2 is not in this sheet: untouched
    sheet.write_text(
        SHEET.replace("Phan Minh Quân,01/01/2014,6A2", "Phan Minh Quân,01/01/2014,6A1")
    )
    moved = run(session, school, sheet)
    assert pupils_of(session, school, "6A1") == {"Nguyễn Văn An", "Đỗ Thị Bích", "Phan Minh Quân"}
    assert moved.counts()["memberships_ended"] == 1  # left 6A2
    assert user(session, school, "001214000003").is_active


def test_spreadsheet_xlsx(session: Session, school: Institution, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Ngày sinh", "Lớp", "Mã định danh", "Email/Tên đăng nhập"])
    sheet.append(["Lê Thị Hoa", dt.datetime(2015, 4, 30), "2B", "HS-9", None])
    path = tmp_path / "lop2.xlsx"
    book.save(path)
    run(session, school, path)
    hoa = user(session, school, "HS-9")
    assert (hoa.username, hoa.birth_date) == ("hoa.le.2b", dt.date(2015, 4, 30))


def test_spreadsheet_bad_date_and_missing_column(
    session: Session, school: Institution, tmp_path: Path
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(SHEET.replace("05/09/2014", "31/02/2014"))
    with pytest.raises(RosterInvalid, match=r"bad.csv:2 \(Ngày sinh\)"):
        run(session, school, sheet)
    sheet.write_text("Họ và tên,Lớp\nAn,6A1\n")
    with pytest.raises(RosterInvalid, match="Mã định danh"):
        run(session, school, sheet)


def test_not_a_roster(session: Session, school: Institution, tmp_path: Path) -> None:
    bad = tmp_path / "notes.zip"
    bad.write_bytes(io.BytesIO(b"PK not really").getvalue())
    with pytest.raises(RosterInvalid, match="zip"):
        run(session, school, bad)
