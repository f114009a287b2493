"""Student pages of a course."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from mooc.catalog import queries
from mooc.extensions import db
from mooc.learning.syllabus import syllabus

bp = Blueprint("learning", __name__)


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    found = queries.course_by_slug(db.session, slug)
    return render_template(
        "learning/course.html", course=found, syllabus=syllabus(db.session, found)
    )
