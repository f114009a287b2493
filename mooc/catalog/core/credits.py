"""The most credits one course, or one credit recognised for it, may carry: a full year of study
(60 ECTS). Authoring, package import, recognition rules, decisions and the API all check it here."""

from __future__ import annotations

from decimal import Decimal

MAX_CREDITS = Decimal(60)
