"""Learning's pages, one module per audience: `student` (course, lectures, dashboard), `quiz`
(taking a quiz) and `teacher` (a course's learners). Views never import one another; what two of
them share lives here."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _


def flash_completion() -> None:
    """The congratulation shown when a learner's action completes a course."""
    flash(_("Congratulations! You have completed this course."), "success")
