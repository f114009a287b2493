"""Converting credits between systems through the study hours they stand for. Pure.

A Vietnamese credit (tín chỉ, Circular 08/2021/TT-BGDĐT) is 50 hours of a learner's study; an
ECTS credit is 25–30 hours, so each university states its own hours per credit. Converting by
hours is fairer than by credit count when two systems weigh a credit differently.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


class Method(enum.StrEnum):
    FIXED = "fixed"  # the rule names the credits granted
    SAME = "same"  # the credits the record states
    BY_HOURS = "by_hours"  # the record's study hours divided by our hours per credit


@dataclass(frozen=True)
class Conversion:
    method: Method
    fixed_credits: Decimal | None = None
    hours_per_credit: Decimal | None = None  # for BY_HOURS: e.g. 50 (tín chỉ) or 27.5 (ECTS)
    step: Decimal = Decimal("0.5")  # credits are granted in steps of this size
    round_down: bool = True  # never grant more than the hours justify

    def __post_init__(self) -> None:
        if self.method == Method.FIXED and (self.fixed_credits is None or self.fixed_credits < 0):
            raise ValueError("a fixed conversion needs credits ≥ 0")
        if self.method == Method.BY_HOURS and (
            self.hours_per_credit is None or self.hours_per_credit <= 0
        ):
            raise ValueError("a conversion by hours needs hours per credit > 0")
        if self.step <= 0:
            raise ValueError("the credit step must be positive")


class ConversionError(ValueError):
    """The record lacks what the conversion needs (e.g. no study hours)."""


def _quantize(value: Decimal, step: Decimal, round_down: bool) -> Decimal:
    steps = (value / step).quantize(
        Decimal(1), rounding=ROUND_DOWN if round_down else ROUND_HALF_UP
    )
    return (steps * step).normalize() if steps else Decimal(0)


def convert(
    conversion: Conversion, *, credits: Decimal | None, workload_hours: Decimal | None
) -> Decimal:
    """The credits our university grants for a record stating `credits` and `workload_hours`."""
    if conversion.method == Method.FIXED:
        assert conversion.fixed_credits is not None
        return conversion.fixed_credits
    if conversion.method == Method.SAME:
        if credits is None:
            raise ConversionError("the record states no credits")
        return _quantize(credits, conversion.step, conversion.round_down)
    if workload_hours is None or workload_hours <= 0:
        raise ConversionError("the record states no study hours")
    assert conversion.hours_per_credit is not None
    return _quantize(
        workload_hours / conversion.hours_per_credit, conversion.step, conversion.round_down
    )
