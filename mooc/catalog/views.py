"""The catalogue pages: the home page and the searchable, filterable course list."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from mooc.catalog import queries
from mooc.catalog.models import Level
from mooc.catalog.queries import CourseFilter
from mooc.extensions import db

bp = Blueprint("catalog", __name__)


def _filter_from_args() -> CourseFilter:
    args = request.args
    level = args.get("level", "")
    grade = args.get("grade", type=int)
    return CourseFilter(
        q=args.get("q", "")[:200],
        level=Level(level) if level in {lv.value for lv in Level} else None,
        grade=grade if grade is not None and 1 <= grade <= 12 else None,
        subject=args.get("subject") or None,
        institution=args.get("institution") or None,
    )


@bp.get("/")
def home() -> ResponseReturnValue:
    per_page = current_app.config["MOOC_SETTINGS"].page_size
    k12 = queries.published_courses(db.session, CourseFilter(level=Level.K12), per_page=per_page)
    uni = queries.published_courses(
        db.session, CourseFilter(level=Level.UNIVERSITY), per_page=per_page
    )
    return render_template("catalog/home.html", k12=k12, university=uni)


@bp.get("/courses")
def index() -> ResponseReturnValue:
    flt = _filter_from_args()
    page = request.args.get("page", 1, type=int) or 1
    results = queries.published_courses(
        db.session, flt, page=page, per_page=current_app.config["MOOC_SETTINGS"].page_size
    )
    return render_template(
        "catalog/index.html",
        results=results,
        flt=flt,
        subjects=queries.subjects_in_use(db.session),
        providers=queries.university_providers(db.session),
    )
