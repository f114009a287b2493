"""The `schools` blueprint that every schools view module adds its routes to. It sits outside
`views/` so that view modules import no other view module (an import-linter contract)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("schools", __name__)
