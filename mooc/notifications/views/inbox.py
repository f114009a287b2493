"""The notifications pages: the list (newest first, paged), marking read, email choices; and the
header's unread count."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from mooc.extensions import db
from mooc.notifications import queries, services
from mooc.notifications.forms import EmailChoicesForm
from mooc.notifications.kinds import ALL_KINDS, KINDS, describe
from mooc.pagination import page_number
from mooc.web import edge
from mooc.web.auth import current_account, login_required

bp = Blueprint("notifications", __name__)
UNREAD_KEY = "mooc.unread_notifications"


def unread_notifications() -> int:
    """The signed-in person's unread count for the header: one indexed COUNT per page (kept
    with the request, as the header is drawn twice, for wide and narrow screens); 0 for
    visitors, with no query."""
    if not current_user.is_authenticated:
        return 0
    cache = request.environ
    if UNREAD_KEY not in cache:
        cache[UNREAD_KEY] = queries.unread_count(db.session, current_user.id)
    return int(cache[UNREAD_KEY])


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    user = current_account()
    settings = edge.settings()
    found = queries.notifications_page(
        db.session,
        user.id,
        page=page_number(request.args.get("page")),
        per_page=settings.page_size * 2,
    )
    zone = user.timezone or settings.default_timezone
    locale = str(get_locale())
    messages = {
        item.id: describe(item.kind, item.params, zone=zone, locale=locale) for item in found.items
    }
    return render_template(
        "notifications/index.html",
        notifications=found,
        messages=messages,
        unread=unread_notifications(),
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> ResponseReturnValue:
    services.mark_read(db.session, current_account(), notification_id)
    db.session.commit()
    return redirect(url_for("notifications.index", page=_page()), 303)


@bp.post("/notifications/read")
@login_required
def mark_all_read() -> ResponseReturnValue:
    count = services.mark_all_read(db.session, current_account())
    db.session.commit()
    flash(
        ngettext(
            "%(num)d notification marked as read.",
            "%(num)d notifications marked as read.",
            count,
        ),
        "success",
    )
    return redirect(url_for("notifications.index"), 303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    user = current_account()
    form = EmailChoicesForm()
    form.kinds.choices = [(kind, str(label)) for kind, label in KINDS.items()]
    if form.validate_on_submit():
        chosen = set(form.kinds.data or [])
        refused = {kind for kind in KINDS if kind not in chosen}
        if not form.enabled.data:
            refused.add(ALL_KINDS)
        services.set_email_optouts(db.session, user, refused)
        db.session.commit()
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for("notifications.settings"), 303)
    if request.method == "GET":
        refused = queries.email_optouts(db.session, user.id)
        form.enabled.data = ALL_KINDS not in refused
        form.kinds.data = [kind for kind in KINDS if kind not in refused]
    return render_template("notifications/settings.html", form=form), 422 if form.errors else 200


def _page() -> int | None:
    page = page_number(request.form.get("page"))
    return page if page > 1 else None
