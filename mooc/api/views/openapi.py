"""`GET /api/v1/openapi.json`: the OpenAPI document (`mooc.api.openapi`), for this origin."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from mooc.api.openapi import document
from mooc.web import edge

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(edge.base_url()))
