"""What a course's outcomes are called at its level, in the words its teachers use.

School courses follow the 2018 general education programme, whose outcomes are *yêu cầu cần đạt*;
university courses state *chuẩn đầu ra*. Both are stored in `Course.outcomes`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mooc.catalog.models import Level

_HEADINGS = {Level.K12: _l("Required outcomes"), Level.UNIVERSITY: _l("Learning outcomes")}
_FIELDS = {
    Level.K12: _l("Required outcomes, one per line"),
    Level.UNIVERSITY: _l("Learning outcomes, one per line"),
}


def outcomes_heading(level: str) -> str:
    """The heading over a course's outcomes: "Yêu cầu cần đạt" at school, "Chuẩn đầu ra" beyond."""
    return str(_HEADINGS[Level(level)])


def outcomes_field_label(level: str) -> str:
    """The label of the outcomes box in the course editor, for a course of `level`."""
    return str(_FIELDS[Level(level)])
