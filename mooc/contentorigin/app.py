"""`create_content_app`: the launch page (the runtime and the SCO's frame) and the package
files, each with strict headers. No database, no session, no cookies: the token says it all."""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from flask import Flask, Response, render_template, request, send_file
from werkzeug.exceptions import Forbidden, NotFound

from mooc.scorm.core.archive import PackageRefused, storage_key
from mooc.scorm.tokens import ContentGrant, read_grant
from mooc.settings import Settings, load_settings
from mooc.storage import Storage, open_storage

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
VENDOR = PROJECT_ROOT / "static" / "vendor" / "node_modules" / "scorm-again" / "dist"
RUNTIMES = {"1.2": "scorm12.min.js", "2004": "scorm2004.min.js"}
LAUNCH_SCRIPT = PROJECT_ROOT / "static" / "js" / "scorm-launch.js"
STORAGE = "mooc_content_storage"
SETTINGS = "mooc_content_settings"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def package_policy(platform: str) -> str:
    """A package's files: scripts of its own (authoring tools inline and eval them), nothing
    fetched from elsewhere, framed only by the launch page inside the platform's lecture page,
    and a sandbox without top navigation, popups or downloads."""
    return "; ".join(
        [
            "default-src 'self' data: blob:",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline' data:",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors 'self' {platform}",
            "sandbox allow-scripts allow-forms allow-same-origin",
        ]
    )


def launch_policy(platform: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'unsafe-inline'",
            "frame-src 'self'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {platform}",
            "sandbox allow-scripts allow-forms allow-same-origin",
        ]
    )


@functools.lru_cache(maxsize=8)
def _brotli(path: Path) -> bytes:
    """A runtime file compressed once per process (they change only with `make vendor`)."""
    return bytes(brotli.compress(path.read_bytes(), quality=11))


def _strict(response: Response) -> Response:
    headers = response.headers
    headers.pop("Set-Cookie", None)  # nothing here ever sets a cookie; never let one through
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def create_content_app(settings: Settings | None = None, storage: Storage | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        static_folder=None,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(TESTING=settings.env == "testing", SECRET_KEY=None)
    app.extensions[SETTINGS] = settings
    app.extensions[STORAGE] = storage or open_storage(
        settings.storage_url, endpoint_url=settings.s3_endpoint_url
    )
    platform = _origin(settings.base_url)

    def grant_of(token: str) -> ContentGrant:
        found = read_grant(settings.secret_key, token, fallbacks=settings.secret_key_fallbacks)
        if found is None:
            raise Forbidden()
        return found

    @app.get("/launch/<token>")
    def launch(token: str) -> Response:
        grant = grant_of(token)
        response = Response(
            render_template(
                "contentorigin/launch.html",
                version=grant.version,
                platform=platform,
                files=f"/c/{token}/",
                runtime=f"/runtime/{RUNTIMES[grant.version]}",
            )
        )
        response.headers["Content-Security-Policy"] = launch_policy(platform)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/c/<token>/<path:path>")
    def package_file(token: str, path: str) -> Response:
        grant = grant_of(token)
        try:
            key = storage_key(grant.prefix, path)
            stream = app.extensions[STORAGE].open(key)
        except (PackageRefused, ValueError, FileNotFoundError):
            raise NotFound() from None
        guessed, _ = mimetypes.guess_type(path)
        response = send_file(stream, mimetype=guessed or "application/octet-stream")
        response.headers["Content-Security-Policy"] = package_policy(platform)
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @app.get("/runtime/<name>")
    def runtime(name: str) -> Response:
        if name == "scorm-launch.js":
            path = LAUNCH_SCRIPT
        elif name in RUNTIMES.values():
            path = VENDOR / name
        else:
            raise NotFound()
        if not path.is_file():  # `make vendor` has not been run
            raise NotFound()
        # The runtime is most of a launch's bytes: on a 2G line, brotli saves seconds.
        if request.accept_encodings["br"]:
            response = Response(_brotli(path), mimetype="text/javascript")
            response.headers["Content-Encoding"] = "br"
        else:
            response = Response(path.read_bytes(), mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.vary.add("Accept-Encoding")
        return response

    @app.get("/health")
    def health() -> Response:
        return Response("ok\n", mimetype="text/plain")

    app.after_request(_strict)
    return app
