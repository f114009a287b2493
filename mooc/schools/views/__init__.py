"""The schools blueprint: one blueprint, one module per page family.

URLs: `/schools/<slug>/…` for a school's staff (years, classes, people, roster import);
`/classes/<id>/…` for a class's teachers (assignments, login cards, report); pupils' pages under
`/my/…`. Templates live in `templates/schools/`.
"""

from __future__ import annotations

from mooc.schools.blueprint import bp

# Each page-family module registers its routes on `bp` when imported, one import line each below.
from mooc.schools.views import assignments as _assignments  # noqa: F401
from mooc.schools.views import login_cards as _login_cards  # noqa: F401
from mooc.schools.views import panels as _panels  # noqa: F401
from mooc.schools.views import reports as _reports  # noqa: F401
from mooc.schools.views import roster as _roster  # noqa: F401
from mooc.schools.views import staff as _staff  # noqa: F401
from mooc.schools.views import todo as _todo  # noqa: F401

__all__ = ["bp"]
