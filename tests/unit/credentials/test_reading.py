"""One defensive reader of records: the summary people see and the facts rules weigh say the
same about the same record, and JSON of any shape is read without an error."""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from mooc.credentials.core.reading import (
    NotACourseRecord,
    course_records,
    read_course_record,
    summarize,
)
from mooc.credentials.core.records import achievement_credential
from tests.unit.credentials.samples import CONTEXT_URL, completion, course


def record(workload_hours: float = 150.0) -> dict[str, Any]:
    achievement = replace(course(), workload_hours=workload_hours)
    return achievement_credential(completion(achievement=achievement), context_url=CONTEXT_URL)


@pytest.mark.parametrize(("hours", "shown"), [(150.0, "150"), (37.5, "37.5")])
def test_the_summary_and_the_course_facts_agree_on_a_record(hours: float, shown: str) -> None:
    document = record(hours)

    summary = summarize(document)
    facts = read_course_record(document)

    assert summary.kind == "achievement"
    assert summary.workload == shown and facts.workload_hours == Decimal(shown)
    assert summary.course_code == facts.course_code == "CS101"
    assert summary.credits == "3" and facts.credits == Decimal(3)
    assert summary.grade == facts.grade_text == "8.5"
    assert summary.issuer_id == facts.issuer


@pytest.mark.parametrize(
    "junk",
    [None, 7, "text", [], {"type": 5}, {"type": ["OpenBadgeCredential"], "credentialSubject": []}],
)
def test_json_of_any_shape_is_summarized_and_refused_as_a_course_record(junk: Any) -> None:
    assert summarize(junk).kind == "other"
    with pytest.raises(NotACourseRecord):
        course_records(junk)


def test_a_transcript_is_summarized_and_read_as_its_course_records() -> None:
    embedded = record()
    transcript = {
        "type": ["VerifiableCredential", "ClrCredential"],
        "id": "urn:uuid:transcript",
        "credentialSubject": {"verifiableCredential": [embedded, copy.deepcopy(embedded), 3]},
    }

    found, transcript_id = course_records(transcript)

    assert summarize(transcript).records == 3
    assert transcript_id == "urn:uuid:transcript"
    assert [item.course_code for item in found] == ["CS101", "CS101"]
