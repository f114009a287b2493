"""Issuing the signed record of a recognising decision: signed with the university's did:web key
and given a bit of its suspension list, the one status entry its document names (a bit of the
revocation list is kept in the books only, see `Slot`), stored with the platform's other records
so the student finds it in My records and every verifier (the public /verify page too) checks
it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.accounts.queries import student_number
from mooc.credentials.achievements import UNIVERSITY_LEVEL, tin_chi
from mooc.credentials.core.contexts import mooc_context_url
from mooc.credentials.core.identity import hashed_recipient, new_salt, person_identities
from mooc.credentials.issuers import issuer_profile
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.services.issuing import Holding, IssuingContext, Slot, issue
from mooc.transfer.core.recognition import Recognition, SourceRecord, recognition_credential
from mooc.transfer.models import RequestItem


def recognition_achievement_id(base_url: str, university: Institution, course_code: str) -> str:
    """The same id for every recognition of one of the university's courses."""
    return f"{base_url}/institutions/{university.slug}/courses/{quote(course_code, safe='')}"


def issue_recognition_record(
    session: Session,
    context: IssuingContext,
    university: Institution,
    item: RequestItem,
    *,
    course_code: str,
    course_title: str,
    credits: Decimal,
) -> IssuedCredential:
    """The signed recognition record of `item` for the student, issued now.

    Raises `KeyUnavailable`/`Invalid` when the university's key cannot be used, `Conflict` when
    no free status index could be secured (try again).
    """
    profile = issuer_profile(context.base_url, university)
    salt = new_salt()
    recipient = hashed_recipient(item.student.email, item.student.username, salt)
    # a university's record: the name in clear, and the number it knows the student by
    number = student_number(session, item.student.id, university.id)
    holder = person_identities(item.student.name, number, in_clear=True, salt=salt)

    def build(slot: Slot) -> dict[str, Any]:
        return recognition_credential(
            Recognition(
                credential_id=slot.credential_id,
                achievement_id=recognition_achievement_id(
                    context.base_url, university, course_code
                ),
                issuer=profile,
                recipient=recipient,
                course_code=course_code,
                course_title=course_title,
                credits=credits,
                sources=(
                    SourceRecord(item.source_id, item.name, item.issuer_did, item.issuer_name),
                ),
                decided_at=slot.issued_at,
                credit_unit=tin_chi(context.base_url),
                level=UNIVERSITY_LEVEL,
                status=slot.entry,  # its suspension bit: the one entry (`Slot`)
                holder=holder,
            ),
            context_url=mooc_context_url(context.base_url),
        )

    # It rests on the platform's row of the source record, when there is one: revoking that
    # suspends this record (`mooc.credentials.services.revoking`) until the staff decide again.
    rests_on = (item.credential_id,) if item.credential_id is not None else ()
    holding = Holding(
        CredentialKind.ACHIEVEMENT, item.student_id, includes=rests_on, suspendable=True
    )
    return issue(session, context, university, holding, build)
