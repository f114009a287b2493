"""Every stored code of an enum has its words in `mooc.labels`, in both languages."""

from __future__ import annotations

import enum
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from mooc.accounts.models import InstitutionKind, Role
from mooc.assessment.models import AttemptPolicy, RevealPolicy
from mooc.catalog.models import Level
from mooc.credentials.models import CredentialKind
from mooc.labels import VOCABULARIES, label, level_words
from mooc.schools.core.records import PersonRole
from mooc.schools.models import AssignmentKind
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import IssuerOrigin, ItemState, Outcome

ROOT = Path(__file__).resolve().parents[2]
ENUMS: list[tuple[str, type[enum.Enum]]] = [
    ("role", Role),
    ("institution_kind", InstitutionKind),
    ("transfer_state", ItemState),
    ("transfer_outcome", Outcome),
    ("transfer_method", Method),
    ("issuer_origin", IssuerOrigin),
    ("course_level", Level),
    ("attempt_policy", AttemptPolicy),
    ("reveal_policy", RevealPolicy),
    ("credential_kind", CredentialKind),
    ("assignment_kind", AssignmentKind),
    ("roster_role", PersonRole),
]


@pytest.fixture
def vi_app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "mooc" / "translations")
    Babel(app)
    return app


@pytest.mark.parametrize(("vocabulary", "codes"), ENUMS, ids=[name for name, _ in ENUMS])
def test_every_enum_value_has_a_label(vocabulary: str, codes: type[enum.Enum]) -> None:
    assert {member.value for member in codes} <= set(VOCABULARIES[vocabulary])


def test_labels_speak_the_reader_language(vi_app: Flask) -> None:
    with vi_app.test_request_context():
        assert label("transfer_state", ItemState.ACCEPTED) == "Recognised"
        with force_locale("vi"):
            assert label("transfer_state", ItemState.ACCEPTED) != "Recognised"
            assert label("role", "teacher") == label("role", Role.TEACHER) != "Teacher"


def test_unknown_codes_show_as_they_are_and_unknown_vocabularies_fail(vi_app: Flask) -> None:
    with vi_app.test_request_context():
        assert label("transfer_action", "something-new") == "something-new"
        assert label("role", None) == ""
        with pytest.raises(KeyError):
            label("no-such-vocabulary", "x")


def test_labels_with_a_number_fill_it_in_the_reader_language(vi_app: Flask) -> None:
    with vi_app.test_request_context():
        assert label("course_level", Level.K12, n=7) == "Grade 7"
        assert label("course_level", "university", n=None) == "University"
        with force_locale("vi"):
            assert label("course_level", "k12", n=7) == "Lớp 7"


def test_record_levels_are_named_numbered_or_left_to_the_issuer(vi_app: Flask) -> None:
    with vi_app.test_request_context():
        assert level_words("eqf", "6") == "Bachelor level (EQF level 6)"
        assert level_words("eqf", "5") == "EQF level 5"
        assert level_words("k12", "9") == "Grade 9"
        assert level_words("", "") == ""
