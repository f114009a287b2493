"""Security headers on every response, and the open-redirect-safe `next` check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: https:",
        "media-src 'self' https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(frame_origins: tuple[str, ...] = ()) -> str:
    """The platform's policy; pages may frame only `frame_origins` (the SCORM content origin)."""
    if not frame_origins:
        return CSP
    return f"{CSP}; frame-src {' '.join(frame_origins)}"


_FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def add_security_headers(response: Response, csp: str = CSP) -> Response:
    """Each header unless the view set its own: one pass over the response's headers (six
    `setdefault` calls scanned them six times, on every response)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    headers.extend(
        (name, value)
        for name, value in (("Content-Security-Policy", csp), *_FIXED)
        if name.lower() not in present
    )
    return response


def install_security_headers(
    app: Flask, *, hsts: bool, frame_origins: tuple[str, ...] = ()
) -> None:
    csp = content_security_policy(frame_origins)

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_security_headers(response, csp)

    if hsts:

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login; anything else goes to `default`."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return default
    return target
