"""The demo school's class: THCS Ba Đình, school year 2026–2027, class 6A1 (grade 6) with 30
pupils `hs.6a1.01` … `hs.6a1.30` (no email, password `demo-password`), `teacher@demo.test` as
homeroom teacher, and the school's staff account `school@demo.test`. Idempotent."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Membership, Role, User
from mooc.accounts.passwords import hash_password
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.demo.accounts import DEMO_PASSWORD
from mooc.schools.models import ClassMember, ClassRole, SchoolClass, SchoolYear

SCHOOL = "thcs-ba-dinh"
STAFF_EMAIL = "school@demo.test"
STAFF_NAME = "Vũ Thị Thanh Hương"
YEAR = ("2026–2027", dt.date(2026, 9, 5), dt.date(2027, 5, 31))
CLASS_NAME = "6A1"
PUPILS = (
    "Nguyễn Hoàng An",
    "Trần Ngọc Anh",
    "Lê Minh Châu",
    "Phạm Quốc Bảo",
    "Hoàng Thị Bích",
    "Vũ Đức Cường",
    "Đặng Thu Dung",
    "Bùi Tiến Dũng",
    "Đỗ Hải Đăng",
    "Hồ Thị Giang",
    "Ngô Gia Huy",
    "Dương Khánh Hà",
    "Lý Minh Hiếu",
    "Trịnh Thu Hiền",
    "Mai Xuân Hòa",
    "Đinh Ngọc Khánh",
    "Phan Đăng Khoa",
    "Tạ Thị Lan",
    "Lương Bảo Long",
    "Cao Thảo My",
    "Chu Văn Nam",
    "Vương Thị Ngân",
    "Kiều Minh Nhật",
    "Quách Yến Nhi",
    "Tô Hoàng Phúc",
    "Lâm Thị Quỳnh",
    "Hà Đức Sơn",
    "Thái Phương Thảo",
    "Khúc Anh Tuấn",
    "La Thị Vân",
)


def pupil_username(number: int) -> str:
    return f"hs.6a1.{number:02d}"


def load_demo_school(session: Session) -> list[str]:
    """Create what is missing; returns what it created (for the command's report)."""
    school = get_institution(session, SCHOOL)
    created: list[str] = []
    staff = session.scalar(select(User).where(User.email == STAFF_EMAIL))
    if staff is None:
        staff = register(
            session, email=STAFF_EMAIL, password=DEMO_PASSWORD, name=STAFF_NAME, locale="vi"
        )
        created.append(STAFF_EMAIL)
    grant_role(session, staff, school, Role.STAFF)
    name, starts_on, ends_on = YEAR
    year = session.scalar(
        select(SchoolYear).where(SchoolYear.institution_id == school.id, SchoolYear.name == name)
    )
    if year is None:
        year = SchoolYear(institution_id=school.id, name=name, starts_on=starts_on, ends_on=ends_on)
        session.add(year)
        session.flush()
    school_class = session.scalar(
        select(SchoolClass).where(
            SchoolClass.school_year_id == year.id, SchoolClass.name == CLASS_NAME
        )
    )
    if school_class is None:
        school_class = SchoolClass(
            institution_id=school.id, school_year_id=year.id, name=CLASS_NAME, grade=6
        )
        session.add(school_class)
        session.flush()
        created.append(f"class {CLASS_NAME} ({name})")
    teacher = session.scalars(select(User).where(User.email == "teacher@demo.test")).one()
    _join(session, school_class, teacher, ClassRole.HOMEROOM)
    password_hash = None  # one hash for every pupil: the same documented password, hashed once
    for number, full_name in enumerate(PUPILS, start=1):
        username = pupil_username(number)
        pupil = session.scalar(select(User).where(User.username == username))
        if pupil is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            pupil = User(
                username=username,
                name=full_name,
                password_hash=password_hash,
                locale="vi",
                session_token=secrets.token_hex(16),
                birth_date=dt.date(2014, 1 + number % 12, 1 + number % 28),
            )
            session.add(pupil)
            session.flush()
            created.append(username)
        if not pupil.has_role(Role.STUDENT, school.id):
            session.add(Membership(user_id=pupil.id, institution_id=school.id, role=Role.STUDENT))
        _join(session, school_class, pupil, ClassRole.PUPIL)
    session.flush()
    return created


def _join(session: Session, school_class: SchoolClass, user: User, role: ClassRole) -> None:
    found = session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id,
            ClassMember.user_id == user.id,
            ClassMember.role == role,
        )
    )
    if found is None:
        session.add(ClassMember(class_id=school_class.id, user_id=user.id, role=role))
