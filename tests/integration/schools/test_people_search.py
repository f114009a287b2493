"""People search (a school's class page, the administrator's list) through the folded, indexed
search line: diacritics, đ/d and case ignored, words in any order, short words, `%` and `_`
literal, the line kept in step by roster imports, and the database's plan reading the index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User
from mooc.accounts.queries import people
from mooc.accounts.services import grant_role
from mooc.extensions import db
from mooc.schools.models import RosterPerson
from mooc.schools.queries.directory import search_people
from mooc.schools.services.rosters import files_at, import_roster, read_roster, school_year_for
from tests.factories import PASSWORD, make_institution, make_pupil, make_school_class, make_user
from tests.helpers import login
from tests.search_plans import plan, searches, settle

DATA = Path(__file__).resolve().parents[2] / "data" / "oneroster"


@pytest.fixture
def pupils(session: Session, school: Institution) -> dict[str, User]:
    """Four people of the school, and a namesake at another school."""
    school_class = make_school_class(session, school=school)
    made = {
        "an": make_pupil(session, school_class, "Nguyễn Văn An", username="an.nguyen.6a1"),
        "hoa": make_pupil(session, school_class, "Đặng Thị Hoa", email="hoa_dang@example.test"),
        "khoi": make_pupil(session, school_class, "Trần Minh Khôi", username="khoi.tran.6a1"),
        "xuan": make_pupil(session, school_class, "Lê Xuân Thủy", email="lexuan@example.test"),
    }
    for user in made.values():
        grant_role(session, user, school, Role.STUDENT)
    other = make_school_class(session, school=make_institution(session, InstitutionKind.SCHOOL))
    namesake = make_pupil(session, other, "Nguyễn Văn An", username="an.nguyen.6a2")
    grant_role(session, namesake, other.institution, Role.STUDENT)
    session.flush()
    return made


def found(session: Session, school: Institution, query: str) -> list[str]:
    return [user.name for user in search_people(session, school, query)]


@pytest.mark.usefixtures("pupils")
def test_a_name_typed_without_diacritics_finds_it(session: Session, school: Institution) -> None:
    """The bug: on SQLite `lower(name) LIKE '%nguyen%'` never matched "Nguyễn"."""
    assert found(session, school, "nguyen") == ["Nguyễn Văn An"]
    assert found(session, school, "thuy") == ["Lê Xuân Thủy"]


@pytest.mark.usefixtures("pupils")
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("NGUYỄN", ["Nguyễn Văn An"]),
        ("nguyễn văn", ["Nguyễn Văn An"]),
        ("an nguyen", ["Nguyễn Văn An"]),  # words in any order
        ("dang", ["Đặng Thị Hoa"]),  # đ is d
        ("ĐẶNG thị", ["Đặng Thị Hoa"]),
        ("an.nguyen", ["Nguyễn Văn An"]),  # the username
        ("khoi.tran.6a1", ["Trần Minh Khôi"]),
        ("lexuan@example", ["Lê Xuân Thủy"]),  # the email
        ("tran khoi", ["Trần Minh Khôi"]),
        ("nguyen hoa", []),  # every word must match
        ("", []),
        ("   ", []),
        ('"nguyen"', []),  # FTS5 query syntax is text to find, never an error
        ("nguyen OR khoi", []),
        ("NEAR(nguyen) *", []),
        ("an.nguyen^", []),
    ],
)
def test_folded_words_in_any_order(
    session: Session, school: Institution, query: str, names: list[str]
) -> None:
    assert found(session, school, query) == names


@pytest.mark.usefixtures("pupils")
def test_short_words_that_a_trigram_index_cannot_answer(
    session: Session, school: Institution
) -> None:
    names = {"Đặng Thị Hoa", "Lê Xuân Thủy", "Nguyễn Văn An", "Trần Minh Khôi"}
    assert sorted(found(session, school, "an")) == sorted(names)
    assert found(session, school, "xu an") == ["Lê Xuân Thủy"]
    assert found(session, school, "kh") == ["Trần Minh Khôi"]


@pytest.mark.usefixtures("pupils")
def test_percent_and_underscore_are_literal(session: Session, school: Institution) -> None:
    assert found(session, school, "%") == []
    assert found(session, school, "an%") == []
    assert found(session, school, "_d") == ["Đặng Thị Hoa"]  # short: LIKE, escaped
    assert found(session, school, "a_dang") == ["Đặng Thị Hoa"]  # long: the index
    assert found(session, school, "_") == ["Đặng Thị Hoa"]


def test_the_administrators_list_finds_without_diacritics(
    client: FlaskClient, session: Session, pupils: dict[str, User]
) -> None:
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    session.commit()
    login(client, admin.email or "", PASSWORD)
    page = client.get("/admin/people?q=nguyen+van&lang=en").get_data(as_text=True)
    assert "an.nguyen.6a1" in page and "an.nguyen.6a2" in page
    assert "khoi.tran.6a1" not in page
    assert [u.name for u in people(session, query="dang thi").items] == ["Đặng Thị Hoa"]
    assert people(session, query="%").total == 0


def test_the_class_page_search_finds_without_diacritics(
    client: FlaskClient, session: Session, school: Institution, pupils: dict[str, User]
) -> None:
    staff = make_user(session, (school.slug, Role.STAFF))
    school_class = make_school_class(session, school=school, name="6A2")
    session.commit()
    login(client, staff.email or "", PASSWORD)
    url = f"/schools/{school.slug}/classes/{school_class.id}?q=tran+minh"
    page = client.get(url).get_data(as_text=True)
    assert "Trần Minh Khôi" in page


def _import(session: Session, school: Institution, path: Path) -> None:
    name, files = files_at(path)
    read = read_roster(name, files, school_year_for(session, school, dt.date(2026, 10, 1)))
    import_roster(session, school, read, by=None)
    session.flush()


def test_roster_imports_write_the_search_line(
    session: Session, school: Institution, tmp_path: Path
) -> None:
    """New people (COPY on PostgreSQL, INSERT on SQLite) and renamed ones (a bulk UPDATE)."""
    roster = tmp_path / "v1.1"
    roster.mkdir()
    for source in (DATA / "v1.1").iterdir():
        (roster / source.name).write_bytes(source.read_bytes())
    _import(session, school, roster)
    assert found(session, school, "tran duc minh") == ["Trần Đức Minh"]
    assert found(session, school, "hang.pham@thcs") == ["Phạm Thu Hằng"]
    users = (roster / "users.csv").read_text().replace("Minh,Trần,Đức", "Minh,Trần,Quang")
    (roster / "users.csv").write_text(users)
    _import(session, school, roster)
    session.expire_all()
    assert found(session, school, "tran duc") == []
    assert found(session, school, "quang minh") == ["Trần Quang Minh"]
    minh = session.scalars(
        select(User).join(RosterPerson).where(RosterPerson.source_id == "u-hs-01")
    ).one()
    assert minh.search_text == "tran quang minh minh.tran.6a1"


def test_the_plan_reads_the_index(session: Session, school: Institution) -> None:
    """3,000 people of one school; a name few of them have."""
    rows = [
        {
            "email": f"p{n}@plan.test",
            "name": f"Học Sinh {n} {'Nguyễn' if n % 500 == 0 else 'Trần'}",
            "password_hash": "x",
            "session_token": f"plan-{n}",
        }
        for n in range(3000)
    ]
    ids = session.scalars(insert(User).returning(User.id), rows).all()
    session.execute(
        insert(Membership),
        [{"user_id": i, "institution_id": school.id, "role": Role.STUDENT} for i in ids],
    )
    settle(session)
    with searches(db.engine) as sent:
        assert len(search_people(session, school, "nguyen")) == 6
        assert people(session, query="nguyen").total == 6
    # Found through the index first (few of them), then in the list's order: by email.
    emails = [u.email for u in people(session, query="nguyen", per_page=4, page=2).items]
    assert emails == sorted(f"p{n}@plan.test" for n in range(0, 3000, 500))[4:]
    assert len(sent) >= 2
    index = "user_account_search VIRTUAL TABLE"
    if session.get_bind().dialect.name == "postgresql":
        index = "ix_user_account_search_text_trgm"
    for statement, parameters in sent:
        found_plan = plan(session, statement, parameters)
        assert index in found_plan, found_plan
        assert "SCAN membership" not in found_plan, found_plan  # not every member listed first
