"""Field test: every page of every role on a 360×640 phone — no sideways scrolling, and axe-core
(from the npm registry, tests/e2e/axe) finds no serious or critical WCAG 2.2 AA violation.

The pages are the app's GET routes without arguments (read from its URL map, so a new page is
walked without editing this file) plus one page of each kind of object: a course, a lecture, a
quiz, an attempt, a record, a shared record, a transfer request and item, an agreement, a rule,
people, audit, media, tokens… The data is the demo (`flask demo load`) on the seed content: the
student, teacher and verifier browse in Vietnamese, the admin in English, and a visitor in both.
One browser, one server, pages in sequence; every problem of every page is reported at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.middleware.shared_data import SharedDataMiddleware

from mooc.accounts.models import Institution, InstitutionKind, User
from mooc.accounts.queries import get_institution
from mooc.assessment.models import Question, Quiz, QuizAttempt
from mooc.assessment.services import start_attempt
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.catalog.models import Course, Lecture
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.sharing import create_share_link
from mooc.credentials.services.wallet import create_exchange
from mooc.demo.accounts import DEMO_PASSWORD
from mooc.demo.assignments import load_demo_assignments
from mooc.extensions import db
from mooc.factory import create_app
from mooc.learning.services import enrol
from mooc.migrate import upgrade
from mooc.schools.models import Assignment, ClassMember, ClassRole, SchoolClass, SchoolYear
from mooc.schools.permissions import TEACHING_ROLES
from mooc.transfer.models import Agreement, RecognitionRule, RequestItem, TransferRequest
from mooc.transfer.services.presentations import create_request
from tests.classroom_data import build_class
from tests.e2e.axe import AxeInstallError, ensure_axe
from tests.e2e.serving import serving
from tests.factories import make_pupil, make_school_class
from tests.helpers import CONTENT, make_settings

pytestmark = pytest.mark.e2e

ROSTER = Path(__file__).resolve().parents[1] / "data" / "oneroster" / "v1.1"
AXE_URL = "/_field-test/axe.min.js"  # served beside the app by the test's server only
PHONE: ViewportSize = {"width": 360, "height": 640}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

# GET routes without arguments that are not pages a person reads (JSON, files, redirects).
NOT_PAGES = {
    "static",
    "health.healthz",
    "api.openapi.openapi",
    "credentials.trust",
    "offline.webmanifest",
    "offline.service_worker",
    "offline.token",
}
NOT_PAGE_PREFIXES = ("/api/v1/",)

# Who walks which argument-less page, by path prefix; the rest are the logged-in learner's.
PUBLIC = {"/", "/courses", "/login", "/register", "/verify"}
AREAS = (
    ("teacher", ("/author/", "/teach/")),
    ("verifier", ("/university",)),
    ("admin", ("/admin/", "/api-tokens")),
    ("school", ("/schools",)),
)

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  // inside a scrolling box an element cannot widen the page, unless it is placed absolutely
  const clipped = (el) => {
    if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  let widest = null, right = width + 1;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right >= right && !clipped(el)) { widest = el; right = box.right; }
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map((c) => '.' + c).join('');
  const path = [];
  for (let el = widest; el && el !== document.body && path.length < 4; el = el.parentElement) {
    path.unshift(name(el));
  }
  return {scrollWidth, width, right: Math.round(right), element: path.join(' > ') || '?',
          text: widest ? (widest.textContent || '').trim().slice(0, 60) : ''};
}"""

AXE_JS = """async ([tags, blocking]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' +
                                     (n.failureSummary || '').split('\\n').slice(1, 2).join(''))
  }));
}"""


@dataclass(frozen=True)
class Walk:
    """One role's pages: paths to visit, logged in as `email` (None: a visitor); `locale` is the
    browser's language, which a visitor's pages follow (accounts have their own)."""

    role: str
    email: str | None
    locale: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    url: str
    argumentless: frozenset[str]
    walks: tuple[Walk, ...]


def _argumentless_pages(application: Flask) -> set[str]:
    pages = set()
    for rule in application.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith(NOT_PAGE_PREFIXES) or rule.rule.endswith(
            (".json", ".jsonld", ".csv")
        ):
            continue
        pages.add(rule.rule)
    return pages


def _role_of(path: str) -> str:
    if path in PUBLIC:
        return "visitor"
    return next((role for role, prefixes in AREAS if path.startswith(prefixes)), "student")


def _demo_class(session: Session, student: User) -> SchoolClass:
    """The demo's class 6A1 with its assigned quiz (made here when the demo has no school
    classes), with the demo student as a pupil, so the to-do panel shows on the dashboard."""
    room = session.scalar(select(SchoolClass).where(SchoolClass.name == "6A1"))
    if room is None:
        school = session.scalars(
            select(Institution).where(Institution.kind == InstitutionKind.SCHOOL)
        ).first()
        assert school is not None
        year = SchoolYear(
            institution_id=school.id,
            name="2026–2027",
            starts_on=dt.date(2026, 9, 5),
            ends_on=dt.date(2027, 5, 31),
        )
        room = SchoolClass(institution=school, school_year=year, name="6A1", grade=6)
        session.add_all([year, room])
        session.flush()
        load_demo_assignments(session, "6A1")
    session.add(ClassMember(class_id=room.id, user_id=student.id, role=ClassRole.PUPIL))
    session.flush()
    return room


def _object_pages(application: Flask) -> dict[str, list[str]]:
    """One page of each kind of object in the demo data, by the role that may see it."""
    session = db.session

    def one(statement: Any) -> Any:
        return session.scalars(statement.limit(1)).one()

    student = one(select(User).where(User.email == "student@demo.test"))
    course = one(select(Course).where(Course.slug == "xac-suat-thong-ke"))
    lecture = one(select(Lecture).where(Lecture.course_id == course.id))
    quiz = one(select(Quiz).where(Quiz.course_id == course.id))
    question = one(select(Question).where(Question.quiz_id == quiz.id))
    attempt = one(select(QuizAttempt).where(QuizAttempt.user_id == student.id))
    k12 = one(select(Course).where(Course.slug == "toan-lop-6"))
    k12_lecture = one(select(Lecture).where(Lecture.course_id == k12.id))
    k12_quiz = one(select(Quiz).where(Quiz.course_id == k12.id))
    open_attempt = start_attempt(session, student, k12_quiz)
    record = one(select(IssuedCredential).where(IssuedCredential.user_id == student.id))
    _, token = create_share_link(session, record, days=30, label="Field test")
    exchange = create_exchange(session, record, student, base_url="http://mooc.test")
    request = one(select(TransferRequest).where(TransferRequest.student_id == student.id))
    item = one(select(RequestItem).where(RequestItem.request_id == request.id))
    agreement = one(select(Agreement))
    rule = one(select(RecognitionRule).where(RecognitionRule.agreement_id == agreement.id))
    school_class = one(select(SchoolClass).where(SchoolClass.name == "6A1"))
    school_member = one(
        select(ClassMember)
        .where(ClassMember.class_id == school_class.id, ClassMember.role == ClassRole.PUPIL)
        .limit(1)
    )
    teacher = one(select(User).where(User.email == "teacher@demo.test"))
    built = build_class(session, pupils=6, items=6, password=DEMO_PASSWORD, teacher=teacher)
    room = _demo_class(session, student)
    assignment = one(select(Assignment).where(Assignment.class_id == room.id))
    cards_class, pupil = _taught_class(session)
    verifier = one(select(User).where(User.email == "verifier@demo.test"))
    asking = create_request(
        session,
        verifier,
        request.institution,
        purpose="Admission 2027",
        valid_for_hours=24,
        base_url="http://mooc.test",
    )
    session.commit()
    classes = f"/classes/{room.id}/assignments"
    uni = request.institution.slug
    school = f"/schools/{school_class.institution.slug}"
    author = f"/author/courses/{course.slug}"
    return {
        "visitor": [
            f"/courses/{course.slug}",
            f"/courses/{k12.slug}",
            "/courses?level=university",
            "/courses?q=zzzz-nothing",
            f"/verify/{token}",
        ],
        "student": [
            f"/courses/{course.slug}",
            f"/courses/{course.slug}/lectures/{lecture.slug}",
            f"/courses/{course.slug}/quizzes/{quiz.slug}",
            f"/attempts/{attempt.id}/result",
            f"/courses/{k12.slug}",
            f"/courses/{k12.slug}/lectures/{k12_lecture.slug}",
            f"/attempts/{open_attempt.id}",
            f"/records/{record.uuid}",
            f"/records/{record.uuid}/print",
            f"/records/{record.uuid}/wallet/{exchange.id}",
            f"/transfer/requests/{request.id}",
            f"/records/requests/{asking.token}",
        ],
        "teacher": [
            author,
            f"{author}/lectures/{lecture.slug}/edit",
            f"{author}/lectures/{lecture.slug}/history",
            f"{author}/quizzes/{quiz.slug}/edit",
            f"{author}/quizzes/{quiz.slug}/questions/{question.id}",
            f"{author}/media",
            f"{author}/audit",
            f"/teach/courses/{course.slug}/learners",
            f"/classes/{built.class_id}/report",
            f"/classes/{built.class_id}/report/quizzes/{built.quiz_assignment_ids[0]}",
            f"/classes/{built.class_id}/pupils/{built.pupil_ids[0]}/report",
            classes,
            f"{classes}/new",
            f"{classes}/new?course={k12.id}",
            f"{classes}/{assignment.id}/edit",
            f"{classes}/{assignment.id}/withdraw",
            f"/classes/{cards_class.id}/login-cards",
            f"/classes/{cards_class.id}/pupils/{pupil.id}/password",
        ],
        "verifier": [
            f"/university/{uni}",
            f"/university/{uni}/items/{item.id}",
            f"/university/{uni}/evaluate",
            f"/university/{uni}/export",
            f"/university/{uni}/trust",
            f"/university/{uni}/agreements",
            f"/university/{uni}/agreements/{agreement.id}",
            f"/university/{uni}/agreements/{agreement.id}/rules/new",
            f"/university/{uni}/rules/{rule.id}",
            f"/university/{uni}/audit",
            f"/university/{uni}/students",
            f"/university/{uni}/record-requests",
            f"/university/{uni}/record-requests/{asking.id}",
            f"/api-tokens/{uni}",
        ],
        "school": [
            f"{school}/",
            f"{school}/classes/{school_class.id}",
            f"{school}/classes/{school_class.id}?q=hs.6a1.0",
            f"{school}/classes/{school_class.id}/edit",
            f"{school}/classes/{school_class.id}/members/{school_member.id}/end",
            f"{school}/classes/new",
            f"{school}/years/new",
            f"{school}/years/{school_class.school_year_id}",
            f"{school}/roster",
        ],
        "admin": [
            f"/admin/people/{student.id}",
            f"/admin/people/{pupil.id}",  # without email: a one-time password, not a mail link
            f"/admin/records/{record.uuid}",
            "/admin/people?q=demo",
        ],
    }


def _taught_class(session: Any) -> tuple[SchoolClass, User]:
    """A class the demo teacher teaches (the demo's 6A1 when the demo has one) and a pupil."""
    teacher = session.scalars(select(User).where(User.email == "teacher@demo.test")).one()
    school_class = session.scalars(
        select(SchoolClass)
        .join(ClassMember)
        .where(ClassMember.user_id == teacher.id, ClassMember.role.in_(TEACHING_ROLES))
    ).first()
    if school_class is None:
        school_class = make_school_class(session, school=get_institution(session, "thcs-ba-dinh"))
        session.add(ClassMember(school_class=school_class, user=teacher, role=ClassRole.HOMEROOM))
        make_pupil(session, school_class, "Hoàng Văn Nam", username="nam.hoang.6a1")
    pupil = session.scalars(
        select(User)
        .join(ClassMember)
        .where(ClassMember.class_id == school_class.id, ClassMember.role == ClassRole.PUPIL)
    ).first()
    return school_class, pupil


# (role, account, browser language); the demo accounts of the student, teacher and verifier
# read Vietnamese, the admin's English. A visitor walks the public pages in both languages.
ROLES = (
    ("visitor", None, "en-US"),
    ("visitor", None, "vi-VN"),
    ("student", "student@demo.test", "en-US"),
    ("teacher", "teacher@demo.test", "en-US"),
    ("verifier", "verifier@demo.test", "en-US"),
    ("admin", "admin@demo.test", "en-US"),
    ("school", "school@demo.test", "en-US"),
)


def _build(tmp: Path) -> tuple[Flask, frozenset[str], tuple[Walk, ...]]:
    url = f"sqlite:///{tmp / 'walk.sqlite3'}"
    upgrade(url)
    settings = dataclasses.replace(make_settings(tmp / "instance", url), demo=True)
    application = create_app(settings=settings)
    with application.app_context():
        import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        loaded = application.test_cli_runner().invoke(args=["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        objects = _object_pages(application)
        db.session.close()
    argumentless = _argumentless_pages(application)
    walks = tuple(
        Walk(
            role,
            email,
            locale,
            tuple(sorted(p for p in argumentless if _role_of(p) == role)) + tuple(objects[role]),
        )
        for role, email, locale in ROLES
    )
    return application, frozenset(argumentless), walks


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, axe_script: Path) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("walk")
    built: dict[str, Any] = {}

    def build() -> Flask:
        application, built["argumentless"], built["walks"] = _build(tmp)
        # axe.min.js from the test server, cacheable: the browser compiles it once per role, where
        # an inline copy would be sent and compiled again on each of the ~60 pages.
        application.wsgi_app = SharedDataMiddleware(  # type: ignore[method-assign]
            application.wsgi_app, {AXE_URL: str(axe_script)}, cache_timeout=3600
        )
        return application

    with serving(build) as url:
        yield Site(url, built["argumentless"], built["walks"])


@pytest.fixture(scope="module")
def axe_script() -> Path:
    try:
        return ensure_axe()
    except AxeInstallError as error:
        pytest.fail(str(error), pytrace=False)


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main input[name=password]").press("Enter")
    assert "/login" not in page.url, f"{email} could not log in"


def _problems(page: Page, base: str, path: str, role: str) -> list[str]:
    where = f"[{role}] {path}"
    response = page.goto(base + path)
    if response is None or response.status != 200:
        return [f"{where}: status {response.status if response else 'none'}, not 200"]
    if path != "/login" and page.url.startswith(f"{base}/login"):
        return [f"{where}: redirected to the login page"]
    return _problems_here(page, base, where)


def _problems_here(page: Page, base: str, where: str) -> list[str]:
    """The page the browser shows now: wider than the phone, or blocking axe violations."""
    found = []
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        found.append(
            f"{where}: {overflow['scrollWidth']}px wide on a {overflow['width']}px screen; "
            f"widest: {overflow['element']} (right edge {overflow['right']}px) "
            f"{overflow['text']!r}"
        )
    page.add_script_tag(url=base + AXE_URL)
    for violation in page.evaluate(AXE_JS, [WCAG_22_AA, list(BLOCKING)]):
        found.append(
            f"{where}: axe {violation['impact']} {violation['id']} ({violation['help']}): "
            + "; ".join(violation["nodes"])
        )
    return found


def test_every_page_of_every_role_fits_a_phone_and_passes_axe(browser: Browser, site: Site) -> None:
    visited: set[str] = set()
    languages: set[str] = set()
    problems: list[str] = []
    for walk in site.walks:
        # bypass_csp: the pages' CSP would refuse the axe script (and its evaluation) otherwise.
        context = browser.new_context(locale=walk.locale, viewport=PHONE, bypass_csp=True)
        page = context.new_page()
        try:
            if walk.email:
                _log_in(page, site.url, walk.email)
            label = walk.role if walk.email else f"{walk.role} {walk.locale}"
            for path in walk.paths:
                problems += _problems(page, site.url, path, label)
                visited.add(path)
                if walk.email is None:  # the visitor's pages are in the browser's language
                    languages.add(page.evaluate("document.documentElement.lang"))
        finally:
            context.close()
    assert site.argumentless <= visited, f"pages nobody walked: {site.argumentless - visited}"
    assert languages == {"en", "vi"}, f"the visitor's pages were in {languages}"
    assert len(visited) >= 45, f"only {len(visited)} pages walked"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_pages_that_follow_a_form_fit_a_phone_and_pass_axe(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    """Pages no GET reaches: a roster's preview (after the upload), the printed login cards (after
    confirming) and a pupil's first sign-in with a card's one-time password (choose a password),
    in the demo accounts' Vietnamese; the printed cards also as they are printed."""
    walks = {walk.role: walk for walk in site.walks}
    roster = next(p for p in walks["school"].paths if p.endswith("/roster"))
    cards = next(p for p in walks["teacher"].paths if p.endswith("/login-cards"))
    export = tmp_path / "roster.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for file in ROSTER.iterdir():
            archive.write(file, file.name)
    problems: list[str] = []
    reached: list[str] = []
    opened: list[Any] = []

    def phone(email: str | None) -> Page:
        context = browser.new_context(locale="vi-VN", viewport=PHONE, bypass_csp=True)
        opened.append(context)
        page = context.new_page()
        if email:
            _log_in(page, site.url, email)
        return page

    try:
        page = phone("school@demo.test")
        page.goto(site.url + roster)
        page.locator("main input[type=file]").set_input_files(export)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        reached.append(page.locator("h1").inner_text())
        problems += _problems_here(page, site.url, f"[school] {roster} preview")

        page = phone("teacher@demo.test")
        page.goto(site.url + cards)
        page.locator("input[name=scope][value=selected]").check()
        pupil = page.locator("table.pupils tbody tr").filter(has=page.locator("code")).last
        username = pupil.locator("code").inner_text()
        pupil.locator("input[type=checkbox]").check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").last.click()
        password = page.locator(".login-card-password").inner_text()
        reached.append(page.locator("h1").inner_text())
        problems += _problems_here(page, site.url, f"[teacher] {cards} printed")
        # On paper: A4 less the 8 mm margins is 733 px wide; each card's text stays inside its cut
        # lines (a phone-wide page in print media would squeeze the two columns of cards).
        page.set_viewport_size({"width": 733, "height": 1062})
        page.emulate_media(media="print")
        spill = page.evaluate(
            "[...document.querySelectorAll('.login-card')]"
            ".filter((card) => card.scrollHeight > card.clientHeight).length"
        )
        if spill:
            problems.append(f"[teacher] {cards} printed: {spill} card(s) spill over the cut line")

        page = phone(None)
        page.goto(f"{site.url}/login")
        page.locator("main input[name=login]").fill(username)
        page.locator("main input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main input[name=password]").press("Enter")
        reached.append(page.url.removeprefix(site.url).split("?")[0])
        problems += _problems_here(page, site.url, f"[pupil {username}] first sign-in")
    finally:
        for context in opened:
            context.close()
    assert reached[0] == "Kiểm tra trước khi nhập", reached
    assert reached[1].startswith("Thẻ đăng nhập lớp"), reached
    assert reached[2] == "/account/choose-password", reached
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, axe_script: Path) -> Iterator[Site]:
    """The seed courses alone, with the demo student enrolled in every one of them."""
    tmp = tmp_path_factory.mktemp("lectures")
    paths: list[str] = []

    def build() -> Flask:
        url = f"sqlite:///{tmp / 'lectures.sqlite3'}"
        upgrade(url)
        settings = dataclasses.replace(make_settings(tmp / "instance", url), demo=True)
        application = create_app(settings=settings)
        with application.app_context():
            session = db.session
            import_tree(session, application.extensions["mooc_storage"], load_tree(CONTENT))
            session.commit()
            loaded = application.test_cli_runner().invoke(args=["demo", "load"])
            assert loaded.exit_code == 0, loaded.output
            student = session.scalars(select(User).where(User.email == "student@demo.test")).one()
            for course in session.scalars(select(Course).order_by(Course.slug)).all():
                enrol(session, student, course)
                lectures = select(Lecture).where(Lecture.course_id == course.id)
                for lecture in session.scalars(lectures.order_by(Lecture.id)):
                    paths.append(f"/courses/{course.slug}/lectures/{lecture.slug}")
            session.commit()
            session.close()
        application.wsgi_app = SharedDataMiddleware(  # type: ignore[method-assign]
            application.wsgi_app, {AXE_URL: str(axe_script)}, cache_timeout=3600
        )
        return application

    with serving(build) as url:
        yield Site(url, frozenset(), (Walk("reader", "student@demo.test", "vi-VN", tuple(paths)),))


def test_every_seed_lecture_fits_a_phone_and_passes_axe(browser: Browser, library: Site) -> None:
    """Each lecture has its own long formulas, tables, code and figures."""
    (walk,) = library.walks
    context = browser.new_context(locale=walk.locale, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        _log_in(page, library.url, "student@demo.test")
        problems = [p for path in walk.paths for p in _problems(page, library.url, path, "reader")]
    finally:
        context.close()
    assert len(walk.paths) >= 25, walk.paths
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
