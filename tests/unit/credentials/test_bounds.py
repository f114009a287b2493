"""The verifier's bounds: issued records pass, each limit is exact, the first excess is named."""

from __future__ import annotations

from typing import Any

from mooc.credentials.core.bounds import Bounds, TooComplex, measure

from .samples import signed_record, signed_transcript


def test_issued_records_are_well_within_the_bounds() -> None:
    assert measure(signed_record()) is None
    assert measure(signed_transcript()) is None


def test_each_limit_is_exact_and_says_where() -> None:
    bounds = Bounds(max_values=50, max_list=4, max_list_work=40, max_depth=3)
    assert measure({"a": [1, 2, 3, 4]}, bounds) is None
    assert measure({"a": [1, 2, 3, 4, 5]}, bounds) == TooComplex("list", 4, "$.a")
    assert measure({"a": [[1, 2, 3, 4]] * 2}, bounds) is None  # 2² + 2 × 4² = 36
    too_much = measure({"a": [[1, 2, 3, 4]] * 3}, bounds)  # 3² + 3 × 4² = 57
    assert too_much is not None and (too_much.excess, too_much.limit) == ("lists", 40)
    deep: Any = 1
    for _ in range(3):
        deep = [deep]
    assert measure(deep, bounds) is None
    assert measure([deep], bounds) == TooComplex("depth", 3, "$[0][0][0]")
    assert measure({f"k{i}": i for i in range(49)}, bounds) is None
    assert measure({f"k{i}": i for i in range(50)}, bounds) == TooComplex("values", 50, "$")
