"""Due dates a learner has for a quiz, told by features above assessment (a class assignment).

Assessment may not import those features, so they register a provider once, at import; a quiz
asks `quiz_due_at` when its reveal policy is "after the due date".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

# (session, user id, quiz id) -> the learner's due date for that quiz (UTC), or None
DueDateProvider = Callable[[Session, int, int], dt.datetime | None]

_PROVIDERS: dict[str, DueDateProvider] = {}


def register_due_date_provider(name: str, provider: DueDateProvider) -> None:
    """Add (or, under the same name, replace) a provider; idempotent across app rebuilds."""
    _PROVIDERS[name] = provider


def quiz_due_at(session: Session, user_id: int, quiz_id: int) -> dt.datetime | None:
    """The latest due date any provider knows for this learner and quiz."""
    found = [due for p in _PROVIDERS.values() if (due := p(session, user_id, quiz_id))]
    return max(found) if found else None
