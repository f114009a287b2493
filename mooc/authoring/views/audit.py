"""Browsing the audit log: every authoring change (admins), or one course's (its teachers)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from mooc.accounts.models import Role
from mooc.authoring import audit
from mooc.authoring.permissions import editable_course
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.web.auth import admin_required, current_account, role_required

bp = Blueprint("audit", __name__)


@bp.get("/admin/audit")
@admin_required
def all_changes() -> ResponseReturnValue:
    page = page_number(request.args.get("page"))
    action = request.args.get("action") or None
    entries = audit.entries(db.session, audit.AuditFilter(action=action), page=page)
    return render_template("authoring/audit.html", entries=entries, course=None, action=action)


@bp.get("/author/courses/<slug>/audit")
@role_required(Role.TEACHER)
def course_changes(slug: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    page = page_number(request.args.get("page"))
    entries = audit.entries(db.session, audit.AuditFilter(course_id=course.id), page=page)
    return render_template("authoring/audit.html", entries=entries, course=course, action=None)
