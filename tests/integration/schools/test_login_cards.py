"""Login cards and a pupil's password reset: who may print them, what a card says (its QR code
read back by an independent decoder), what printing changes (all in one go, audited without
passwords), and what it never does (a GET, another class's pupils, a teacher's account)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import InstitutionKind, Role, User
from mooc.accounts.passwords import verify_password
from mooc.db import utcnow
from mooc.schools.models import ClassMember, ClassRole, SchoolClass
from tests.factories import (
    PASSWORD,
    make_class_teacher,
    make_institution,
    make_pupil,
    make_school_class,
    make_user,
)
from tests.helpers import csrf_from, login
from tests.qr import decode_qr_svg

CARD = re.compile(
    r'<article class="login-card".*?<h2 class="login-card-name">(?P<name>[^<]+)</h2>'
    r".*?<code>(?P<login>[^<]+)</code>.*?"
    r'class="login-card-password">(?P<password>[^<]+)</code>.*?(?P<svg><svg .*?</svg>)',
    re.S,
)


@dataclass
class Klass:
    school_class: SchoolClass
    teacher: User
    pupils: list[User]


@pytest.fixture
def klass(session: Session) -> Klass:
    school_class = make_school_class(session, name="6A1")
    teacher = make_class_teacher(session, school_class)
    pupils = [
        make_pupil(session, school_class, "Trần Thị Bình", username="binh.tran.6a1"),
        make_pupil(session, school_class, "Nguyễn Văn An", username="an.nguyen.6a1"),
        # No username yet: the card gives one.
        make_pupil(session, school_class, "Lê Minh Châu", email="chau@example.test"),
    ]
    session.commit()
    return Klass(school_class, teacher, pupils)


def signed_in_as(client: FlaskClient, user: User) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, user.login_name, PASSWORD).status_code == 303
    return client


@pytest.fixture
def teacher(client: FlaskClient, klass: Klass) -> FlaskClient:
    return signed_in_as(client, klass.teacher)


def cards_url(school_class: SchoolClass) -> str:
    return f"/classes/{school_class.id}/login-cards"


def print_cards(client: FlaskClient, school_class: SchoolClass, scope: str = "all", pupils=()):  # type: ignore[no-untyped-def]
    token = csrf_from(client, cards_url(school_class))
    return client.post(
        cards_url(school_class),
        data={"scope": scope, "pupils": [str(p) for p in pupils], "csrf_token": token},
    )


def cards_on(page: str) -> list[dict[str, str]]:
    return [match.groupdict() for match in CARD.finditer(page)]


def test_the_form_lists_the_class_pupils_by_given_name_and_changes_nothing(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    before = [p.password_hash for p in klass.pupils]
    page = teacher.get(cards_url(klass.school_class)).get_data(as_text=True)
    names = re.findall(r'<label for="pupil-\d+">([^<]+)</label>', page)
    assert names == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu"]
    assert "made on printing" in page  # Châu has no username yet
    for pupil, old in zip(klass.pupils, before, strict=True):
        session.refresh(pupil)
        assert pupil.password_hash == old
        assert not pupil.must_change_password


def test_printing_gives_every_pupil_a_card_with_a_one_time_password_and_a_qr_code(
    app: Flask,
    teacher: FlaskClient,
    session: Session,
    klass: Klass,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="mooc.schools.services.login_cards"):
        response = print_cards(teacher, klass.school_class)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    cards = cards_on(page)
    assert [c["name"] for c in cards] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu"]
    assert [c["login"] for c in cards] == ["an.nguyen.6a1", "binh.tran.6a1", "chau.le.6a1"]
    base = app.config["MOOC_SETTINGS"].base_url
    for card in cards:
        assert re.fullmatch(
            r"[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}", card["password"]
        )
        assert decode_qr_svg(card["svg"]) == [f"{base}/login?login={card['login']}"]
    by_login = {p.login_name: p for p in klass.pupils}
    session.expire_all()
    for card in cards:
        pupil = session.get(User, by_login.get(card["login"], klass.pupils[2]).id)
        assert pupil is not None
        assert pupil.username == card["login"]
        assert pupil.must_change_password
        assert verify_password(pupil.password_hash, card["password"])
        assert not verify_password(pupil.password_hash, PASSWORD)
        assert card["password"] not in caplog.text
    assert (
        f"user {klass.teacher.id} printed login cards for class {klass.school_class.id}: "
        "3 pupils (all)"
    ) in caplog.text
    assert "Class 6A1" in page


def test_a_card_opens_the_sign_in_page_filled_in_and_its_password_leads_to_choosing_one(
    teacher: FlaskClient, app: Flask, klass: Klass
) -> None:
    card = cards_on(print_cards(teacher, klass.school_class).get_data(as_text=True))[0]
    pupil = app.test_client()
    pupil.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = pupil.get(f"/login?login={card['login']}").get_data(as_text=True)
    assert f'value="{card["login"]}"' in form
    answer = login(pupil, card["login"], card["password"])
    assert answer.status_code == 303
    assert answer.location.startswith("/account/choose-password")


def test_only_the_ticked_pupils_get_new_passwords(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    an, binh = klass.pupils[1], klass.pupils[0]
    cards = cards_on(print_cards(teacher, klass.school_class, "selected", [an.id]).get_data(True))
    assert [c["login"] for c in cards] == ["an.nguyen.6a1"]
    session.refresh(binh)
    assert verify_password(binh.password_hash, PASSWORD)
    assert not binh.must_change_password


def test_only_pupils_who_never_signed_in(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    klass.pupils[0].last_login_at = utcnow()
    klass.pupils[2].last_login_at = utcnow()
    session.commit()
    cards = cards_on(print_cards(teacher, klass.school_class, "never").get_data(as_text=True))
    assert [c["login"] for c in cards] == ["an.nguyen.6a1"]


def test_ticking_nobody_prints_nothing(teacher: FlaskClient, klass: Klass) -> None:
    response = print_cards(teacher, klass.school_class, "selected", [])
    assert response.status_code == 422
    assert "There is no pupil to print a card for." in response.get_data(as_text=True)


def test_a_taken_username_gets_a_number(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    make_pupil(session, make_school_class(session, name="6A9"), "Other", username="chau.le.6a1")
    session.commit()
    cards = cards_on(print_cards(teacher, klass.school_class).get_data(as_text=True))
    assert cards[2]["login"] == "chau.le2.6a1"


def test_printing_ends_the_pupils_sessions(app: Flask, teacher: FlaskClient, klass: Klass) -> None:
    device = signed_in_as(app.test_client(), klass.pupils[0])
    assert device.get("/account").status_code == 200
    print_cards(teacher, klass.school_class)
    assert device.get("/account").status_code == 302


def test_a_pupil_of_another_class_cannot_be_ticked(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    stranger = make_pupil(
        session, make_school_class(session, name="7B"), "Stranger", username="s.7b"
    )
    session.commit()
    response = print_cards(teacher, klass.school_class, "selected", [stranger.id])
    assert response.status_code == 422
    session.refresh(stranger)
    assert verify_password(stranger.password_hash, PASSWORD)
    assert not stranger.must_change_password


def test_a_teacher_enrolled_as_a_pupil_gets_no_card(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    colleague = make_user(session, (klass.school_class.institution.slug, Role.TEACHER))
    session.add(ClassMember(school_class=klass.school_class, user=colleague, role=ClassRole.PUPIL))
    session.commit()
    cards = cards_on(print_cards(teacher, klass.school_class).get_data(as_text=True))
    assert colleague.email not in [c["login"] for c in cards]
    assert len(cards) == 3
    session.refresh(colleague)
    assert verify_password(colleague.password_hash, PASSWORD)


def test_school_staff_print_cards_too(client: FlaskClient, session: Session, klass: Klass) -> None:
    staff = make_user(session, (klass.school_class.institution.slug, Role.STAFF))
    session.commit()
    signed_in_as(client, staff)
    assert len(cards_on(print_cards(client, klass.school_class).get_data(as_text=True))) == 3


@pytest.mark.parametrize("who", ["other-teacher", "other-staff", "pupil", "school-teacher"])
def test_people_who_do_not_teach_the_class_get_not_found_and_change_nothing(
    client: FlaskClient, session: Session, klass: Klass, who: str
) -> None:
    other_class = make_school_class(session, name="9C")
    if who == "other-teacher":
        person = make_class_teacher(session, other_class)
    elif who == "other-staff":
        person = make_user(session, (other_class.institution.slug, Role.STAFF))
    elif who == "school-teacher":  # a teacher of the school, but not of this class
        person = make_user(session, (klass.school_class.institution.slug, Role.TEACHER))
    else:
        person = klass.pupils[0]
    session.commit()
    signed_in_as(client, person)
    url = cards_url(klass.school_class)
    assert client.get(url).status_code == 404
    token = csrf_from(client, "/")
    answer = client.post(url, data={"scope": "all", "csrf_token": token})
    assert answer.status_code == 404
    target = klass.pupils[1]
    reset = f"/classes/{klass.school_class.id}/pupils/{target.id}/password"
    assert client.get(reset).status_code == 404
    assert client.post(reset, data={"csrf_token": token}).status_code == 404
    session.refresh(target)
    assert verify_password(target.password_hash, PASSWORD)


def test_visitors_are_sent_to_sign_in(client: FlaskClient, klass: Klass) -> None:
    response = client.get(cards_url(klass.school_class))
    assert response.status_code == 302
    assert "/login" in response.location


def test_without_the_csrf_token_nothing_changes(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    assert teacher.post(cards_url(klass.school_class), data={"scope": "all"}).status_code == 400
    reset = f"/classes/{klass.school_class.id}/pupils/{klass.pupils[0].id}/password"
    assert teacher.post(reset).status_code == 400
    session.refresh(klass.pupils[0])
    assert verify_password(klass.pupils[0].password_hash, PASSWORD)


# --- one pupil's password ----------------------------------------------------------------------


def reset_url(klass: Klass, pupil: User) -> str:
    return f"/classes/{klass.school_class.id}/pupils/{pupil.id}/password"


def test_a_teacher_resets_one_pupils_password(
    app: Flask,
    teacher: FlaskClient,
    session: Session,
    klass: Klass,
    caplog: pytest.LogCaptureFixture,
) -> None:
    binh, an = klass.pupils[0], klass.pupils[1]
    device = signed_in_as(app.test_client(), binh)
    confirm = teacher.get(reset_url(klass, binh))
    assert confirm.status_code == 200
    assert "Reset the password of Trần Thị Bình" in confirm.get_data(as_text=True)
    session.refresh(binh)
    assert verify_password(binh.password_hash, PASSWORD)  # the GET changed nothing
    token = csrf_from(teacher, reset_url(klass, binh))
    with caplog.at_level(logging.INFO, logger="mooc.schools.services.login_cards"):
        response = teacher.post(reset_url(klass, binh), data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    (card,) = cards_on(response.get_data(as_text=True))
    assert card["login"] == "binh.tran.6a1"
    session.expire_all()
    binh = session.get(User, binh.id)  # type: ignore[assignment]
    assert binh.must_change_password
    assert verify_password(binh.password_hash, card["password"])
    assert device.get("/account").status_code == 302  # signed out
    assert (
        f"user {klass.teacher.id} reset the password of pupil {binh.id} "
        f"in class {klass.school_class.id}"
    ) in caplog.text
    assert card["password"] not in caplog.text
    session.refresh(an)
    assert verify_password(an.password_hash, PASSWORD)  # nobody else's


def test_a_teacher_cannot_reset_a_pupil_of_another_class_or_a_teacher(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    stranger = make_pupil(session, make_school_class(session, name="8D"), "X", username="x.8d")
    colleague = make_class_teacher(session, klass.school_class, ClassRole.TEACHER)
    enrolled = make_user(session, (klass.school_class.institution.slug, Role.STAFF))
    session.add(ClassMember(school_class=klass.school_class, user=enrolled, role=ClassRole.PUPIL))
    session.commit()
    token = csrf_from(teacher, "/")
    for person, status in ((stranger, 404), (colleague, 404), (enrolled, 403)):
        assert teacher.get(reset_url(klass, person)).status_code == status, person.name
        answer = teacher.post(reset_url(klass, person), data={"csrf_token": token})
        assert answer.status_code == status, person.name
        session.refresh(person)
        assert verify_password(person.password_hash, PASSWORD)
        assert not person.must_change_password


def test_a_left_pupil_is_no_longer_in_the_class(
    teacher: FlaskClient, session: Session, klass: Klass
) -> None:
    member = next(m for m in klass.school_class.members if m.user_id == klass.pupils[0].id)
    member.ended_at = utcnow()
    session.commit()
    assert teacher.get(reset_url(klass, klass.pupils[0])).status_code == 404
    cards = cards_on(print_cards(teacher, klass.school_class).get_data(as_text=True))
    assert "binh.tran.6a1" not in [c["login"] for c in cards]


def test_schools_are_separate(session: Session) -> None:
    """The factories make a school per class unless told: staff of one see nothing of another."""
    one = make_school_class(session)
    other = make_school_class(session, school=make_institution(session, InstitutionKind.SCHOOL))
    assert one.institution_id != other.institution_id
