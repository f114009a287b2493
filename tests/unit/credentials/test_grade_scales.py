"""Records carry the scales their grade is given on: 10-point, and at university the TT08
letter grade (as rubric levels) and the 4-point value; they still sign and verify."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from mooc.credentials.core.proof import create_proof
from mooc.credentials.core.records import (
    EquivalentResult,
    GradeScale,
    ScaleLevel,
    achievement_credential,
)
from mooc.credentials.core.structure import check_structure

from .samples import CONTEXT_URL, CREATED, KEY, WEB_METHOD, completion, course
from .test_verify import verifier

ACH = course().id
TEN = GradeScale(f"{ACH}#grade-10", "10-point", "ScaledScore", "0", "10", "5.0")
LEVELS = (
    ScaleLevel(f"{ACH}#A", "A", "8.5–10.0", "4.0"),
    ScaleLevel(f"{ACH}#B", "B", "7.0–8.4", "3.0"),
    ScaleLevel(f"{ACH}#F", "F", "0.0–6.9", "0.0"),
)
LETTERS = GradeScale(
    f"{ACH}#letter",
    "Letter",
    "LetterGrade",
    allowed_values=("A", "B", "F"),
    levels=LEVELS,
    required_level=f"{ACH}#B",
)
FOUR = GradeScale(f"{ACH}#grade-4", "4-point", "GradePointAverage", "0", "4", "1.0")


def graded(**changes: Any) -> Any:
    achievement = replace(course(), equivalent_scales=(TEN, LETTERS, FOUR))
    results = (
        EquivalentResult(TEN.id, "8.5"),
        EquivalentResult(LETTERS.id, "A"),
        EquivalentResult(FOUR.id, "4.0"),
    )
    changes.setdefault("equivalent_results", results)
    return completion(achievement=achievement, **changes)


def test_the_record_describes_every_scale_and_states_the_grade_on_each() -> None:
    record = achievement_credential(graded(), context_url=CONTEXT_URL)
    descriptions = record["credentialSubject"]["achievement"]["resultDescription"]
    assert [d["resultType"] for d in descriptions] == [
        "ScaledScore",
        "ScaledScore",
        "LetterGrade",
        "GradePointAverage",
    ]
    letters = descriptions[2]
    assert letters["allowedValue"] == ["A", "B", "F"]
    assert letters["requiredLevel"] == f"{ACH}#B"
    assert letters["rubricCriterionLevel"][0] == {
        "id": f"{ACH}#A",
        "type": ["RubricCriterionLevel"],
        "name": "A",
        "description": "8.5–10.0",
        "points": "4.0",
    }
    results = record["credentialSubject"]["result"]
    assert results[0]["value"] == "8.5" and results[0]["status"] == "Completed"
    assert [(r["resultDescription"], r["value"]) for r in results[1:]] == [
        (TEN.id, "8.5"),
        (LETTERS.id, "A"),
        (FOUR.id, "4.0"),
    ]
    assert results[2]["achievedLevel"] == f"{ACH}#A"
    assert "achievedLevel" not in results[1]


def test_a_record_with_scales_signs_verifies_and_a_changed_letter_fails() -> None:
    signed = create_proof(
        achievement_credential(graded(), context_url=CONTEXT_URL), KEY, WEB_METHOD, CREATED
    )
    structure = check_structure(signed)
    assert structure.well_formed, structure.errors
    assert structure.warnings == ()
    assert verifier().verify(signed).verified
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][2]["value"] = "B"
    assert not verifier().verify(tampered).verified


def test_results_must_name_a_scale_and_a_level_it_has() -> None:
    with pytest.raises(ValueError, match="no equivalent scale"):
        graded(equivalent_results=(EquivalentResult(f"{ACH}#elsewhere", "8"),))
    with pytest.raises(ValueError, match="not a level"):
        graded(equivalent_results=(EquivalentResult(LETTERS.id, "C"),))
    with pytest.raises(ValueError, match="required level"):
        GradeScale(f"{ACH}#x", "x", "LetterGrade", levels=LEVELS, required_level=f"{ACH}#Z")
    with pytest.raises(ValueError, match="its own id"):
        replace(course(), equivalent_scales=(TEN, TEN))
