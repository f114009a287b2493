"""The holder on the verify and share pages: the form a verifier types a name or student number
into, to check it against the salted hashes of a record, and the answer in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mooc.credentials.core.identity import NAME, STUDENT_ID, Match, check_identity
from mooc.credentials.core.reading import RecordSummary, mapping
from mooc.credentials.forms import IdentityCheckForm

TYPE_LABELS = {NAME: _l("Name"), STUDENT_ID: _l("Student number")}


@dataclass(frozen=True)
class HolderCheck:
    """What a verifier typed, checked: match, no-match, or absent (no such identity stated)."""

    outcome: Match
    message: str


def identity_form(summary: RecordSummary, *, submitted: bool = False) -> IdentityCheckForm | None:
    """The check form for the identities `summary`'s record states only as hashes, or None when
    there are none (a name in clear is simply shown). `submitted` binds it to the request."""
    if not summary.hashed_identities:
        return None
    form = IdentityCheckForm() if submitted else IdentityCheckForm(formdata=None)
    form.identity_type.choices = [
        (kind, str(TYPE_LABELS[kind])) for kind in summary.hashed_identities
    ]
    return form


def holder_check(credential: Any, form: IdentityCheckForm) -> HolderCheck:
    """Check the typed value against the record's credential subject."""
    subject = mapping(mapping(credential).get("credentialSubject"))
    kind = str(form.identity_type.data)
    outcome = check_identity(subject, kind, form.value.data or "")
    messages = {
        (NAME, "match"): _("The name matches: this record was issued to a person of that name."),
        (NAME, "no-match"): _("The name does not match the one this record was issued to."),
        (STUDENT_ID, "match"): _(
            "The student number matches: this record was issued to the holder of that number."
        ),
        (STUDENT_ID, "no-match"): _(
            "The student number does not match the one this record was issued to."
        ),
    }
    message = messages.get((kind, outcome), _("This record states no such identity to check."))
    return HolderCheck(outcome, message)
