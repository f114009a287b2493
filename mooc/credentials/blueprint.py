"""The `credentials` blueprint that the learner's records pages and the public documents share
(both live at the site's root). It sits outside `views/` so that view modules import no other view
module (an import-linter contract)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credentials", __name__)
