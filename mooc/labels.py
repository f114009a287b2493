"""Stored codes in the reader's language: one lazy-gettext label per code, per vocabulary.

The database keeps codes ("accepted", "teacher", "quiz"); words are made when shown. Every such
label lives here, so Python and templates (the `label(vocabulary, code)` global) say the same thing
and a translator finds each word once. An unknown code is shown as it is. No feature imports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l

#: Subject codes courses use (the catalogue's list of valid subjects).
SUBJECTS: Mapping[str, LazyString] = {
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

VOCABULARIES: Mapping[str, Mapping[str, LazyString]] = {
    "subject": SUBJECTS,
    # accounts: Role, InstitutionKind
    "role": {
        "student": _l("Student"),
        "teacher": _l("Teacher"),
        "staff": _l("University staff"),
        "admin": _l("Administrator"),
    },
    "institution_kind": {
        "school": _l("School"),
        "university": _l("University"),
        "ministry": _l("Ministry"),
    },
    # catalogue items: a section holds lectures and quizzes
    "item_kind": {"lecture": _l("Lecture"), "quiz": _l("Quiz")},
    # authoring: the audit log's actions and objects, media kinds, what an import does to an item
    "authoring_action": {
        "create": _l("Create"),
        "edit": _l("Edit"),
        "publish": _l("Publish"),
        "unpublish": _l("Unpublish"),
        "delete": _l("Delete"),
        "retire": _l("Retire from the course"),
        "reorder": _l("Reorder"),
        "upload": _l("Upload"),
        "import": _l("Import"),
    },
    "authoring_object": {
        "course": _l("Course"),
        "section": _l("Section"),
        "lecture": _l("Lecture"),
        "quiz": _l("Quiz"),
        "question": _l("Question"),
        "media": _l("Media file"),
        "package": _l("Course package"),
    },
    "media_kind": {
        "image": _l("Images"),
        "pdf": _l("PDF files"),
        "audio": _l("Audio files"),
        "video": _l("Videos"),
    },
    "import_change": {
        "created": _l("New"),
        "updated": _l("Changed"),
        "restored": _l("Back in the course (was retired)"),
        "retired": _l("Retired: hidden from learners, kept with their progress and attempts"),
        "deleted": _l("Removed (no learner has used it)"),
    },
    # transfer: ItemState (and the queue's "decided"), Outcome, Method, IssuerOrigin, audit actions
    "transfer_state": {
        "pending": _l("Waiting for a decision"),
        "accepted": _l("Recognised"),
        "adjusted": _l("Recognised (adjusted)"),
        "rejected": _l("Not recognised"),
        "withdrawn": lazy_pgettext("transfer request", "Withdrawn"),
        "decided": _l("Decided"),
    },
    "transfer_outcome": {
        "accepted": _l("Accepted as proposed"),
        "adjusted": _l("Adjusted"),
        "rejected": _l("Rejected"),
    },
    "transfer_method": {
        "fixed": _l("Fixed credits"),
        "same": _l("The credits the record states"),
        "by_hours": _l("By study hours"),
    },
    "issuer_origin": {
        "platform": _l("from the platform's trust list"),
        "added": _l("by your staff"),
    },
    "transfer_action": {
        "create": _l("Create"),
        "edit": _l("Edit"),
        "retire": _l("Retire"),
        "trust": _l("Trust"),
        "distrust": _l("Stop trusting"),
        "submit": _l("Request sent"),
        "withdraw": lazy_pgettext("transfer request", "Withdraw"),
        "accepted": _l("Accept"),
        "adjusted": _l("Adjust"),
        "rejected": _l("Reject"),
        "flag": _l("Source revoked"),
    },
}


def label(vocabulary: str, code: str | enum.Enum | None) -> str:
    """The words for `code` in `vocabulary` (a KeyError names an unknown vocabulary: a typo)."""
    value = code.value if isinstance(code, enum.Enum) else code
    if value is None:
        return ""
    found = VOCABULARIES[vocabulary].get(str(value))
    return str(found) if found is not None else str(value)
