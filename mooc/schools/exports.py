"""The class report and a quiz's item analysis as CSV files for spreadsheets (UTF-8 with a BOM,
formula-safe text): one row per pupil, and one row per question."""

from __future__ import annotations

from flask import Response

from mooc.folding import fold
from mooc.schools.models import SchoolClass
from mooc.schools.queries.quiz_reports import QuizAnalysis
from mooc.schools.queries.reports import ClassReport
from mooc.web.spreadsheets import csv_response


def _file_name(school_class: SchoolClass, what: str) -> str:
    # ASCII only: a Content-Disposition filename must not carry Vietnamese letters raw.
    name = "".join(ch if ch.isalnum() else "-" for ch in fold(school_class.name))
    return f"class-{name}-{what}.csv"


def _number(value: float | None) -> float | str:
    return "" if value is None else value


def class_report_csv(report: ClassReport) -> Response:
    """Per pupil: name, sign-in name, whether they left; per item: done, score, attempts, late
    (not done and past the due time), done late (finished after it; lecture items say lectures
    done out of assigned); then the pupil's counts and average. The class row sums each item."""
    header = ["pupil", "login", "left"]
    for n, item in enumerate(report.items, 1):
        label = f"{n}:{item.kind.value}:{item.title}"
        header += [
            f"{label}:done",
            f"{label}:score",
            f"{label}:attempts",
            f"{label}:late",
            f"{label}:done_late",
        ]
    header += ["items_done", "items_late", "items_done_late", "average_score"]
    rows = []
    for row in report.rows:
        line: list[object] = [row.name, row.login_name, "yes" if row.left else ""]
        for cell in row.cells:
            work = cell.work
            done: object = "yes" if work.done else ""
            if work.parts_total is not None and not work.done:
                done = f"{work.parts_done}/{work.parts_total}"
            line += [
                done,
                _number(work.score),
                work.attempts or "",
                "yes" if cell.late else "",
                "yes" if cell.done_late else "",
            ]
        line += [row.tally.done, row.tally.late, row.tally.done_late, _number(row.tally.average)]
        rows.append(line)
    average: list[object] = ["class average", "", ""]
    for item_tally in report.item_tallies:
        average += [
            f"{item_tally.done}/{item_tally.total}",
            _number(item_tally.average),
            "",
            item_tally.late,
            item_tally.done_late,
        ]
    rows.append([*average, "", "", "", _number(report.average)])
    return csv_response(_file_name(report.school_class, "report"), header, rows)


def analysis_csv(school_class: SchoolClass, analysis: QuizAnalysis) -> Response:
    header = [
        "number", "question", "drew", "answered", "correct", "share_correct",
        "most_chosen_wrong", "most_chosen_wrong_count", "discrimination_upper_lower", "flags",
    ]  # fmt: skip
    rows = [
        [
            q.number,
            q.prompt,
            q.stats.drew,
            q.stats.answered,
            q.stats.correct,
            _number(None if q.stats.share_correct is None else round(q.stats.share_correct, 3)),
            q.stats.top_wrong or "",
            q.stats.top_wrong_count or "",
            _number(q.stats.discrimination),
            " ".join(q.stats.flags),
        ]
        for q in analysis.questions
    ]
    return csv_response(
        _file_name(school_class, f"quiz-{analysis.item.assignment_id}"), header, rows
    )
