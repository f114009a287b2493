"""The demo accounts of DESIGN §8, all with the password `demo-password`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.queries import get_institution
from mooc.accounts.services import grant_role, register
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, demo mode only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    locale: str
    roles: tuple[tuple[str, Role], ...]  # (institution slug, role)
    student_number: str | None = None  # at the university where the account studies


DEMO_ACCOUNTS = (
    DemoAccount(
        "student@demo.test",
        "Lò Thị Mai",
        "vi",
        (("dai-hoc-mo-ha-noi", Role.STUDENT),),
        "SV20260517",
    ),
    DemoAccount(
        "teacher@demo.test",
        "Nguyễn Văn An",
        "vi",
        (
            ("thcs-ba-dinh", Role.TEACHER),
            ("thpt-chu-van-an", Role.TEACHER),
            ("tieu-hoc-hoa-binh", Role.TEACHER),
            ("dai-hoc-mo-ha-noi", Role.TEACHER),
        ),
    ),
    DemoAccount(
        "verifier@demo.test",
        "Trần Thị Bình",
        "vi",
        (("dai-hoc-da-nang", Role.STAFF),),
    ),
    DemoAccount(
        "admin@demo.test",
        "Phạm Quốc Cường",
        "en",
        (("bo-giao-duc", Role.ADMIN),),
    ),
)


def assign_demo_teacher(session: Session) -> None:
    """The demo teacher teaches every course (seed courses have no assigned teacher)."""
    teacher = session.scalars(select(User).where(User.email == "teacher@demo.test")).one()
    for course in session.scalars(select(Course)):
        assign_teacher(session, course, teacher.id)


def load_demo_accounts(session: Session) -> list[str]:
    """Create the demo accounts and roles that are missing; returns the emails created."""
    created = []
    for account in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.email == account.email))
        if user is None:
            user = register(
                session,
                email=account.email,
                password=DEMO_PASSWORD,
                name=account.name,
                locale=account.locale,
            )
            created.append(account.email)
        for slug, role in account.roles:
            number = account.student_number if role == Role.STUDENT else None
            grant_role(session, user, get_institution(session, slug), role, number)
    assign_demo_teacher(session)
    return created
