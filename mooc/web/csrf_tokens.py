"""A session's signed CSRF token is reused for a minute instead of signed again on every page
(Flask-WTF's `generate_csrf` signs it once a request, ~30 µs of a lecture page).

The token in pages is the session's secret raw token signed with a timestamp; any signature of
it validates until the time limit (WTF_CSRF_TIME_LIMIT) after its timestamp. So a signature
made in the last minute for the same raw token, by the same app (its secret), serves as well as
a new one, and is no more use to anyone without that session's cookie. Tokens still change with
the session's raw token (a new session signs anew); a page gives its form at most a minute less
of the time limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from flask import current_app, has_request_context, session
from flask.ctx import _AppCtxGlobals

FIELD = "csrf_token"  # Flask-WTF's name for the token, in the session and in `g` (the default)
REUSED_FOR = 60  # seconds a signature is handed out again after it was made
KEPT = "mooc.signed_csrf_tokens"  # app.extensions key of the app's SignedTokens


class SignedTokens:
    """Raw token -> its signature made less than REUSED_FOR ago; shared by a process's threads."""

    def __init__(self, maxsize: int = 50_000, timer: Callable[[], float] = time.monotonic) -> None:
        self._signed: TTLCache[str, str] = TTLCache(maxsize=maxsize, ttl=REUSED_FOR, timer=timer)
        self._lock = threading.Lock()

    def get(self, raw: str) -> str | None:
        with self._lock:
            return self._signed.get(raw)

    def keep(self, raw: str, signed: str) -> None:
        with self._lock:
            if raw not in self._signed:  # the signature's minute runs from when it was made
                self._signed[raw] = signed


class ReusingGlobals(_AppCtxGlobals):
    """`g` (Flask's `app_ctx_globals_class`), where Flask-WTF looks for the request's signed
    token before it signs one and keeps the one it signed: the first is found among those
    signed in the last minute, the second is remembered there. Nothing else changes."""

    def __contains__(self, item: str) -> bool:
        if item == FIELD and FIELD not in self.__dict__ and has_request_context():
            raw = session.get(FIELD)  # read as Flask-WTF would (the page varies on the cookie)
            signed = _signed_tokens().get(raw) if isinstance(raw, str) else None
            if signed is not None:
                self.__dict__[FIELD] = signed
        return item in self.__dict__

    def __setattr__(self, name: str, value: object) -> None:
        self.__dict__[name] = value
        if name == FIELD and isinstance(value, str) and has_request_context():
            raw = session.get(FIELD)
            if isinstance(raw, str):
                _signed_tokens().keep(raw, value)


def _signed_tokens() -> SignedTokens:
    found: SignedTokens = current_app.extensions[KEPT]
    return found
