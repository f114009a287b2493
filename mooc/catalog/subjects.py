"""The subject codes courses use, with their translated labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBJECTS = {
    "math": _l("Mathematics"),
    "vietnamese": _l("Vietnamese"),
    "english": _l("English"),
    "physics": _l("Physics"),
    "chemistry": _l("Chemistry"),
    "biology": _l("Biology"),
    "history": _l("History"),
    "geography": _l("Geography"),
    "informatics": _l("Informatics"),
    "computer-science": _l("Computer science"),
    "statistics": _l("Statistics"),
    "science": _l("Science"),
    "literature": _l("Literature"),
    "economics": _l("Economics"),
}
