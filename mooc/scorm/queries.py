"""SCORM reads: a lecture's package, and what the runtime is handed at launch to resume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog.models import ScormPackage
from mooc.errors import NotFound
from mooc.learning.models import ScormState
from mooc.scorm.core import navigation, runtime


def package_of(session: Session, lecture_id: int) -> ScormPackage:
    """The package lecture `lecture_id` plays. Raises `NotFound`."""
    found = session.scalar(select(ScormPackage).where(ScormPackage.lecture_id == lecture_id))
    if found is None:
        raise NotFound(_("This lecture has no SCORM package."))
    return found


def packages_of_course(session: Session, course_id: int) -> dict[int, ScormPackage]:
    """The course's packages by lecture id."""
    rows = session.scalars(select(ScormPackage).where(ScormPackage.course_id == course_id))
    return {row.lecture_id: row for row in rows}


def reading_of(state: ScormState) -> runtime.Reading:
    """The state as the runtime last reported it."""
    return runtime.Reading(
        completion=state.completion_status,
        success=state.success_status,
        score=state.score,
        location=state.location,
        suspend_data=state.suspend_data,
        session_seconds=0.0,
        total_seconds=state.total_seconds,
        interactions=(),
    )


@dataclass(frozen=True)
class ScoLaunch:
    identifier: str
    title: str
    href: str
    completion: str
    success: str
    score: float | None
    sequence: int
    cmi: dict[str, Any]
    valid: dict[str, Any]  # adl.nav.request_valid while this SCO runs
    choice: bool  # the table of contents may open it

    @property
    def finished(self) -> bool:
        return self.completion == "completed" or self.success == "passed"


def sco_launches(session: Session, user: User | None, package: ScormPackage) -> list[ScoLaunch]:
    """Each SCO with the learner's state and the CMI data that resumes it (a visitor's is new)."""
    mine: dict[str, ScormState] = {}
    if user is not None:
        rows = session.scalars(
            select(ScormState).where(
                ScormState.user_id == user.id, ScormState.package_id == package.id
            )
        )
        mine = {row.sco: row for row in rows}
    learner = (str(user.id), user.name) if user is not None else ("guest", "")
    steps = [navigation.Step.of(sco) for sco in package.scos]
    launches = []
    for sco, step in zip(package.scos, steps, strict=True):
        state = mine.get(sco["identifier"])
        reading = reading_of(state) if state is not None else None
        launches.append(
            ScoLaunch(
                identifier=sco["identifier"],
                title=sco["title"] or sco["identifier"],
                href=sco["href"],
                completion=state.completion_status if state else "not attempted",
                success=state.success_status if state else "unknown",
                score=state.score if state else None,
                sequence=state.sequence if state else 0,
                cmi=runtime.resume_data(
                    package.version, reading, state.total_seconds if state else 0.0, learner
                ),
                valid=navigation.validity(steps, step.identifier),
                choice=step.choice,
            )
        )
    return launches
