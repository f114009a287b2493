"""Moving between the SCOs of a package: the SCORM 2004 navigation requests a SCO leaves in
`adl.nav.request` when it terminates, and the player's own previous, next and table of contents.

A small, honest subset of IMS Simple Sequencing: the SCOs in manifest order (flow), a choice of
any SCO, and the parent cluster's controlMode (`flow`, `choice`, `forwardOnly`) where the
manifest writes it. No sequencing rules, limit conditions or objectives are evaluated.

Pure: the package's SCOs (as kept on its row) and a request in, a `Decision` or a
`NavigationRefused` with a reason code out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# What a SCO may write into adl.nav.request (SCORM 2004 4th edition, RTE 4.4.1).
_REQUEST = re.compile(
    r"^(?:\{target=(?P<target>[^{}\s]{1,255})\}(?P<targeted>choice|jump)"
    r"|(?P<plain>_none_|continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|"
    r"start|resumeAll|retry|retryAll))$"
)

# The player's action after a request.
LAUNCH = "launch"  # open `target`
STAY = "stay"  # the SCO has ended; the learner picks what comes next
END = "end"  # the whole lesson has ended (exitAll, abandonAll)
SUSPEND = "suspend"  # the whole lesson is put aside, to resume later (suspendAll)


class NavigationRefused(ValueError):
    """The request cannot be honoured here; `code` says why (the edge words it)."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Step:
    """One SCO as navigation sees it."""

    identifier: str
    flow: bool = True
    choice: bool = True
    forward_only: bool = False

    @classmethod
    def of(cls, sco: Mapping[str, Any]) -> Step:
        """A SCO as kept on the package row (rows from before sequencing was read allow all)."""
        return cls(
            identifier=str(sco["identifier"]),
            flow=bool(sco.get("flow", True)),
            choice=bool(sco.get("choice", True)),
            forward_only=bool(sco.get("forward_only", False)),
        )


@dataclass(frozen=True)
class Request:
    kind: str  # continue | previous | choice | jump | exit | exitAll | … | _none_
    target: str = ""


@dataclass(frozen=True)
class Decision:
    action: str  # LAUNCH | STAY | END | SUSPEND
    target: str | None = None


def parse_request(text: str) -> Request:
    """`adl.nav.request` as written by the SCO. Raises `NavigationRefused("unknown-request")`."""
    match = _REQUEST.match(text.strip())
    if match is None:
        raise NavigationRefused("unknown-request", request=text[:80])
    if match["targeted"]:
        return Request(match["targeted"], match["target"])
    return Request(match["plain"])


def _index(steps: Sequence[Step], identifier: str | None) -> int | None:
    for index, step in enumerate(steps):
        if step.identifier == identifier:
            return index
    return None


def can_continue(steps: Sequence[Step], current: str | None) -> bool:
    """A next SCO in manifest order that flow reaches (from nothing: the first)."""
    at = _index(steps, current)
    if at is None:
        return bool(steps)
    return at + 1 < len(steps) and steps[at].flow and steps[at + 1].flow


def can_previous(steps: Sequence[Step], current: str | None) -> bool:
    """A previous SCO that flow reaches, unless the cluster is forward only."""
    at = _index(steps, current)
    if at is None or at == 0:
        return False
    step = steps[at]
    return step.flow and not step.forward_only and steps[at - 1].flow


def can_choose(steps: Sequence[Step], target: str) -> bool:
    """The SCO `target` exists and its cluster lets the learner choose it."""
    at = _index(steps, target)
    return at is not None and steps[at].choice


def decide(steps: Sequence[Step], current: str | None, request: Request) -> Decision:
    """What the player does for `request` made from SCO `current` (None: before any SCO).

    Raises `NavigationRefused` with a code: no-next, no-previous, no-choice, no-such-sco,
    unsupported.
    """
    kind = request.kind
    at = _index(steps, current)
    if kind in ("continue", "start") or (kind == "resumeAll" and at is None):
        if not can_continue(steps, current):
            raise NavigationRefused("no-next")
        return Decision(LAUNCH, steps[0 if at is None else at + 1].identifier)
    if kind == "previous":
        if not can_previous(steps, current):
            raise NavigationRefused("no-previous")
        assert at is not None
        return Decision(LAUNCH, steps[at - 1].identifier)
    if kind in ("choice", "jump"):
        if _index(steps, request.target) is None:
            raise NavigationRefused("no-such-sco", target=request.target[:80])
        # A jump is the SCO's own move, allowed whatever the learner may choose.
        if kind == "choice" and not can_choose(steps, request.target):
            raise NavigationRefused("no-choice", target=request.target[:80])
        return Decision(LAUNCH, request.target)
    if kind in ("retry", "resumeAll"):
        if at is None:
            raise NavigationRefused("no-such-sco", target=current or "")
        return Decision(LAUNCH, steps[at].identifier)
    if kind in ("exitAll", "abandonAll"):
        return Decision(END)
    if kind == "suspendAll":
        return Decision(SUSPEND)
    if kind in ("exit", "abandon", "_none_"):
        return Decision(STAY)
    raise NavigationRefused("unsupported", request=kind)


def validity(steps: Sequence[Step], current: str | None) -> dict[str, Any]:
    """What `adl.nav.request_valid.*` answers while `current` runs."""
    return {
        "continue": "true" if can_continue(steps, current) else "false",
        "previous": "true" if can_previous(steps, current) else "false",
        "choice": [step.identifier for step in steps if step.choice],
    }


def rolled_up(counted: Sequence[bool], finished: Sequence[bool]) -> bool:
    """The lesson is done when every counted SCO is completed or passed (every SCO when the
    manifest leaves none counted)."""
    pairs = list(zip(counted, finished, strict=True))
    counting = [done for counts, done in pairs if counts] or [done for _counts, done in pairs]
    return bool(counting) and all(counting)
