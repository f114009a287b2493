"""Every paged list, HTML and API, answers any `?page=` without a server error: huge numbers
(which overflow the database's OFFSET, a bigint on PostgreSQL), zero, negatives and words."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.api.models import ApiScope
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher
from mooc.pagination import MAX_PAGE, page_number
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.integration.api.tokens import bearer, make_token

HUGE = "9223372036854775807"  # the largest bigint: any OFFSET built from it overflows
ODD_PAGES = [HUGE, "99999999999999999999999999", str(MAX_PAGE), "0", "-3", "abc", "", "٣"]
UNIVERSITY = "dai-hoc-mo-ha-noi"


pytestmark = pytest.mark.usefixtures("pepper")


@pytest.mark.parametrize(
    ("raw", "page"),
    [(None, 1), ("", 1), ("2", 2), (" 7 ", 7), ("0", 1), ("-3", 1), ("1.5", 1), ("٣", 1),
     (HUGE, MAX_PAGE), ("9" * 5000, MAX_PAGE), (str(MAX_PAGE), MAX_PAGE)],
)  # fmt: skip
def test_a_page_number_is_read_within_bounds(raw: str | None, page: int) -> None:
    assert page_number(raw) == page


def _paged_pages(session: Session) -> list[str]:
    course = session.scalars(select(Course).order_by(Course.id)).first()
    assert course is not None
    return [
        "/courses",
        "/admin/people",
        "/admin/audit",
        f"/author/courses/{course.slug}/audit",
        f"/teach/courses/{course.slug}/learners",
        f"/university/{UNIVERSITY}/audit",
    ]


def test_every_paged_list_page_shows_the_last_page_for_any_page_number(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    course = session.scalars(select(Course).order_by(Course.id)).first()
    assert course is not None
    person = make_user(
        session,
        ("bo-giao-duc", Role.ADMIN),
        (course.institution.slug, Role.TEACHER),
        (UNIVERSITY, Role.STAFF),
    )
    assign_teacher(session, course, person.id)
    session.commit()
    assert login(client, person.email, PASSWORD).status_code == 303
    urls = _paged_pages(session)
    assert any(url.startswith("/admin/people") for url in urls)
    for url in urls:
        first = client.get(url, headers={"Accept-Language": "en"})
        assert first.status_code == 200, url
        for raw in ODD_PAGES:
            response = client.get(
                url, query_string={"page": raw}, headers={"Accept-Language": "en"}
            )
            assert response.status_code == 200, (url, raw)
            html = response.get_data(as_text=True)
            assert "Page 9223372036854775807" not in html and f"Page {MAX_PAGE}" not in html


def test_a_huge_page_of_people_shows_the_last_page_with_a_way_back(
    session: Session, client: FlaskClient
) -> None:
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    for n in range(30):
        make_user(session, email=f"zz-paging-{n:02d}@example.test")
    session.commit()
    assert login(client, admin.email, PASSWORD).status_code == 303
    html = client.get(
        "/admin/people",
        query_string={"q": "zz-paging", "page": HUGE},
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    assert "Page 2 of 2" in html
    assert "zz-paging-29@example.test" in html and "zz-paging-00@example.test" not in html
    assert 'rel="prev"' in html and 'rel="next"' not in html


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("/api/v1/transfer/requests", ApiScope.REQUESTS_READ),
        ("/api/v1/xapi/statements", ApiScope.XAPI_READ),
    ],
)
def test_api_lists_refuse_pages_beyond_the_largest_and_answer_nothing_at_it(
    session: Session, client: FlaskClient, url: str, scope: ApiScope
) -> None:
    token = make_token(session, UNIVERSITY, (scope,)).plaintext
    for raw in (HUGE, "99999999999999999999999999", "0", "-3", "abc"):
        refused = client.get(url, query_string={"page": raw}, headers=bearer(token))
        assert refused.status_code == 422, raw
        assert "page must be a whole number" in refused.get_json()["detail"]
        assert refused.mimetype == "application/problem+json"
    for limit in ("1", "100"):
        last = client.get(
            url, query_string={"page": MAX_PAGE, "limit": limit}, headers=bearer(token)
        )
        assert last.status_code == 200
        body = last.get_json()
        assert body.get("items", body.get("statements")) == []
