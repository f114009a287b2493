"""Log in and out, register, profile, password, and the language switcher."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from mooc.accounts import queries, services
from mooc.accounts.forms import (
    ChoosePasswordForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
)
from mooc.errors import DomainError
from mooc.extensions import db, limiter
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.security import safe_next

bp = Blueprint("accounts", __name__)


def _login_account() -> str:
    """Whom a log-in names, so the limits count per account whether it is typed as its email
    or its username (in any case); a name no account has is counted as typed."""
    cached = request.environ.get("mooc.login_account")  # asked once per limit: look up once
    if cached is None:
        typed = request.form.get("login") or request.form.get("email", "")
        user = queries.find_by_login(db.session, typed[:254])
        cached = f"user:{user.id}" if user else queries.normalize_login(typed)[:254]
        request.environ["mooc.login_account"] = cached
    return str(cached)


def _login_account_key() -> str:
    return "login-account:" + _login_account()


def _login_account_address_key() -> str:
    return f"login-account-address:{get_remote_address()}:{_login_account()}"


def _failed(response: Response) -> bool:
    """A log-in that did not succeed and was not already refused (a refusal costs nothing more,
    so waiting out a delay is enough)."""
    return response.status_code not in (303, 429)


# Only failures count. One address guessing at one account is slowed down in growing steps
# (MOOC_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS); the account's ceiling over every address is high, so
# a stranger's wrong passwords do not keep the owner, at another address, out; one address is
# also capped over all the accounts it tries.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(edge.limit("login_limit_per_address"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    edge.limit("login_limit_per_account_address"),
    key_func=_login_account_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    edge.limit("login_limit_per_account"),
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    # A login card's QR code opens this page with the username filled in.
    form = LoginForm(next=request.args.get("next", ""), login=request.args.get("login", "")[:254])
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.login.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            lang = session.get("lang")
            session.clear()  # a fresh session on login: no fixation
            if lang:  # but the language the visitor chose stays
                session["lang"] = lang
            login_user(user)
            refresh()  # the page was chosen in the visitor's language; now the user's counts
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            target = safe_next(form.next.data, url_for("learning.dashboard"))
            if user.must_change_password:
                target = url_for("accounts.choose_password", next=target)
            return redirect(target, 303)
        form.password.errors.append(_("The email, username or password is not correct."))
    elif request.method == "GET" and form.login.data:
        form.password.render_kw = {"autofocus": True}
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


# Pages a person who must choose a password may still open: that page, signing out, the
# language, and what is not a page.
_BEFORE_CHOOSING = {
    "accounts.choose_password",
    "accounts.logout",
    "accounts.language",
    "static",
    "health.healthz",
}


@bp.before_app_request
def _password_first() -> ResponseReturnValue | None:
    """Someone signed in with a password another person chose (a login card, a reset) chooses
    their own before anything else."""
    if request.endpoint in _BEFORE_CHOOSING or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        came_for = request.full_path.removesuffix("?")
        return redirect(url_for("accounts.choose_password", next=came_for), 303)
    return None


@bp.route("/account/choose-password", methods=["GET", "POST"])
@login_required
def choose_password() -> ResponseReturnValue:
    user = current_account()
    target = safe_next(request.values.get("next"), url_for("learning.dashboard"))
    if not user.must_change_password:
        return redirect(target, 303)
    form = ChoosePasswordForm(next=target)
    if form.validate_on_submit():
        try:
            services.choose_password(user, form.new_password.data or "")
        except DomainError as exc:
            form.new_password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)  # the session token changed; keep this session, end the others
            flash(_("Your password is saved. Use it from now on."), "success")
            return redirect(target, 303)
    return render_template("accounts/choose_password.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # A copy of this cookie (another tab, a stolen one) must stop working too, not only the
        # one this browser forgets: the session token changes, so every device is signed out.
        services.end_sessions(current_account())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out on all your devices."), "info")
    return redirect(url_for("catalog.home"), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(edge.limit("login_limit_per_address"), methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register(
                db.session,
                email=form.email.data or "",
                password=form.password.data or "",
                name=form.name.data or "",
                locale=session.get("lang"),
            )
        except DomainError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Your account is ready. Welcome!"), "success")
            return redirect(url_for("catalog.home"), 303)
    elif form.errors:
        status = 422
    return render_template("accounts/register.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    user = current_account()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.locale.data = user.locale or ""
        form.timezone.data = user.timezone or ""
    if form.validate_on_submit():
        try:
            services.update_profile(
                user,
                name=form.name.data or "",
                locale=form.locale.data,
                timezone=form.timezone.data,
                data_saver=bool(form.data_saver.data),
            )
        except DomainError as exc:
            form[exc.field if exc.field in ("name", "timezone") else "name"].errors.append(
                exc.message
            )
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"), 303)
    # Labelled here, not earlier: the first gettext fixes the request's language, and the
    # confirmation above must speak the language just saved.
    default_zone = edge.settings().default_timezone
    form.timezone.choices = [("", _("Platform default (%(zone)s)", zone=default_zone))] + [
        (zone, zone) for zone in queries.time_zones()
    ]
    return render_template(
        "accounts/profile.html", form=form, password_form=PasswordForm()
    ), 422 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    user = current_account()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user, current=form.current_password.data or "", new=form.new_password.data or ""
            )
        except DomainError as exc:
            getattr(form, exc.field or "new_password", form.new_password).errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)  # the session token changed; keep this session, end the others
            flash(_("Your password is changed. Other sessions have been logged out."), "success")
            return redirect(url_for("accounts.profile"), 303)
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


@bp.post("/language")
def language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_account().locale = form.lang.data
            db.session.commit()
    return redirect(safe_next(form.next.data, url_for("catalog.home")), 303)
