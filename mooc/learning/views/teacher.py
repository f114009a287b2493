"""Teacher pages: the courses I teach, and each course's learners with charts and a CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from mooc.accounts.models import Role
from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course, CourseTeacher
from mooc.extensions import db
from mooc.learning import analytics, permissions, recounts
from mooc.learning.core import charts
from mooc.pagination import page_number
from mooc.web.auth import current_account, role_required
from mooc.web.spreadsheets import csv_safe as _csv_safe

bp = Blueprint("teach", __name__, url_prefix="/teach")
PER_PAGE = 25


@bp.get("/")
@role_required(Role.TEACHER)
def index() -> ResponseReturnValue:
    user = current_account()
    stmt = select(Course).order_by(Course.title)
    if not user.is_admin:
        stmt = stmt.join(CourseTeacher).where(CourseTeacher.user_id == user.id)
    return render_template("teach/index.html", courses=db.session.scalars(stmt).all())


def _taught_course(slug: str) -> Course:
    course = catalog_queries.course_to_teach(db.session, slug)
    permissions.require_teaching(current_account(), course)
    return course


@bp.get("/courses/<slug>/learners")
@role_required(Role.TEACHER)
def learners(slug: str) -> ResponseReturnValue:
    course = _taught_course(slug)
    sort = request.args.get("sort", "name")
    sort = sort if sort in analytics.SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    data, page = analytics.learners_page(
        db.session,
        course,
        sort=sort,
        descending=descending,
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
    )
    enrolled, started, half, completed = data.funnel()
    funnel = charts.funnel_svg(
        _("Completion funnel"),
        [
            charts.Bar(_("Enrolled"), enrolled),
            charts.Bar(_("Started"), started),
            charts.Bar(_("Halfway"), half),
            charts.Bar(_("Completed"), completed),
        ],
    )
    distribution = data.score_bins
    histogram = charts.histogram_svg(_("Quiz score distribution"), distribution, charts.BIN_LABELS)
    return render_template(
        "teach/learners.html",
        course=course,
        data=data,
        page=page,
        sort=sort,
        descending=descending,
        funnel=Markup(funnel),  # noqa: S704 - built by mooc.learning.core.charts with escaped labels
        funnel_counts=(enrolled, started, half, completed),
        histogram=Markup(histogram),  # noqa: S704 - same
        distribution=list(zip(charts.BIN_LABELS, distribution, strict=True)),
        recount_asked=recounts.pending_since(db.session, course.id),
    )


@bp.get("/courses/<slug>/learners.csv")
@role_required(Role.TEACHER)
def learners_csv(slug: str) -> ResponseReturnValue:
    course = _taught_course(slug)
    course_id, pass_mark = course.id, course.pass_mark

    def lines() -> Iterator[str]:
        # Runs as the response is sent, after the view's context has ended and closed its
        # session: `db.session` here is the streaming context's own, closed when it ends.
        quizzes, packages, rows = analytics.all_learners(db.session, course_id, pass_mark)
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")  # a BOM so spreadsheet programs read Vietnamese as UTF-8
        writer.writerow(
            ["name", "email", "progress_percent", "last_activity", "completed_at", "final_grade"]
            + [f"quiz:{q.slug}" for q in quizzes]
            + [f"scorm:{p.slug}" for p in packages]
        )
        for n, row in enumerate(rows, 1):
            writer.writerow(
                [
                    _csv_safe(row.name),
                    _csv_safe(row.email),
                    row.percent,
                    row.last_activity.isoformat() if row.last_activity else "",
                    row.completed_at.isoformat() if row.completed_at else "",
                    "" if row.final_grade is None else row.final_grade,
                ]
                + ["" if row.quiz_scores[q.id] is None else row.quiz_scores[q.id] for q in quizzes]
                + [
                    "" if row.scorm_scores[p.id] is None else row.scorm_scores[p.id]
                    for p in packages
                ]
            )
            if n % analytics.CHUNK == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-learners.csv"'},
    )
