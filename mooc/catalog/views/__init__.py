"""The catalogue's pages: one blueprint, `catalog` (its routes in `catalogue`).

Only the app factory imports this package (an import-linter contract).
"""

from __future__ import annotations

from mooc.catalog.views.catalogue import bp

__all__ = ["bp"]
