"""`create_content_app`: the launch page (the runtime and the SCO's frame) and the package
files, each with strict headers. No database, no session, no cookies: the token says it all.

Large media files (video, audio, images of `LARGE_MEDIA` bytes or more) of a package in S3 are
not relayed: the content origin answers with a redirect to a short-lived presigned URL, and the
package's policy lets media and images (never scripts, styles, frames or pages) come from the
S3 origin. HTML and scripts are always served by the content origin itself."""

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
LARGE_MEDIA = 1024 * 1024  # bytes: media at least this large are fetched from S3 directly
MEDIA_TYPES = ("video/", "audio/", "image/")
PRESIGNED_FOR = 3600  # seconds a redirect's URL works: a long video watched with pauses


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def package_policy(platform: str, media: str = "") -> str:
    """A package's files: scripts of its own (authoring tools inline and eval them), nothing
    fetched from elsewhere but its large media from `media` (the S3 origin, when packages are
    there), framed only by the launch page inside the platform's lecture page, and a sandbox
    without top navigation, popups or downloads."""
    extra = f" {media}" if media else ""
    return "; ".join(
        [
            "default-src 'self' data: blob:",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline' data:",
            f"img-src 'self' data: blob:{extra}",
            f"media-src 'self' data: blob:{extra}",
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


class _PackageFiles:
    """A package's files from storage, or (large media in S3) a redirect to a presigned URL."""

    def __init__(self, storage: Storage, platform: str) -> None:
        self.storage = storage
        # Presigning needs no network: a URL made now names the origin redirects will go to.
        probe = storage.url("scorm/probe", expires_in=60)
        self.media_origin = _origin(probe) if probe else ""
        self.policy = package_policy(platform, self.media_origin)

    def _elsewhere(self, key: str, mimetype: str) -> str | None:
        """A presigned URL for `key` when it is a large media file the storage can hand out."""
        if not self.media_origin or not mimetype.startswith(MEDIA_TYPES):
            return None
        listed = next((o for o in self.storage.listing(key) if o.key == key), None)
        if listed is None or listed.size < LARGE_MEDIA:
            return None
        return self.storage.url(key, expires_in=PRESIGNED_FOR, content_type=mimetype)

    def response(self, grant: ContentGrant, path: str) -> Response:
        guessed, _ = mimetypes.guess_type(path)
        mimetype = guessed or "application/octet-stream"
        try:
            key = storage_key(grant.prefix, path)
            elsewhere = self._elsewhere(key, mimetype)
            if elsewhere is not None:
                moved = Response(status=302, headers={"Location": elsewhere})
                moved.headers["Cache-Control"] = "no-store"  # the URL expires
                return moved
            stream = self.storage.open(key)
        except (PackageRefused, ValueError, FileNotFoundError):
            raise NotFound() from None
        response = send_file(stream, mimetype=mimetype)
        response.headers["Content-Security-Policy"] = self.policy
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response


def _runtime(name: str) -> Response:
    """The SCORM runtime or the launch script, brotli-compressed when the browser takes it."""
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
    files = _PackageFiles(app.extensions[STORAGE], platform)

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
        return files.response(grant_of(token), path)

    @app.get("/runtime/<name>")
    def runtime(name: str) -> Response:
        return _runtime(name)

    @app.get("/health")
    def health() -> Response:
        return Response("ok\n", mimetype="text/plain")

    app.after_request(_strict)
    return app
