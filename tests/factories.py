"""Small factories for tests: people with roles, institutions, right answers."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.accounts.services import get_institution, grant_role, register, upsert_institution

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_institution(
    session: Session, kind: InstitutionKind = InstitutionKind.UNIVERSITY
) -> Institution:
    n = next(_counter)
    institution, _ = upsert_institution(
        session, slug=f"inst-{n}", name=f"Institution {n}", kind=kind
    )
    return institution


def make_user(
    session: Session,
    *roles: tuple[str, Role],
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "Test Person",
) -> User:
    user = register(
        session,
        email=email or f"person{next(_counter)}@example.test",
        password=password,
        name=name,
    )
    for slug, role in roles:
        grant_role(session, user, get_institution(session, slug), role)
    session.flush()
    return user


def right_answer(question: dict[str, Any]) -> Any:
    """The right answer to a question of a started attempt, as the grading service takes it."""
    data = question["data"]
    correct = [str(i) for i, o in enumerate(data.get("options", [])) if o["correct"]]
    if question["kind"] == "single":
        return correct[0]
    if question["kind"] == "multiple":
        return correct
    if question["kind"] == "numeric":
        return float(data["answer"])
    return str(data["answers"][0])
