"""TT08/2021 Article 10: 0–100 → 10-point (one decimal, half up) → letter → 4-point."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from mooc.assessment.core.scales import BANDS, band_for, scaled_grade, ten_point


@pytest.mark.parametrize(
    ("percent", "ten"),
    [
        (100, "10.0"),
        (0, "0.0"),
        (84.5, "8.5"),  # 8.45 → 8.5: half up, never banker's rounding
        (84.49, "8.4"),
        (84.45, "8.4"),  # 8.445 rounds at the first decimal: 8.4
        (79.5, "8.0"),
        (39.5, "4.0"),
        (39.49, "3.9"),
        (64.5, "6.5"),
        (Decimal("54.95"), "5.5"),
    ],
)
def test_ten_point_rounds_to_one_decimal_half_up(percent: float, ten: str) -> None:
    assert ten_point(percent) == Decimal(ten)


@pytest.mark.parametrize("percent", [-0.01, 100.01, float("nan"), float("inf")])
def test_ten_point_refuses_grades_outside_0_to_100(percent: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        ten_point(percent)


# Every boundary of TT08 Article 10, on both sides.
BOUNDARIES = [
    ("10.0", "A", "4.0"),
    ("8.5", "A", "4.0"),
    ("8.4", "B+", "3.5"),
    ("8.0", "B+", "3.5"),
    ("7.9", "B", "3.0"),
    ("7.0", "B", "3.0"),
    ("6.9", "C+", "2.5"),
    ("6.5", "C+", "2.5"),
    ("6.4", "C", "2.0"),
    ("5.5", "C", "2.0"),
    ("5.4", "D+", "1.5"),
    ("5.0", "D+", "1.5"),
    ("4.9", "D", "1.0"),
    ("4.0", "D", "1.0"),
    ("3.9", "F", "0.0"),
    ("0.0", "F", "0.0"),
]


@pytest.mark.parametrize(("ten", "letter", "points"), BOUNDARIES)
def test_letter_and_four_point_value_at_every_boundary(ten: str, letter: str, points: str) -> None:
    band = band_for(Decimal(ten))
    assert band.letter == letter
    assert band.points == Decimal(points)
    graded = scaled_grade(Decimal(ten) * 10, university=True)
    assert (graded.ten, graded.letter, graded.four_point) == (Decimal(ten), letter, Decimal(points))


@pytest.mark.parametrize(
    ("percent", "letter", "points"),
    [
        (84.5, "A", "4.0"),
        (84.49, "B+", "3.5"),
        (79.5, "B+", "3.5"),
        (79.49, "B", "3.0"),
        (39.5, "D", "1.0"),
        (39.49, "F", "0.0"),
    ],
)
def test_the_letter_follows_the_rounded_score(percent: float, letter: str, points: str) -> None:
    graded = scaled_grade(percent, university=True)
    assert graded.letter == letter and graded.four_point == Decimal(points)


def test_pass_is_d_or_better() -> None:
    assert scaled_grade(40, university=True).passes_tt08
    assert scaled_grade(39.5, university=True).passes_tt08  # rounds to 4.0
    assert not scaled_grade(39.49, university=True).passes_tt08


def test_school_grades_use_the_ten_point_scale_without_letters() -> None:
    graded = scaled_grade(86, university=False)
    assert graded.ten == Decimal("8.6")
    assert graded.letter is None and graded.four_point is None


def test_bands_cover_0_to_10_without_gaps_or_overlaps() -> None:
    assert BANDS[0].high == Decimal("10.0") and BANDS[-1].low == Decimal("0.0")
    for upper, lower in itertools.pairwise(BANDS):
        assert lower.high + Decimal("0.1") == upper.low
