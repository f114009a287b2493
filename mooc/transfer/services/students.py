"""A university's staff set the number the university knows each of its students by (its records
state it beside the name): checked by the accounts service administrators use too, kept in the
university's change log with an administrator's changes to them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, Membership, User
from mooc.accounts.queries import student_membership
from mooc.accounts.services import set_student_number, student_number_changed
from mooc.transfer import audit


def set_number(
    session: Session, staff: User, university: Institution, user_id: int, number: str | None
) -> Membership:
    """Set (blank: clear) the student number of `user_id` at `university`, logged when it
    changed. Raises `NotFound` for anyone not a student there, `Invalid` for a number too long,
    `Conflict` when another student of the university has it."""
    membership = student_membership(session, university.id, user_id)
    set_student_number(session, membership, number, by=staff)
    return membership


@student_number_changed.connect
def _log_number_change(
    session: Session,
    *,
    user: User,
    institution: Institution,
    before: str | None,
    after: str | None,
    actor_id: int | None,
) -> None:
    """Each change of a student's number, whoever made it (the university's staff here, an
    administrator on the people page), in the university's change log."""
    summary = (
        f"student number of {user.name}: {after}"
        if after
        else f"student number of {user.name} cleared"
    )
    audit.record(
        session,
        institution_id=institution.id,
        actor_id=actor_id,
        action="student-number",
        object_type="student",
        object_id=user.id,
        summary=f"{summary} (was {before})" if before else summary,
        details={"before": before, "after": after},
    )
