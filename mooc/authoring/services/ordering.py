"""Reordering numbered things (sections, syllabus items, questions) without breaking the
unique (parent, position) constraints on the way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

PARK = 10_000  # positions are moved out of the way first, then numbered 1…n


class Positioned(Protocol):
    position: int


T = TypeVar("T", bound=Positioned)


def renumber(session: Session, ordered: Sequence[Positioned]) -> None:
    """Number `ordered` 1…n in its order."""
    for offset, item in enumerate(ordered):
        item.position = PARK + offset
    session.flush()
    for number, item in enumerate(ordered, 1):
        item.position = number
    session.flush()


def moved(items: Sequence[T], item: T, delta: int) -> list[T] | None:
    """`items` with `item` moved `delta` places (clamped to the ends); None if it stays put."""
    order = list(items)
    index = next(i for i, other in enumerate(order) if other is item)
    target = min(max(index + delta, 0), len(order) - 1)
    if target == index:
        return None
    order.insert(target, order.pop(index))
    return order
