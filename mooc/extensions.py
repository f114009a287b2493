"""Flask extensions, created unbound here and bound to an app in `mooc.factory`."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import ExemptionScope, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

db = SQLAlchemy()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
babel = Babel()
# Every limit of a request is checked (not only up to the first one broken), so a refusal can say
# how long the longest of them lasts (see mooc.web.errors).
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    headers_enabled=True,
    fail_on_first_breach=False,
)

# What a bare `@limiter.exempt` opts out of: application, default and meta limits.
_WHOLLY = ExemptionScope.APPLICATION | ExemptionScope.DEFAULT | ExemptionScope.META
_EXEMPT_ENDPOINTS = "mooc.wholly_exempt"  # app.extensions key: endpoint -> whether it is


@limiter.request_filter
def _wholly_exempt() -> bool:
    """Whether the limiter skips this request before any of its own work (left to itself it
    resolves and evaluates the empty limits of a view marked `@limiter.exempt`, ~40 µs a lecture
    page): true for a view wholly exempt whose blueprint has no limits of its own, so that no
    limit applies. Known per app and endpoint after its first request (exemptions are
    decorations, fixed once the app is built). A request filter is the limiter's documented way
    to exempt a request from every limit: a function with a limit of its own must therefore not
    be called from such a view (the filter would skip it too)."""
    endpoint = request.endpoint
    if endpoint is None:
        return False
    known: dict[str, bool] = current_app.extensions.setdefault(_EXEMPT_ENDPOINTS, {})
    found = known.get(endpoint)
    if found is None:
        app, blueprint, manager = current_app, request.blueprint, limiter.limit_manager
        found = known[endpoint] = bool(
            manager.exemption_scope(app, endpoint, blueprint) & _WHOLLY == _WHOLLY
            and not (blueprint and manager.blueprint_limits(app, blueprint))
        )
    return found
