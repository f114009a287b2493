"""Fingerprinted static assets: `asset('css/app.css')` → `/static/css/app.css?v=<hash>`, served
with a one-year immutable cache, so repeat visits on slow connections download nothing; and
the precompressed `.br`/`.gz` copies (`flask assets compress`) chosen by Accept-Encoding."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import click
from flask import Flask, Response, current_app, request, send_from_directory, url_for
from flask.cli import with_appcontext
from werkzeug.security import safe_join

from mooc.web.precompress import COMPRESSIBLE, ENCODINGS, compress_folder, is_fresh

YEAR = 365 * 24 * 3600


def _precompressed(static: Path, filename: str) -> tuple[str, str] | None:
    """The best precompressed copy the client accepts: (Content-Encoding, file name), or None."""
    if Path(filename).suffix not in COMPRESSIBLE:
        return None
    source = safe_join(str(static), filename)
    if source is None:
        return None
    for encoding, suffix in ENCODINGS:
        if request.accept_encodings[encoding] and is_fresh(Path(source), Path(source + suffix)):
            return encoding, filename + suffix
    return None


def register_assets(app: Flask) -> None:
    static = Path(app.static_folder or "static")

    @lru_cache(maxsize=256)
    def fingerprint(filename: str) -> str:
        path = static / filename
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v=fingerprint(filename))

    def send_static(filename: str) -> Response:
        chosen = _precompressed(static, filename)
        if chosen is None:
            response = app.send_static_file(filename)
        else:
            encoding, copy = chosen
            # The type of the original file, not of the compressed copy (`.br` has none).
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            response = send_from_directory(
                static, copy, mimetype=mimetype, download_name=Path(filename).name
            )
            response.headers["Content-Encoding"] = encoding
        if Path(filename).suffix in COMPRESSIBLE:
            response.vary.add("Accept-Encoding")
        return response

    @app.after_request
    def _long_cache(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get("v")
            if version and version == fingerprint(request.view_args["filename"]):  # type: ignore[index]
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
                # Old caches read Expires, which SEND_FILE_MAX_AGE_DEFAULT set an hour ahead.
                response.expires = datetime.now(UTC) + timedelta(seconds=YEAR)
        return response

    app.view_functions["static"] = send_static
    app.jinja_env.globals["asset"] = asset
    app.config["MOOC_ASSET_VERSION"] = fingerprint("css/app.css")


@click.group("assets", help="Static assets (CSS, scripts, icons).")
def assets_cli() -> None:
    """Commands for the files under static/."""


@assets_cli.command("compress")
@click.option("--force", is_flag=True, help="Rewrite every copy, even those up to date.")
@with_appcontext
def compress_command(force: bool) -> None:
    """Write a brotli (.br) and a gzip (.gz) copy beside every CSS, JS and SVG file."""
    folder = Path(current_app.static_folder or "static")
    results = compress_folder(folder, force=force)
    for item in results:
        name = item.source.relative_to(folder)
        if item.brotli_size is None and item.gzip_size is None:
            click.echo(f"{name}: up to date")
        else:
            br, gz = item.brotli_size or "-", item.gzip_size or "-"
            click.echo(f"{name}: {item.size} B → br {br} B, gz {gz} B")
    click.echo(f"{len(results)} files under {folder}")
