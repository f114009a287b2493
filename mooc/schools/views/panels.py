"""The pupil's class and work on the learner dashboard (a panel: learning does not know schools),
both read in the one statement of `queries.pupil_work`."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import get_timezone
from markupsafe import Markup

from mooc.db import utcnow
from mooc.extensions import db
from mooc.schools.core.todo import TodoState
from mooc.schools.queries.pupil_work import pupil_work
from mooc.web.dashboard_panels import register_panel

DASHBOARD_ITEMS = 5


def my_class_panel(user: Any) -> Markup | None:
    """ "Lớp của em" — each current class with its school year and homeroom teacher — then the
    first few things to do; nothing for someone who is in no class."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    work = pupil_work(db.session, user.id, zone=get_timezone(), now=utcnow())
    if not work.in_class:
        return None
    html = ""
    if work.classes:
        html = render_template("schools/_my_classes_panel.html", classes=work.classes)
    html += render_template(
        "schools/_todo_panel.html",
        pending=work.pending[:DASHBOARD_ITEMS],
        more=max(0, len(work.pending) - DASHBOARD_ITEMS),
        done_count=len(work.done),
        done_late_count=sum(1 for e in work.done if e.state is TodoState.DONE_LATE),
    )
    return Markup(html)  # noqa: S704 - rendered by autoescaping templates of ours


register_panel("schools.my_classes", my_class_panel, order=10)
