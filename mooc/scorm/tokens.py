"""The short-lived signed token in a content-origin URL: which package's files it opens.

The content origin has no session and no database: the token (itsdangerous, its own salt) is
the whole of its access rule. Signed with the app's secret key, so the platform and the content
app, started from the same settings, agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "mooc.scorm.content-origin"
LIFETIME = 4 * 3600  # seconds: a long lesson; a reopened lecture gets a fresh token


@dataclass(frozen=True)
class ContentGrant:
    prefix: str  # storage prefix of the package's files
    version: str  # "1.2" | "2004": which runtime the launch page loads


def _serializer(secret: str, fallbacks: tuple[str, ...] = ()) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer([*reversed(fallbacks), secret], salt=SALT)


def grant(secret: str, prefix: str, version: str) -> str:
    return _serializer(secret).dumps({"p": prefix, "v": version})


def read_grant(
    secret: str, token: str, *, fallbacks: tuple[str, ...] = (), max_age: int = LIFETIME
) -> ContentGrant | None:
    """The grant in `token`, or None when it is forged, malformed or expired."""
    try:
        data = _serializer(secret, fallbacks).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), str):
        return None
    if data.get("v") not in ("1.2", "2004"):
        return None
    return ContentGrant(data["p"], data["v"])
