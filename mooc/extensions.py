"""Flask extensions, created unbound here and bound to an app in `mooc.factory`."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
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
