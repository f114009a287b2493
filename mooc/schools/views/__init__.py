"""The schools blueprint: one blueprint, one module per page family.

URLs: `/schools/<slug>/…` for a school's staff (years, classes, people, roster import);
`/classes/<id>/…` for a class's teachers (assignments, login cards, report); pupils' pages under
`/my/…`. Templates live in `templates/schools/`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("schools", __name__)

# Each page-family module registers its routes on `bp` when imported, one import line each below.
from mooc.schools.views import login_cards  # noqa: E402, F401
