"""The pupil's class on the learner dashboard (a panel: learning does not know schools)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from mooc.extensions import db
from mooc.schools.queries import directory
from mooc.web.dashboard_panels import register_panel


def my_classes_panel(user: Any) -> Markup | None:
    """ "Lớp của em": each current class with its school year and homeroom teacher; nothing for
    someone who is in no class."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    classes = directory.pupil_classes(db.session, user.id)
    if not classes:
        return None
    return Markup(render_template("schools/_my_classes_panel.html", classes=classes))  # noqa: S704 - rendered by an autoescaping template


register_panel("schools.my_classes", my_classes_panel, order=10)
