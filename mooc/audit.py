"""The one shape of an append-only audit log: who did what to which object, when, in a sentence.

Each feature keeps its own table (authoring's per course, transfer's per university) by mixing
`AuditColumns` into its model and adding its scope column; `record_entry` writes a row,
`record_edit` the one "changed → new revision → entry" sequence, and
`page_of_entries` reads them newest first, a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, declared_attr, joinedload, mapped_column, relationship

from mooc.db import JSONType, created_at, intpk
from mooc.pagination import Page, paginate

if TYPE_CHECKING:
    from mooc.accounts.models import User

SUMMARY_MAX = 300


class AuditColumns:
    """The columns every audit table has; rows are only ever inserted."""

    id: Mapped[intpk]
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))  # create / edit / publish / trust / …
    object_type: Mapped[str] = mapped_column(String(40))  # course / lecture / rule / item / …
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    @declared_attr
    def actor(cls) -> Mapped[User | None]:  # noqa: N805 - declared_attr is given the mapped class
        return relationship("User")

    if TYPE_CHECKING:
        # The declarative base gives each mapped subclass a keyword constructor.
        def __init__(self, **values: Any) -> None: ...


Entry = TypeVar("Entry", bound=AuditColumns)


def record_entry(
    session: Session,
    model: type[Entry],
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str,
    details: dict[str, Any] | None = None,
    **scope: Any,
) -> Entry:
    """Adds one row to `model`'s log; `scope` fills the feature's own columns (its course,
    its university)."""
    entry = model(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:SUMMARY_MAX],
        details=details or {},
        **scope,
    )
    session.add(entry)
    return entry


def page_of_entries(
    session: Session,
    model: type[Entry],
    *conditions: ColumnElement[bool],
    page: int = 1,
    per_page: int = 50,
) -> Page[Entry]:
    """The entries matching `conditions`, newest first, with their actors, one page of them."""
    statement = (
        select(model)
        .where(*conditions)
        .options(joinedload(model.actor))
        .order_by(model.created_at.desc(), model.id.desc())
    )
    return paginate(session, statement, page=page, per_page=per_page)


def record_edit(
    session: Session,
    model: type[Entry],
    *,
    before: dict[str, Any],
    after: dict[str, Any],
    actor_id: int | None,
    object_type: str,
    object_id: int | None,
    summary: str,
    revise: Callable[[], int] | None = None,
    **scope: Any,
) -> Entry | None:
    """The one way an edit is kept: an edit that changed nothing leaves no trace (None); otherwise
    `revise()` makes the object's new revision (a quiz's counter, a rule's appended version) and
    returns its number, and one "edit" entry keeps the states before and after."""
    if before == after:
        return None
    details: dict[str, Any] = {"before": before, "after": after}
    if revise is not None:
        details["version"] = revise()
    return record_entry(
        session,
        model,
        actor_id=actor_id,
        action="edit",
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        details=details,
        **scope,
    )
