"""Stored codes in the reader's language: one lazy-gettext label per code, per vocabulary.

The database keeps codes ("accepted", "teacher", "quiz"); words are made when shown. Every such
label lives here, so Python and templates (the `label(vocabulary, code)` global) say the same thing
and a translator finds each word once. An unknown code is shown as it is. A few labels hold a
number (`label("course_level", "k12", n=7)`: "Grade 7"). No feature imports.
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
    # catalogue: Level (its %(n)d is the course's grade), and a section holds lectures and quizzes
    "course_level": {"k12": _l("Grade %(n)d"), "university": _l("University")},
    "item_kind": {"lecture": _l("Lecture"), "quiz": _l("Quiz")},
    # assessment: AttemptPolicy and RevealPolicy, as the quiz page states them to the learner
    "attempt_policy": {
        "best": _l("your best attempt counts"),
        "last": _l("your last attempt counts"),
    },
    "reveal_policy": {
        "after_each": _l("Solutions are shown after each attempt."),
        "after_last": _l("Solutions are shown once you have no attempts left."),
        "after_due": _l("Solutions are shown after the due date."),
        "never": _l("Solutions are not shown; your score is."),
    },
    # credentials: CredentialKind, a check's CheckStatus, and the level a record states (by stage,
    # its %(n)s the grade or EQF level; "eqf 6" the one level the platform names, see level_words)
    "credential_kind": {"achievement": _l("Course record"), "transcript": _l("Transcript")},
    "check_status": {"passed": _l("passed"), "failed": _l("failed"), "unknown": _l("not known")},
    "record_level": {
        "k12": _l("Grade %(n)s"),
        "eqf": _l("EQF level %(n)s"),
        "eqf 6": _l("Bachelor level (EQF level 6)"),
    },
    # schools: AssignmentKind, and PersonRole of a roster's rows
    "assignment_kind": {"course": _l("Course"), "lectures": _l("Lectures"), "quiz": _l("Quiz")},
    "roster_role": {"pupil": _l("Pupil"), "teacher": _l("Teacher")},
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
        "captions": _l("Caption files"),
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
        "confirm": _l("Confirmed after the source was revoked"),
        "student-number": _l("Student number"),
    },
}


def label(vocabulary: str, code: str | enum.Enum | None, **params: object) -> str:
    """The words for `code` in `vocabulary` (a KeyError names an unknown vocabulary: a typo).

    `params` fill a label's placeholders, as gettext's keywords do (`n=7` for "Grade %(n)d").
    """
    value = code.value if isinstance(code, enum.Enum) else code
    if value is None:
        return ""
    found = VOCABULARIES[vocabulary].get(str(value))
    if found is None:
        return str(value)
    return str(found) % params if params else str(found)


def level_words(stage: str, code: str) -> str:
    """A level a record states, in the reader's words: by its own name when the platform has one
    ("eqf 6"), else by stage and number; "" when the platform cannot word it (stage unknown)."""
    levels = VOCABULARIES["record_level"]
    if f"{stage} {code}" in levels:
        return label("record_level", f"{stage} {code}")
    return label("record_level", stage, n=code) if stage in levels else ""
