"""Every way a person's name, username or email is written keeps their folded search line in
step: registration, profile and administrator edits, login cards, Core bulk INSERTs."""

from __future__ import annotations

import secrets

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.services import change_email, register, update_profile
from mooc.schools.services.login_cards import CardScope, print_login_cards
from tests.factories import make_pupil, make_school_class, make_user


def stored(session: Session, user: User) -> str:
    """The line as the database holds it (not the object's attribute)."""
    session.flush()
    return session.scalars(select(User.search_text).where(User.id == user.id)).one()


def test_registration(session: Session) -> None:
    user = register(
        session, email="An.Nguyen@Example.test", password="x" * 12, name="Nguyễn Văn An"
    )
    assert stored(session, user) == "nguyen van an an.nguyen@example.test"


def test_profile_and_administrator_edits_after_a_commit(session: Session) -> None:
    user = make_user(session, email="hoa@example.test", name="Hoa")
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()  # the objects expire: the next change reads the row first
    update_profile(user, name="Đặng Thị Hoa", locale="vi")
    assert stored(session, user) == "dang thi hoa hoa@example.test"
    session.commit()
    change_email(session, user, "hoa.dang@example.test", by=admin)
    assert stored(session, user) == "dang thi hoa hoa.dang@example.test"


def test_login_cards_give_usernames(session: Session) -> None:
    school_class = make_school_class(session, name="6A3")
    pupil = make_pupil(session, school_class, "Trần Minh Khôi", email="khoi@example.test")
    assert stored(session, pupil) == "tran minh khoi khoi@example.test"
    teacher = make_user(session, (school_class.institution.slug, Role.STAFF))
    print_login_cards(session, school_class, scope=CardScope.ALL, by=teacher)
    assert pupil.username is not None
    assert stored(session, pupil) == f"tran minh khoi {pupil.username} khoi@example.test"


def test_a_core_bulk_insert_without_the_line_gets_it(session: Session) -> None:
    rows = [
        {
            "username": f"le.xuan.{n}",
            "name": "Lê Xuân",
            "password_hash": "x",
            "session_token": secrets.token_hex(8),
        }
        for n in range(3)
    ]
    session.execute(insert(User), rows)
    lines = session.scalars(
        select(User.search_text).where(User.username.like("le.xuan.%")).order_by(User.username)
    ).all()
    assert lines == ["le xuan le.xuan.0", "le xuan le.xuan.1", "le xuan le.xuan.2"]
