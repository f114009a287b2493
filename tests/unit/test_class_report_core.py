"""The class report's arithmetic: late marks, tallies, the counted attempt, Vietnamese name order,
the share-correct chart, formula-safe CSV text."""

from __future__ import annotations

import datetime as dt

from mooc.folding import name_sort_key
from mooc.schools.core.charts import percent_bars_svg
from mooc.schools.core.report import NOTHING, Lateness, Work, counted_attempt, tally
from mooc.web.spreadsheets import csv_safe

DUE = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
BEFORE, AFTER = DUE - dt.timedelta(minutes=1), DUE + dt.timedelta(minutes=1)


def test_done_late_is_apart_from_late_and_from_done_on_time() -> None:
    assert Work(done=True, done_at=BEFORE).lateness(DUE, AFTER) is Lateness.NONE
    assert Work(done=True, done_at=DUE).lateness(DUE, AFTER) is Lateness.NONE  # on the minute
    assert Work(done=True, done_at=AFTER).lateness(DUE, AFTER) is Lateness.DONE_LATE
    assert Work(done=True, done_at=None).lateness(DUE, AFTER) is Lateness.NONE  # no evidence
    assert NOTHING.lateness(DUE, BEFORE) is Lateness.NONE
    assert NOTHING.lateness(DUE, AFTER) is Lateness.LATE
    assert NOTHING.lateness(None, AFTER) is Lateness.NONE  # no due time: never late
    assert Work(done=True, done_at=AFTER).lateness(None, AFTER) is Lateness.NONE


def test_tally_averages_only_scored_work_and_counts_done_late_apart() -> None:
    cells = [
        (Work(done=True, score=80), Lateness.NONE),
        (Work(done=True, score=50), Lateness.DONE_LATE),
        (Work(done=False, parts_done=1, parts_total=3), Lateness.LATE),
        (NOTHING, Lateness.NONE),
    ]
    result = tally(cells)
    assert (result.done, result.done_late, result.late, result.total, result.average) == (
        2,
        1,
        1,
        4,
        65.0,
    )
    assert result.done_percent == 50
    assert tally([]).average is None and tally([]).done_percent == 0


def test_counted_attempt_is_the_first_best_or_the_last() -> None:
    assert counted_attempt([40, 90, 90, 60], "best") == 1
    assert counted_attempt([40, 90, 60], "last") == 2
    assert counted_attempt([], "best") is None


def test_names_sort_by_given_name_folded() -> None:
    names = ["Nguyễn Thị Bình", "Trần Văn An", "Lê Ánh", "Đỗ Đức Anh", "Phạm Văn An"]
    assert sorted(names, key=name_sort_key) == [
        "Phạm Văn An",
        "Trần Văn An",
        "Đỗ Đức Anh",
        "Lê Ánh",
        "Nguyễn Thị Bình",
    ]


def test_percent_bars_are_accessible_and_escaped() -> None:
    svg = percent_bars_svg("Đúng <b>", "desc & more", [("Q1", 75.0), ("Q2", None)], chart_id="c")
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Đúng &lt;b&gt;</title>' in svg
    assert "desc &amp; more" in svg
    assert "75%" in svg and svg.count("<rect") == 1  # no bar for a question nobody drew


def test_csv_safe_neutralises_formulas_only() -> None:
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("-2") == "'-2"
    assert csv_safe("Nguyễn An") == "Nguyễn An"
