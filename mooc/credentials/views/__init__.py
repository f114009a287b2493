"""The credentials pages. One blueprint, `credentials`, serves the learner's records
(`records`) and the public documents and verify pages (`public`), which share the site's root;
administration (`admin`, under /admin/records) and the JSON API (`api`, under /api/v1) have
their own URL prefixes and blueprints.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credentials", __name__)

# The modules whose routes make up `bp`, imported once it exists (Flask's package pattern).
from mooc.credentials.views import public, records  # noqa: E402

__all__ = ["bp", "public", "records"]
