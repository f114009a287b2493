"""Credit-transfer pages: a student's requests, a university's rules and its recognition desk.

One blueprint, `transfer`, made of one sub-blueprint per module below (endpoints read
`transfer.<module>.<view>`). Only the app factory imports this package (an import-linter contract);
a view module never imports another.
"""

from __future__ import annotations

from flask import Blueprint

from mooc.transfer.views import presentations, rules, staff, student, students

bp = Blueprint("transfer", __name__)
for _part in (student, staff, rules, presentations, students):
    bp.register_blueprint(_part.bp)
