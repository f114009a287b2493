"""The JSON API under /api/v1 (credit transfer, xAPI, the W3C VC API, the OpenAPI document) and
the token pages.

One blueprint, `api`, made of one sub-blueprint per module below (endpoints read
`api.<module>.<view>`). Only the app factory imports this package (an import-linter contract);
a view module never imports another.
"""

from __future__ import annotations

from flask import Blueprint

from mooc.api.views import openapi, tokens, transfer, vcapi, xapi

bp = Blueprint("api", __name__)
for _part in (xapi, openapi, tokens, transfer, vcapi):
    bp.register_blueprint(_part.bp)
