"""A page of results (what list pages and APIs hand to templates) and how to read one.

Every paged list reads its `?page=` through `page_number` and its rows through `paginate` (or
`page_of` for rows already in memory): a page past the end never reaches the database as an
OFFSET, so no page number, however large, can overflow it (PostgreSQL's OFFSET is a bigint,
SQLite's a 64-bit integer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

# The largest page number anyone may ask for (the API answers 400 beyond it).
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int
    more: bool = False  # `total` is as far as the rows were counted: there are more

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.more


def _page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_number(raw: str | None) -> int:
    """The page a visitor asked for with `?page=`: missing, not a whole number or below 1 reads
    as the first page, anything above `MAX_PAGE` as `MAX_PAGE` (which `paginate` then clamps)."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE)):  # no need to build a huge integer to know it is too big
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


def _settled(page: int, total: int, per_page: int, clamp: bool) -> int:
    page = max(page, 1)
    return min(page, _page_count(total, per_page)) if clamp else page


def paginate(
    session: Session,
    statement: Select[T],
    *,
    page: int,
    per_page: int,
    clamp: bool = True,
    total: int | None = None,
) -> Page[T]:
    """One page of `statement` (already ordered) and the total count of its rows (counted
    here unless the caller has counted them: `total`).

    A page past the end shows the last page (`clamp`, for pages people read) or, for APIs that
    page until `has_next` is false, no items; either way no OFFSET past the rows is sent.
    """
    if total is None:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        total = session.scalar(counted) or 0
    page = _settled(page, total, per_page, clamp)
    if (page - 1) * per_page >= total:
        return Page(items=[], total=total, page=page, per_page=per_page)
    items = session.scalars(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def paginate_rows(
    session: Session, statement: Select[Any], *, page: int, per_page: int, total: int
) -> Page[Row[Any]]:
    """One page of the rows (several columns) of `statement` (already ordered), whose `total`
    the caller has counted already; past-the-end pages clamped to the last one."""
    page = _settled(page, total, per_page, clamp=True)
    if (page - 1) * per_page >= total:
        return Page(items=[], total=total, page=page, per_page=per_page)
    items = session.execute(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def page_of(rows: Sequence[T], *, page: int, per_page: int) -> Page[T]:
    """One page of rows already in memory, past-the-end pages clamped to the last one."""
    page = _settled(page, len(rows), per_page, clamp=True)
    start = (page - 1) * per_page
    return Page(items=rows[start : start + per_page], total=len(rows), page=page, per_page=per_page)
