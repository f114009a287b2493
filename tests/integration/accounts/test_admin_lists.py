"""The administrator's lists at national scale: institutions are paged, people come in the order
of an index (by email, then those without one by username)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from mooc.accounts import queries as accounts_queries
from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.accounts.queries import people
from tests.factories import PASSWORD, make_user
from tests.helpers import login


def _admin(client: FlaskClient, session: Session) -> None:
    person = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Quản Trị Viên")
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, person.email or "", PASSWORD).status_code == 303


def test_institutions_are_listed_a_page_at_a_time(client: FlaskClient, session: Session) -> None:
    session.execute(
        insert(Institution),
        [
            {
                "slug": f"zz-school-{n:03d}",
                "name": f"ZZ School {n:03d}",
                "kind": InstitutionKind.SCHOOL,
            }
            for n in range(60)
        ],
    )
    _admin(client, session)
    first = client.get("/admin/institutions").get_data(as_text=True)
    shown = re.findall(r"<code>([a-z0-9-]+)</code>", first)
    assert len(shown) == 50
    assert "zz-school-059" not in shown  # ZZ comes last by name
    assert 'href="/admin/institutions?page=2"' in first
    last = client.get("/admin/institutions?page=2").get_data(as_text=True)
    assert re.findall(r"<code>(zz-school-\d+)</code>", last)[-1] == "zz-school-059"
    assert "Page 2 of 2" in last


def test_people_come_by_email_then_by_username(session: Session) -> None:
    rows = [
        {"email": "b@people.test", "username": None, "name": "B"},
        {"email": None, "username": "aa.pupil", "name": "Pupil A"},
        {"email": "a@people.test", "username": "zz", "name": "A"},
        {"email": None, "username": "ab.pupil", "name": "Pupil B"},
    ]
    session.execute(
        insert(User),
        [{**r, "password_hash": "x", "session_token": r["name"], "locale": "en"} for r in rows],
    )
    found = people(session, query="people.test", per_page=100).items
    assert [p.email for p in found] == ["a@people.test", "b@people.test"]
    pupils = people(session, query="pupil", per_page=100).items
    assert [p.username for p in pupils] == ["aa.pupil", "ab.pupil"]
    everyone = [p.login_name for p in people(session, per_page=10_000).items]
    assert everyone.index("b@people.test") < everyone.index("aa.pupil") < everyone.index("ab.pupil")


def test_a_common_word_is_counted_only_so_far(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search matching more people than it counts says "N+" and still pages on; the page
    that reaches the end, or a search matching fewer, says how many exactly."""
    monkeypatch.setattr(accounts_queries, "FEW_MATCHES", 4)  # counted at least a page's worth
    rows = [
        {"email": f"chung{n:02d}@common.test", "name": f"Nguyễn Văn Chung {n}"} for n in range(30)
    ]
    rows.append({"email": "hiem@common.test", "name": "Trần Thị Hiếm"})
    session.execute(
        insert(User),
        [{**r, "password_hash": "x", "session_token": r["email"], "locale": "en"} for r in rows],
    )
    _admin(client, session)
    first = client.get("/admin/people?q=nguyen").get_data(as_text=True)
    assert "25+ people" in first
    assert "Page 1<" in first and "Page 1 of" not in first
    assert 'href="/admin/people?q=nguyen&amp;page=2"' in first
    second = client.get("/admin/people?q=nguyen&page=2").get_data(as_text=True)
    assert "30 people" in second and "Page 2 of 2" in second
    assert re.findall(r"chung(\d+)@common\.test", second) == [f"{n:02d}" for n in range(25, 30)]
    assert 'rel="next"' not in second
    assert "1 person" in client.get("/admin/people?q=hiem").get_data(as_text=True)
