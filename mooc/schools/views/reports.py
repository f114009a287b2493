"""Class report pages: pupils × assigned items, the item analysis of an assigned quiz, their CSV
exports, and a pupil's printable progress report for parents (teachers' copy and the pupil's own).
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from mooc.extensions import db
from mooc.learning.core import charts
from mooc.schools.blueprint import bp
from mooc.schools.core.charts import percent_bars_svg
from mooc.schools.exports import analysis_csv, class_report_csv
from mooc.schools.permissions import pupil_class_ids, taught_class
from mooc.schools.queries import quiz_reports, reports
from mooc.web import edge
from mooc.web.auth import current_account, login_required

# The item analysis's charts are drawn narrower than the charts' default 560 units, so that on a
# 360 px phone their labels stay 8–10 px high rather than 6; the histogram needs 480 for its ten
# range labels ("80–89", "90–100") not to run into each other.
BARS_WIDTH, HISTOGRAM_WIDTH = 420, 480


@bp.get("/classes/<int:class_id>/report")
@login_required
def class_report(class_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    report = reports.class_report(db.session, school_class)
    return render_template("schools/class_report.html", report=report, cls=school_class)


@bp.get("/classes/<int:class_id>/report.csv")
@login_required
def class_report_download(class_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    return class_report_csv(reports.class_report(db.session, school_class))


@bp.get("/classes/<int:class_id>/report/quizzes/<int:assignment_id>")
@login_required
def quiz_analysis(class_id: int, assignment_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    analysis = quiz_reports.quiz_analysis(db.session, school_class, assignment_id)
    distribution = charts.score_bins(analysis.scores)
    histogram = charts.histogram_svg(
        _("Scores of the class"), distribution, charts.BIN_LABELS, width=HISTOGRAM_WIDTH
    )
    bars = percent_bars_svg(
        _("Share correct per question"),
        _("One bar per question: the share of the pupils who drew it that answered it right."),
        [
            (
                _("Q%(n)d", n=q.number),
                None if q.stats.share_correct is None else 100 * q.stats.share_correct,
            )
            for q in analysis.questions
        ],
        chart_id="share-correct",
        width=BARS_WIDTH,
    )
    return render_template(
        "schools/quiz_analysis.html",
        cls=school_class,
        analysis=analysis,
        histogram=Markup(histogram),  # noqa: S704 - built by mooc.learning.charts, labels escaped
        distribution=list(zip(charts.BIN_LABELS, distribution, strict=True)),
        bars=Markup(bars),  # noqa: S704 - built by mooc.schools.core.charts, labels escaped
    )


@bp.get("/classes/<int:class_id>/report/quizzes/<int:assignment_id>.csv")
@login_required
def quiz_analysis_download(class_id: int, assignment_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    return analysis_csv(
        school_class, quiz_reports.quiz_analysis(db.session, school_class, assignment_id)
    )


def _parents_page(class_ids: list[int], pupil_id: int) -> str:
    """The printable report, in the school's language (the platform's default) whoever prints it,
    since it is written for the pupil's family."""
    with force_locale(edge.settings().default_language):
        sections = reports.parents_report(db.session, class_ids, pupil_id)
        return render_template("schools/pupil_report.html", sections=sections)


@bp.get("/classes/<int:class_id>/pupils/<int:user_id>/report")
@login_required
def pupil_report(class_id: int, user_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    reports.report_pupil(db.session, school_class, user_id)
    return _parents_page([school_class.id], user_id)


@bp.get("/my/report")
@login_required
def my_report() -> ResponseReturnValue:
    user = current_account()
    return _parents_page(pupil_class_ids(db.session, user), user.id)
