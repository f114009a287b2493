"""A page of results (what list pages and APIs hand to templates) and how to read one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    session: Session, statement: Select[T], *, page: int, per_page: int, clamp: bool = False
) -> Page[T]:
    """One page of `statement` (already ordered) and the total count of its rows.

    With `clamp`, a page past the end shows the last page instead of nothing.
    """
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    total = total or 0
    if clamp:
        page = min(max(page, 1), max(1, -(-total // per_page)))
    items = session.scalars(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=items, total=total, page=page, per_page=per_page)
