"""Authoring pages: courses and their structure, lectures, quizzes, media, packages, audit log.

One blueprint, `authoring`, made of one sub-blueprint per module below (endpoints read
`authoring.<module>.<view>`). Only the app factory imports this package (an import-linter contract);
a view module never imports another.
"""

from __future__ import annotations

from flask import Blueprint

from mooc.authoring.views import audit, courses, lectures, media, quizzes, scorm

bp = Blueprint("authoring", __name__)
for _part in (courses, lectures, quizzes, audit, media, scorm):
    bp.register_blueprint(_part.bp)
