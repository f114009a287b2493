"""Reordering numbered things (sections, syllabus items, questions) without breaking the
unique (parent, position) constraints on the way."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from mooc.authoring.core.ordering import Positioned

PARK = 10_000  # positions are moved out of the way first, then numbered 1…n


def renumber(session: Session, ordered: Sequence[Positioned]) -> None:
    """Number `ordered` 1…n in its order."""
    for offset, item in enumerate(ordered):
        item.position = PARK + offset
    session.flush()
    for number, item in enumerate(ordered, 1):
        item.position = number
    session.flush()
