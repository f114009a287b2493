"""Fingerprinted static assets: `asset('css/app.css')` → `/static/css/app.css?v=<hash>`, served
with a one-year immutable cache, so repeat visits on slow connections download nothing."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, url_for

YEAR = 365 * 24 * 3600


def register_assets(app: Flask) -> None:
    static = Path(app.static_folder or "static")

    @lru_cache(maxsize=256)
    def fingerprint(filename: str) -> str:
        path = static / filename
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v=fingerprint(filename))

    @app.after_request
    def _long_cache(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get("v")
            if version and version == fingerprint(request.view_args["filename"]):  # type: ignore[index]
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
        return response

    app.jinja_env.globals["asset"] = asset
    app.config["MOOC_ASSET_VERSION"] = fingerprint("css/app.css")
