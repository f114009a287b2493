"""Learning on a phone: a failed result offers another try at its top; times are shown in the
user's time zone with its label, never as raw ISO text; timed attempts count down."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.assessment.models import QuizAttempt
from mooc.db import utcnow
from mooc.settings import SettingsError, load_settings
from tests.integration.learning.learners import (
    MATH,
    MATH_QUIZ,
    Browser,
    attempt,
    browse,
    right_answers,
    wrong_answers,
)

OVERVIEW = f"/courses/{MATH}/quizzes/{MATH_QUIZ}"
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _failed_attempt(learner: Browser, session: Session) -> QuizAttempt:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    return found


def _text(page: str) -> str:
    """What a reader sees: the page without its tags (attributes may keep ISO values)."""
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture
def learner(client: FlaskClient, session: Session) -> Browser:
    return browse(client, session)


# --- trying again -----------------------------------------------------------------------------


def test_a_failed_result_offers_to_try_again_above_the_feedback(
    learner: Browser, session: Session
) -> None:
    found = _failed_attempt(learner, session)
    page = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    retry = page.index('<div class="retry">')
    assert retry < page.index('<ol class="feedback"')  # at the top, before the questions
    block = page[retry : page.index("</div>", retry)]
    assert f'action="/courses/{MATH}/quizzes/{MATH_QUIZ}/start"' in block
    assert 'name="csrf_token"' in block
    assert ">Try again</button>" in block
    assert "2 attempts left" in block

    again = learner.post(f"/courses/{MATH}/quizzes/{MATH_QUIZ}/start")  # what the button sends
    assert again.status_code == 303
    assert attempt(session, again).number == 2


def test_the_retry_speaks_vietnamese(learner: Browser, session: Session) -> None:
    found = _failed_attempt(learner, session)
    learner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    block = page[page.index('<div class="retry">') : page.index('<ol class="feedback"')]
    assert "Làm lại" in block
    assert "Còn 2 lần làm bài" in block


def test_a_passed_result_offers_no_retry(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    page = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    assert 'class="retry"' not in page
    assert "Try again" not in page


def test_the_last_failed_attempt_says_none_are_left(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    for _ in range(3):
        found = attempt(session, learner.start(MATH, MATH_QUIZ))
        learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    page = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    block = page[page.index('<div class="retry">') : page.index('<ol class="feedback"')]
    assert "You have used all your attempts at this quiz." in block
    assert "Try again" not in block


# --- times in the user's zone -------------------------------------------------------------------


def _submitted_at(session: Session, found: QuizAttempt, when: dt.datetime) -> None:
    found.submitted_at = when
    session.commit()


def test_times_show_in_vietnam_time_by_default_with_the_zone(
    learner: Browser, session: Session
) -> None:
    found = _failed_attempt(learner, session)
    _submitted_at(session, found, dt.datetime(2026, 12, 4, 14, 5, tzinfo=dt.UTC))
    page = learner.get(OVERVIEW).get_data(as_text=True)
    assert '<time datetime="2026-12-04T14:05:00Z" title="Asia/Ho_Chi_Minh">' in page
    assert "Dec 4, 2026, 9:05\u202fPM (GMT+07:00)</time>" in page
    assert not ISO_DAY.search(_text(page))

    learner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = learner.get(OVERVIEW).get_data(as_text=True)
    assert "21:05 4 thg 12, 2026 (GMT+07:00)</time>" in page


def test_a_time_zone_chosen_in_the_profile_moves_every_time(
    learner: Browser, session: Session
) -> None:
    found = _failed_attempt(learner, session)
    _submitted_at(session, found, dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC))
    saved = learner.post(
        "/account", {"name": learner.user.name, "locale": "", "timezone": "America/New_York"}
    )
    assert saved.status_code == 303
    session.refresh(learner.user)
    assert learner.user.timezone == "America/New_York"
    profile = learner.get("/account").get_data(as_text=True)
    assert '<option selected value="America/New_York">' in profile

    page = learner.get(OVERVIEW).get_data(as_text=True)
    assert "Dec 4, 2026, 6:30\u202fPM (GMT-05:00)</time>" in page  # still the 4th in New York

    learner.post("/account", {"name": learner.user.name, "locale": "", "timezone": ""})
    session.refresh(learner.user)
    assert learner.user.timezone is None  # back to the platform's default
    assert "Dec 5, 2026, 6:30\u202fAM (GMT+07:00)" in learner.get(OVERVIEW).get_data(as_text=True)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "x" * 300])
def test_an_unknown_time_zone_is_refused_with_a_reason(
    learner: Browser, session: Session, zone: str
) -> None:
    refused = learner.post("/account", {"name": "Tên Mới", "locale": "", "timezone": zone})
    assert refused.status_code == 422
    assert "Choose a time zone from the list." in refused.get_data(as_text=True)
    session.refresh(learner.user)
    assert learner.user.timezone is None
    assert learner.user.name != "Tên Mới"


def test_the_default_time_zone_setting_is_checked(tmp_path: Path) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ).default_timezone == "Asia/Ho_Chi_Minh"
    assert load_settings({**environ, "MOOC_DEFAULT_TIMEZONE": "Europe/Paris"}).default_timezone == (
        "Europe/Paris"
    )
    with pytest.raises(SettingsError, match="MOOC_DEFAULT_TIMEZONE"):
        load_settings({**environ, "MOOC_DEFAULT_TIMEZONE": "Saigon"})
    # MOOC_TIMEZONE, the documented name, wins over the older one.
    both = {**environ, "MOOC_TIMEZONE": "Asia/Tokyo", "MOOC_DEFAULT_TIMEZONE": "Europe/Paris"}
    assert load_settings(both).default_timezone == "Asia/Tokyo"
    with pytest.raises(SettingsError, match="MOOC_TIMEZONE"):
        load_settings({**environ, "MOOC_TIMEZONE": "Hanoi"})


# --- timed quizzes ------------------------------------------------------------------------------


def test_a_timed_attempt_shows_its_deadline_and_a_countdown(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    found.deadline_at = utcnow().replace(microsecond=0) + dt.timedelta(minutes=5)
    session.commit()
    page = learner.get(f"/attempts/{found.id}").get_data(as_text=True)
    deadline = found.deadline_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    assert f'Submit before <time datetime="{deadline}"' in page  # readable without script
    match = re.search(r'class="countdown" role="timer" hidden\s+data-seconds-left="(\d+)"', page)
    assert match, "the countdown box is missing"
    assert 290 <= int(match.group(1)) <= 300
    assert 'data-label="Time left: {time}"' in page
    assert re.search(r'<script src="/static/js/countdown\.js\?v=\w+" defer>', page)


def test_an_untimed_attempt_has_no_countdown(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    page = learner.get(f"/attempts/{found.id}").get_data(as_text=True)
    assert "countdown" not in page
