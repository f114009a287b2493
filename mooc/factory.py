"""`create_app`: settings → extensions → blueprints → error handlers → filters → CLI. No I/O."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from mooc.accounts import passwords
from mooc.accounts import queries as account_queries
from mooc.accounts.models import User
from mooc.accounts.signed_in import SignedIn
from mooc.accounts.views import account as account_views
from mooc.accounts.views import admin as account_admin_views
from mooc.accounts.views import recovery as account_recovery_views
from mooc.api import views as api_views
from mooc.authoring import cli as authoring_cli
from mooc.authoring import jobs as authoring_jobs
from mooc.authoring import views as authoring_views
from mooc.catalog import views as catalog_views
from mooc.credentials import cli as credentials_cli
from mooc.credentials import hooks as credentials_hooks
from mooc.credentials import jobs as credentials_jobs
from mooc.credentials import views as credentials_views
from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.verification import (
    ISSUER_DOCUMENTS,
    PlatformVerifier,
    StatusListCache,
    VerificationPolicy,
)
from mooc.credentials.views import admin as credentials_admin_views
from mooc.credentials.views import api as credentials_api_views
from mooc.demo import cli as demo_cli
from mooc.extensions import babel, compress, csrf, db, limiter, login_manager
from mooc.jobs import cli as jobs_cli
from mooc.jobs import install as install_queue
from mooc.learning import cli as learning_cli
from mooc.learning import jobs as learning_jobs
from mooc.learning import view_writer
from mooc.learning.syllabus import OUTLINES, OutlineCache
from mooc.learning.views import quiz as learning_quiz_views
from mooc.learning.views import student as learning_student_views
from mooc.learning.views import teacher as learning_teacher_views
from mooc.mail import Postbox, open_mailer
from mooc.migrate import db_cli
from mooc.notifications import cli as notifications_cli
from mooc.notifications import jobs as notifications_jobs
from mooc.notifications import sender as notifications_sender
from mooc.notifications import views as notifications_views
from mooc.offline import views as offline_views
from mooc.schools import cli as schools_cli
from mooc.schools import views as schools_views
from mooc.schools.services import notices as school_notices
from mooc.scorm import jobs as scorm_jobs
from mooc.scorm.views import player as scorm_views
from mooc.settings import Settings, flask_config, load_settings, single_server_parts
from mooc.storage import open_storage
from mooc.transfer import cli as transfer_cli
from mooc.transfer import jobs as transfer_jobs
from mooc.transfer import views as transfer_views
from mooc.web import csrf_tokens, edge, filters, health, site_header, transactions
from mooc.web.assets import assets_cli, register_assets
from mooc.web.auth import LOGIN_MESSAGE
from mooc.web.dashboard_panels import dashboard_panels
from mooc.web.errors import register_error_handlers
from mooc.web.i18n import select_locale, select_timezone
from mooc.web.page_cache import PAGES, PageCache
from mooc.web.security import install_security_headers
from mooc.web.session_cookies import SessionCookies

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

BLUEPRINTS = (
    health.bp,
    catalog_views.bp,
    learning_student_views.bp,
    learning_quiz_views.bp,
    learning_teacher_views.bp,
    scorm_views.bp,
    authoring_views.bp,
    account_views.bp,
    account_admin_views.bp,
    account_recovery_views.bp,
    api_views.bp,
    credentials_views.bp,
    credentials_api_views.bp,
    credentials_admin_views.bp,
    transfer_views.bp,
    schools_views.bp,
    notifications_views.bp,
    notifications_views.outbox_bp,
    offline_views.bp,
)


COMMANDS = (
    db_cli,
    authoring_cli.content,
    authoring_cli.media,
    demo_cli.demo,
    learning_cli.xapi,
    credentials_cli.credentials,
    transfer_cli.transfer,
    schools_cli.roster,
    assets_cli,
    notifications_cli.notifications,
    jobs_cli.jobs,
)

# The features' background jobs, an explicit list as blueprints are (mooc.jobs knows none).
JOBS = (
    *credentials_jobs.JOBS,
    *learning_jobs.JOBS,
    *transfer_jobs.JOBS,
    *authoring_jobs.JOBS,
    *notifications_jobs.JOBS,
    *scorm_jobs.JOBS,
)


def _sqlite_pragmas(engine: Engine) -> None:
    """SQLite: enforce foreign keys, WAL (synced at checkpoints), wait on locks, and let
    SQLAlchemy own transactions (pysqlite's own BEGIN handling breaks SAVEPOINTs, which
    idempotent writes rely on).

    Transactions begin IMMEDIATE: a deferred one that reads and then writes fails at once with
    "database is locked" when another process wrote in between, whatever the busy timeout.
    Read-first pages are the exception (mooc/web/transactions.py)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL syncs at checkpoints instead of at every commit: the database stays
        # consistent through a crash, and only a power cut can lose the last commits (the
        # embedded default; production runs PostgreSQL). A commit then costs no fsync.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Read-first pages read as readers (see mooc/web/transactions.py).
        conn.exec_driver_sql("BEGIN" if transactions.begins_deferred() else "BEGIN IMMEDIATE")


def create_app(
    overrides: dict[str, Any] | None = None, *, settings: Settings | None = None
) -> Flask:
    settings = settings or load_settings()
    if overrides:
        settings = settings.with_overrides(**overrides)
    app = Flask(
        "mooc",
        root_path=str(PROJECT_ROOT),
        template_folder="templates",
        static_folder="static",
        instance_path=str(settings.instance_path),
    )
    app.config.update(flask_config(settings))
    app.session_interface = SessionCookies()  # Flask's, its serializer built once
    passwords.configure(settings.password_hashing)
    _init_extensions(app, settings)
    _install_edge_objects(app, settings)
    _register_blueprints(app, settings)
    register_error_handlers(app)
    install_security_headers(
        app, hsts=settings.is_production, frame_origins=(settings.content_origin,)
    )
    _init_templates(app, settings)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    for command in COMMANDS:
        app.cli.add_command(command)
    if settings.is_production and (parts := single_server_parts(settings)):
        # Fine on one machine; said at every start so that adding a second server is no surprise.
        log.warning("only one app server can run with %s", ", ".join(parts))
    return app


def _drop_async_teardowns(app: Flask) -> None:
    """Flask-SQLAlchemy-Lite also registers an `async def` teardown that closes async sessions,
    which we never open; Flask runs it through asgiref on every request of this WSGI app, in a
    new thread with a new event loop (a third of a lecture page's time). Its sync twin, which
    closes our sessions, stays."""
    app.teardown_appcontext_funcs[:] = [
        func
        for func in app.teardown_appcontext_funcs
        if not (
            inspect.iscoroutinefunction(func)
            and func.__module__.startswith("flask_sqlalchemy_lite")
        )
    ]


def _init_extensions(app: Flask, settings: Settings) -> None:
    """Database, CSRF, compression, Babel, rate limits, log-in and storage."""
    db.init_app(app)
    _drop_async_teardowns(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine)
        elif engine.dialect.driver == "psycopg":
            transactions.commit_reading_transactions(engine)  # keeps prepared statements
    # Lecture views are written behind their pages (in tests, by the page: view_writer.py).
    view_writer.install(
        app.extensions,
        engine,
        behind=settings.env != "testing",
        gather=settings.views_gather_ms / 1000,
        lock=transactions.writer_lock(engine),
    )
    csrf.init_app(app)
    app.app_ctx_globals_class = csrf_tokens.ReusingGlobals  # signed CSRF tokens reused a minute
    app.extensions[csrf_tokens.KEPT] = csrf_tokens.SignedTokens()
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = LOGIN_MESSAGE
    login_manager.localize_callback = gettext
    app.extensions["mooc_storage"] = open_storage(
        settings.storage_url, endpoint_url=settings.s3_endpoint_url
    )


def _install_edge_objects(app: Flask, settings: Settings) -> None:
    """The objects views get from the app: issuing context, verifier, postbox, job queue, user
    loader."""
    # The credentials objects the edge hands to views (mooc.web.edge imports no feature).
    app.extensions[edge.ISSUING_CONTEXT] = IssuingContext.from_settings

    def _verifier(*, network: bool = True) -> PlatformVerifier:
        cache = app.extensions.setdefault(edge.STATUS_CACHE, StatusListCache())
        documents = app.extensions.setdefault(ISSUER_DOCUMENTS, StatusListCache())
        policy = VerificationPolicy.from_settings(app.config[edge.SETTINGS], network=network)
        return PlatformVerifier(db.session, policy, cache=cache, documents=documents)

    app.extensions[edge.VERIFIER] = _verifier
    # Course outlines and published lecture texts, read by the course and lecture pages.
    app.extensions[OUTLINES] = OutlineCache()
    app.extensions[PAGES] = PageCache()  # pages as visitors without an account see them

    # Opening a mailer only parses its URL: the folder or server is first touched by a message.
    app.extensions["mooc_postbox"] = Postbox(
        open_mailer(settings.mail_url or f"file://{settings.instance_path / 'outbox'}")
    )

    # Pages that check the session in their own one statement (lecture, course and quiz pages).
    own_loaders = {**learning_student_views.SESSION_LOADERS, **learning_quiz_views.SESSION_LOADERS}

    def _load_user(user_id: str) -> User | SignedIn | None:
        own = own_loaders.get(request.endpoint or "") if request.method in ("GET", "HEAD") else None
        if own is not None:
            return own(user_id)
        return account_queries.load_session_user(db.session, user_id)

    login_manager.user_loader(_load_user)
    install_queue(app, settings, JOBS)  # the queue itself is opened on first use


def _register_blueprints(app: Flask, settings: Settings) -> None:
    """The blueprints, the background sender's jobs and the credentials' session hooks."""
    # First of the request hooks: before any of them loads the user (mooc/web/transactions.py).
    app.before_request(transactions.note_reads_first)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # The sender runs the features' hourly jobs: an explicit list, as blueprints are.
    notifications_sender.install(
        app,
        settings.notifications_sender,
        hourly=[("assignment-reminders", school_notices.remind_due_tomorrow)],
    )
    credentials_hooks.install(app)


def _init_templates(app: Flask, settings: Settings) -> None:
    """Template filters, asset URLs and the globals every template may use."""
    filters.register_filters(app)
    register_assets(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        csrf_token=generate_csrf,
        settings=settings,
        current_locale=lambda: str(get_locale()),
        dashboard_panels=dashboard_panels,
        unread_notifications=notifications_views.unread_notifications,
        header_reader=lambda: site_header.header_reader(notifications_views.unread_notifications),
    )
