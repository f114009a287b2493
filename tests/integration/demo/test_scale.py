"""`flask demo scale` (issue #14, points 1 and 6): generated data with the expected shape and
counts, refused a second time, and the key pages cost the same number of SQL statements on a
generated set of one class as on one twenty times larger."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Membership, Role, User
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.catalog.models import Course
from mooc.credentials.models import IssuedCredential
from mooc.demo.scale.generate import (
    ADMIN_EMAIL,
    BIG_COURSE,
    COURSE_TEACHER_EMAIL,
    SCALE_PASSWORD,
    STAFF_EMAIL,
    UNIVERSITY_SLUG,
)
from mooc.demo.scale.sizes import CLASS_SIZE, sizes_for
from mooc.extensions import db
from mooc.factory import create_app
from mooc.learning import analytics
from mooc.learning.models import Completion, Enrolment, LectureProgress
from mooc.learning.queries import ordered_lectures
from mooc.migrate import upgrade
from mooc.schools.models import ClassMember, ClassRole, SchoolClass
from mooc.transfer.models import ItemState, RequestItem
from tests.helpers import CONTENT, login, make_settings
from tests.querycount import Statements, counting

SMALL, LARGE = CLASS_SIZE, 20 * CLASS_SIZE


@dataclass(frozen=True)
class Generated:
    app: Flask
    output: str


def _generated(backend: str, url: str, tmp: Path, pupils: int) -> Generated:
    upgrade(url)
    app = create_app(settings=make_settings(tmp, url).with_overrides(demo=True))
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["demo", "scale", "--pupils", str(pupils)])
    assert result.exit_code == 0, result.output
    return Generated(app, result.output)


@pytest.fixture(scope="module")
def generated(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[int, Generated]]:
    """Two databases of the backend, each with the seed content and generated data."""
    made = {
        size: _generated(
            backend, fresh_database_url(backend), tmp_path_factory.mktemp(f"scale{size}"), size
        )
        for size in (SMALL, LARGE)
    }
    yield made
    for one in made.values():
        with one.app.app_context():
            db.engine.dispose()


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_generated_data_has_the_expected_shape(generated: dict[int, Generated]) -> None:
    one = generated[LARGE]
    sizes = sizes_for(LARGE)
    assert re.search(r"rows in [\d.]+ s \([\d,]+ rows/s\)", one.output)
    with one.app.app_context():
        session = db.session
        pupils = _count(session, User, User.username.like("hs.%"))
        assert pupils == LARGE
        assert _count(session, SchoolClass) == sizes.classes == 20
        assert _count(session, ClassMember, ClassMember.role == ClassRole.PUPIL) == LARGE
        assert _count(session, ClassMember, ClassMember.role == ClassRole.HOMEROOM) == 20
        schools = _count(session, Institution, Institution.slug.like("scale-truong-%"))
        assert schools == sizes.schools == 2
        # Everyone generated is a member of their institution, with a searchable name.
        students = _count(session, Membership, Membership.role == Role.STUDENT)
        assert students == LARGE
        assert _count(session, User, User.search_text == "") == 0
        # Three courses each, about ten lectures seen each.
        assert _count(session, Enrolment) == 3 * LARGE
        progress = _count(session, LectureProgress)
        assert 6 * LARGE < progress < 14 * LARGE
        big = session.scalars(select(Course).where(Course.slug == BIG_COURSE)).one()
        learners = _count(session, Enrolment, Enrolment.course_id == big.id)
        assert learners == sizes.big_course_learners == LARGE // 5
        university = session.scalars(
            select(Institution).where(Institution.slug == UNIVERSITY_SLUG)
        ).one()
        pending = _count(
            session,
            RequestItem,
            RequestItem.institution_id == university.id,
            RequestItem.state == ItemState.PENDING,
        )
        assert pending == sizes.queue_items == LARGE // 20
        # Each completion has its signed record, issued by the command.
        completions = _count(session, Completion)
        assert 0 < completions <= sizes.completions
        assert _count(session, IssuedCredential) == completions
        for email in (COURSE_TEACHER_EMAIL, STAFF_EMAIL, ADMIN_EMAIL):
            assert _count(session, User, User.email == email) == 1


def test_a_second_run_is_refused(generated: dict[int, Generated]) -> None:
    app = generated[SMALL].app
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "scale", "--pupils", "5"])
        assert result.exit_code == 1
        assert "already" in result.output
        assert _count(db.session, User, User.username.like("hs.%")) == SMALL


def test_generated_people_sign_in_and_are_found(generated: dict[int, Generated]) -> None:
    client = generated[LARGE].app.test_client()
    signed_in = login(client, "hs.0000007", SCALE_PASSWORD)
    assert signed_in.status_code == 303, signed_in.get_data(as_text=True)
    with generated[LARGE].app.app_context():
        name = db.session.scalars(select(User.name).where(User.username == "hs.0000007")).one()
    client.post("/logout", data={"csrf_token": _token(client, "/dashboard")})
    login(client, ADMIN_EMAIL, SCALE_PASSWORD)
    found = client.get("/admin/people?q=hs.0000007").get_data(as_text=True)
    assert name in found and "hs.0000007" in found
    assert "hs.0000008" not in found and "hs.0000017" not in found


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None
    url: str
    budget: int


def _pages(app: Flask, room: int) -> list[Page]:
    """The key pages of issue #14 as the generated people see them: a pupil of the `room`th
    class (classes take turns at having one, two or three assignments) and its teacher."""
    pupil = f"hs.{room * CLASS_SIZE + 1:07d}"
    with app.app_context():
        session = db.session
        big = session.scalars(select(Course).where(Course.slug == BIG_COURSE)).one()
        lecture = ordered_lectures(session, big)[1]
        homeroom, class_id = session.execute(
            select(User.email, ClassMember.class_id)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.role == ClassRole.HOMEROOM)
            .order_by(ClassMember.class_id)
            .offset(room)
        ).first() or ("", 0)
        completer = session.scalar(
            select(User.username)
            .join(Completion, Completion.user_id == User.id)
            .order_by(User.id)
            .limit(1)
        )
    assert homeroom and completer
    return [
        Page("catalogue", None, "/courses", 10),
        Page("catalogue search", None, "/courses?q=toan", 10),
        Page("lecture page", pupil, f"/courses/{BIG_COURSE}/lectures/{lecture.slug}", 16),
        # Pupils' and teachers' pages count one more on SQLite: its BEGIN IMMEDIATE.
        Page("dashboard", pupil, "/dashboard", 5),  # courses in 1, class work in 1
        Page("my records", completer, "/records", 12),
        Page("learners", COURSE_TEACHER_EMAIL, f"/teach/courses/{BIG_COURSE}/learners", 16),
        Page("learners CSV", COURSE_TEACHER_EMAIL, f"/teach/courses/{BIG_COURSE}/learners.csv", 14),
        Page("to-do", pupil, "/my/todo", 4),
        Page("class report", homeroom, f"/classes/{class_id}/report", 12),
        Page("class assignments", homeroom, f"/classes/{class_id}/assignments", 16),
        Page("people", ADMIN_EMAIL, "/admin/people", 10),
        Page("people search", ADMIN_EMAIL, "/admin/people?q=nguyen", 10),
        Page("institutions", ADMIN_EMAIL, "/admin/institutions", 10),
        Page("records (admin)", ADMIN_EMAIL, "/admin/records", 10),
        Page("request queue", STAFF_EMAIL, f"/university/{UNIVERSITY_SLUG}", 12),
    ]


def _cost(app: Flask, page: Page) -> Statements:
    client = app.test_client()
    if page.who:
        assert login(client, page.who, SCALE_PASSWORD).status_code == 303, page
    client.get(page.url).close()  # warm: per-process caches filled, as on a running server
    with app.app_context():
        engine = db.engine
    with counting(engine) as sent:
        response = client.get(page.url, headers={"Accept-Language": "en"})
        response.get_data()  # a streamed body runs its queries here
        response.close()
    assert response.status_code == 200, (page, response.status_code)
    return sent


def test_pages_cost_the_same_on_one_class_or_twenty(generated: dict[int, Generated]) -> None:
    small, large = generated[SMALL].app, generated[LARGE].app
    wrong = []
    # The small set's only class has one assignment; the large set's third class has three.
    for small_page, large_page in zip(_pages(small, 0), _pages(large, 2), strict=True):
        few, many = _cost(small, small_page), _cost(large, large_page)
        if len(few) != len(many) or len(many) > large_page.budget:
            wrong.append(
                f"{large_page.name}: {len(few)} → {len(many)} (budget {large_page.budget})\n"
                + many.text()
            )
    assert not wrong, "\n".join(wrong)


def test_the_learners_page_reads_the_kept_standing_as_it_would_count_it(
    generated: dict[int, Generated],
) -> None:
    """The generated data fills each enrolment's standing: every sort of the learners page and
    its funnel give the same learners in the same order as counting everyone's records."""
    one = generated[LARGE]
    with one.app.app_context():
        session = db.session
        big = session.scalars(select(Course).where(Course.slug == BIG_COURSE)).one()
        learners = analytics._Learners(session, big.id, big.pass_mark)
        for sort in analytics.SORT_KEYS:
            for descending in (False, True):
                kept = learners.page_order(sort, descending)
                counted = learners.ordered(sort, descending).with_only_columns(
                    User.id, maintain_column_froms=True
                )
                assert session.scalars(kept).all() == session.scalars(counted).all(), sort
        summary = learners.summary(session)
        rows = learners.rows.add_columns(learners.percent.label("percent")).subquery()
        counted_funnel = session.execute(
            select(
                func.count(),
                func.sum(case((rows.c.started, 1), else_=0)),
                func.sum(case((rows.c.percent >= 50, 1), else_=0)),
                func.sum(case((rows.c.completed_at.is_not(None), 1), else_=0)),
            )
        ).one()
        assert summary.funnel() == tuple(int(n or 0) for n in counted_funnel)
        assert 0 < summary.completed < summary.halfway < summary.started < summary.enrolled
