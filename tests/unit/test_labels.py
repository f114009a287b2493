"""Every stored code of an enum has its words in `mooc.labels`, in both languages."""

from __future__ import annotations

import enum
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from mooc.accounts.models import InstitutionKind, Role
from mooc.labels import VOCABULARIES, label
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
