"""Navigation between a package's SCOs (pure): the requests a SCO may leave in adl.nav.request,
flow and choice in manifest order, the controlMode a manifest writes, and the rollup."""

from __future__ import annotations

import pytest

from mooc.scorm.core.manifest import parse_manifest
from mooc.scorm.core.navigation import (
    END,
    LAUNCH,
    STAY,
    SUSPEND,
    Decision,
    NavigationRefused,
    Request,
    Step,
    decide,
    parse_request,
    rolled_up,
    validity,
)
from tests.scorm_packages import manifest

STEPS = [Step("a"), Step("b"), Step("c")]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("continue", Request("continue")),
        ("previous", Request("previous")),
        ("{target=c}choice", Request("choice", "c")),
        ("{target=part-2}jump", Request("jump", "part-2")),
        ("exit", Request("exit")),
        ("exitAll", Request("exitAll")),
        ("suspendAll", Request("suspendAll")),
        ("_none_", Request("_none_")),
    ],
)
def test_requests_are_read_as_scorm_2004_writes_them(text: str, wanted: Request) -> None:
    assert parse_request(text) == wanted


@pytest.mark.parametrize("text", ["", "next", "choice", "{target=}choice", "{target=a b}choice"])
def test_other_requests_are_refused_with_a_code(text: str) -> None:
    with pytest.raises(NavigationRefused) as refused:
        parse_request(text)
    assert refused.value.code == "unknown-request"


@pytest.mark.parametrize(
    ("current", "text", "decision"),
    [
        (None, "continue", Decision(LAUNCH, "a")),
        ("a", "continue", Decision(LAUNCH, "b")),
        ("b", "continue", Decision(LAUNCH, "c")),
        ("c", "previous", Decision(LAUNCH, "b")),
        ("a", "{target=c}choice", Decision(LAUNCH, "c")),
        ("b", "exit", Decision(STAY)),
        ("b", "_none_", Decision(STAY)),
        ("b", "exitAll", Decision(END)),
        ("b", "suspendAll", Decision(SUSPEND)),
    ],
)
def test_flow_and_choice_in_manifest_order(
    current: str | None, text: str, decision: Decision
) -> None:
    assert decide(STEPS, current, parse_request(text)) == decision


@pytest.mark.parametrize(
    ("current", "text", "code"),
    [
        ("c", "continue", "no-next"),
        ("a", "previous", "no-previous"),
        (None, "previous", "no-previous"),
        ("a", "{target=z}choice", "no-such-sco"),
    ],
)
def test_moves_beyond_the_package_are_refused(current: str | None, text: str, code: str) -> None:
    with pytest.raises(NavigationRefused) as refused:
        decide(STEPS, current, parse_request(text))
    assert refused.value.code == code


def test_request_valid_answers_what_decide_allows() -> None:
    assert validity(STEPS, "a") == {
        "continue": "true",
        "previous": "false",
        "choice": ["a", "b", "c"],
    }
    assert validity(STEPS, "b")["continue"] == validity(STEPS, "b")["previous"] == "true"
    assert validity(STEPS, "c") == {
        "continue": "false",
        "previous": "true",
        "choice": ["a", "b", "c"],
    }


def test_a_written_control_mode_is_honoured() -> None:
    no_flow = [Step("a", flow=False), Step("b", flow=False)]
    assert validity(no_flow, "a")["continue"] == "false"
    with pytest.raises(NavigationRefused, match="no-next"):
        decide(no_flow, "a", Request("continue"))
    assert decide(no_flow, "a", Request("choice", "b")) == Decision(LAUNCH, "b")
    forward = [Step("a", forward_only=True), Step("b", forward_only=True)]
    assert validity(forward, "b")["previous"] == "false"
    no_choice = [Step("a", choice=False), Step("b", choice=False)]
    assert validity(no_choice, "a")["choice"] == []
    with pytest.raises(NavigationRefused, match="no-choice"):
        decide(no_choice, "a", Request("choice", "b"))
    # A jump is the SCO's own move: allowed where the learner's choice is not.
    assert decide(no_choice, "a", Request("jump", "b")) == Decision(LAUNCH, "b")


def test_the_manifest_gives_each_sco_its_clusters_control_mode_and_rollup() -> None:
    text = manifest(
        "2004",
        "Ba phần",
        [("a", "Một", "a/index.html"), ("b", "Hai", "b/index.html"), ("c", "Ba", "c/index.html")],
        control='choice="false" flow="true" forwardOnly="true"',
        item_sequencing={
            "c": '<imsss:rollupRules rollupObjectiveSatisfied="false" '
            'rollupProgressCompletion="false"/>',
            "b": '<imsss:deliveryControls tracked="true"/>',
        },
    )
    scos = parse_manifest(text.encode()).scos
    assert [(s.flow, s.choice, s.forward_only) for s in scos] == [(True, False, True)] * 3
    assert [s.counted for s in scos] == [True, True, False]
    plain = parse_manifest(manifest("1.2", "x", [("a", "A", "a/index.html")]).encode()).scos[0]
    assert (plain.flow, plain.choice, plain.forward_only, plain.counted) == (
        True,
        True,
        False,
        True,
    )


def test_the_lesson_rolls_up_from_its_counted_scos() -> None:
    assert rolled_up([True, True, False], [True, True, False])
    assert not rolled_up([True, True, False], [True, False, True])
    assert rolled_up([False, False], [True, True]) and not rolled_up([False, False], [True, False])
    assert not rolled_up([], [])
