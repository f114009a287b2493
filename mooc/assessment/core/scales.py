"""Grade scales: the platform's 0–100 grade on the Vietnamese 10-point scale and, for university
courses, the letter grade and 4-point value of Circular 08/2021/TT-BGDĐT, Article 10. Pure.

Rounding rule: the 10-point score is the 0–100 grade divided by 10 and rounded to one decimal,
half up (84.5 → 8.45 → 8.5; 84.49 → 8.449 → 8.4), as TT08 rounds a course score to one decimal
before converting it; the letter and the 4-point value are read from that rounded score
(8.45 → 8.5 → A → 4.0; 7.95 → 8.0 → B+ → 3.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TEN = Decimal(10)
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class LetterBand:
    """A letter of TT08: the 10-point scores from `low` (inclusive) and its 4-point value."""

    letter: str
    low: Decimal
    high: Decimal
    points: Decimal


# Highest first; each band runs from its `low` up to the next band's low minus 0.1.
BANDS: tuple[LetterBand, ...] = (
    LetterBand("A", Decimal("8.5"), Decimal("10.0"), Decimal("4.0")),
    LetterBand("B+", Decimal("8.0"), Decimal("8.4"), Decimal("3.5")),
    LetterBand("B", Decimal("7.0"), Decimal("7.9"), Decimal("3.0")),
    LetterBand("C+", Decimal("6.5"), Decimal("6.9"), Decimal("2.5")),
    LetterBand("C", Decimal("5.5"), Decimal("6.4"), Decimal("2.0")),
    LetterBand("D+", Decimal("5.0"), Decimal("5.4"), Decimal("1.5")),
    LetterBand("D", Decimal("4.0"), Decimal("4.9"), Decimal("1.0")),
    LetterBand("F", Decimal("0.0"), Decimal("3.9"), Decimal("0.0")),
)
PASSING_LETTER = "D"  # TT08: D and above pass a university course
PASS_TEN = Decimal("4.0")


def ten_point(percent: float | Decimal) -> Decimal:
    """The 10-point score of a 0–100 grade, to one decimal, half up. ValueError outside 0–100."""
    value = Decimal(str(percent))
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"a grade is between 0 and 100, not {percent!r}")
    return (value / TEN).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def band_for(ten: Decimal) -> LetterBand:
    """The letter band of a 10-point score already rounded to one decimal."""
    for band in BANDS:
        if ten >= band.low:
            return band
    raise ValueError(f"a 10-point score is between 0 and 10, not {ten}")


@dataclass(frozen=True)
class ScaledGrade:
    """One grade on the scales a learner's level uses; `band` only for university courses."""

    percent: Decimal
    ten: Decimal
    band: LetterBand | None

    @property
    def letter(self) -> str | None:
        return self.band.letter if self.band else None

    @property
    def four_point(self) -> Decimal | None:
        return self.band.points if self.band else None

    @property
    def passes_tt08(self) -> bool:
        """At least D (4.0 on the 10-point scale): a pass under TT08."""
        return self.ten >= PASS_TEN


def scaled_grade(percent: float | Decimal, *, university: bool) -> ScaledGrade:
    """A 0–100 grade on the 10-point scale, plus letter and 4-point value at university."""
    ten = ten_point(percent)
    return ScaledGrade(Decimal(str(percent)), ten, band_for(ten) if university else None)
