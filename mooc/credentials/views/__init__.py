"""The credentials pages. One blueprint, `credentials`, serves the learner's records
(`records`; adding one to a wallet, `wallet`) and the public documents and verify pages
(`public`), which share the site's root; administration (`admin`, under /admin/records) and
the JSON API (`api`, under /api/v1) have their own URL prefixes and blueprints.
"""

from __future__ import annotations

from mooc.credentials.blueprint import bp
from mooc.credentials.views import public, records, wallet

__all__ = ["bp", "public", "records", "wallet"]
