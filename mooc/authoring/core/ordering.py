"""Moving one numbered thing (a section, an item, a question) among its siblings. Pure; the
services renumber the rows (`authoring.services.ordering`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Positioned(Protocol):
    position: int


T = TypeVar("T", bound=Positioned)


def moved(items: Sequence[T], item: T, delta: int) -> list[T] | None:
    """`items` with `item` moved `delta` places (clamped to the ends); None if it stays put."""
    order = list(items)
    index = next(i for i, other in enumerate(order) if other is item)
    target = min(max(index + delta, 0), len(order) - 1)
    if target == index:
        return None
    order.insert(target, order.pop(index))
    return order
