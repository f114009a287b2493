"""Quiz settings travel in course packages: exported when not at their defaults, read back,
and a pool larger than the quiz is refused with the file and field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask
from sqlalchemy.orm import Session

from mooc.assessment.models import RevealPolicy
from mooc.authoring.core.package_format import PackageError, load_course
from mooc.authoring.packages.exporting import export_course
from tests.integration.schools.classrooms import MATH, MATH_QUIZ, course, quiz


def test_settings_are_exported_and_read_back(app: Flask, session: Session, tmp_path: Path) -> None:
    found = quiz(session)
    found.reveal = RevealPolicy.AFTER_DUE
    found.shuffle_options = True
    found.pool_size = 4
    session.flush()
    export_course(session, app.extensions["mooc_storage"], course(session), tmp_path)
    written = yaml.safe_load((tmp_path / MATH / "quizzes" / f"{MATH_QUIZ}.yaml").read_text())
    assert (written["reveal"], written["shuffle_options"], written["pool_size"]) == (
        "after_due",
        True,
        4,
    )
    assert "shuffle_questions" not in written  # defaults are left out
    spec = load_course(tmp_path / MATH).quizzes[MATH_QUIZ]
    assert (spec.reveal, spec.shuffle_options, spec.shuffle_questions, spec.pool_size) == (
        "after_due",
        True,
        False,
        4,
    )


def test_a_pool_larger_than_the_quiz_is_refused(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    export_course(session, app.extensions["mooc_storage"], course(session), tmp_path)
    path = tmp_path / MATH / "quizzes" / f"{MATH_QUIZ}.yaml"
    path.write_text("pool_size: 99\n" + path.read_text(), encoding="utf-8")
    with pytest.raises(PackageError) as raised:
        load_course(tmp_path / MATH)
    assert f"{MATH_QUIZ}.yaml:1: 'pool_size' must be a whole number from 1 to 10" in str(
        raised.value
    )
