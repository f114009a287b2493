"""Issuing the signed record of a recognising decision: signed with the university's did:web key
and given a bit of its revocation status list, stored with the platform's other records so the
student finds it in My records and every verifier (the public /verify page too) checks it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from urllib.parse import quote

from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.achievements import UNIVERSITY_LEVEL, tin_chi
from mooc.credentials.core.identity import hashed_recipient, new_salt
from mooc.credentials.core.timestamps import format_timestamp
from mooc.credentials.issuers import issuer_profile
from mooc.credentials.issuing import IssuingContext, signer_for, store_signed
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.signing import sign_document
from mooc.credentials.status import current_list, entry_for, random_free_index
from mooc.db import utcnow
from mooc.transfer.models import RequestItem
from mooc.transfer.recognition_record import Recognition, SourceRecord, recognition_credential


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
    its status index was taken at the same moment (try again).
    """
    signer = signer_for(session, context, university)
    status_list = current_list(session, context.base_url, university, signer)
    index = random_free_index(session, status_list)
    issued_at = utcnow().replace(microsecond=0)
    credential_uuid = str(uuid.uuid4())
    recognition = Recognition(
        credential_id=f"urn:uuid:{credential_uuid}",
        achievement_id=recognition_achievement_id(context.base_url, university, course_code),
        issuer=issuer_profile(context.base_url, university),
        recipient=hashed_recipient(item.student.email, item.student.username, new_salt()),
        course_code=course_code,
        course_title=course_title,
        credits=credits,
        sources=(SourceRecord(item.source_id, item.name, item.issuer_did, item.issuer_name),),
        decided_at=issued_at,
        credit_unit=tin_chi(context.base_url),
        level=UNIVERSITY_LEVEL,
        status=entry_for(context.base_url, status_list, index),
    )
    unsigned = recognition_credential(recognition)
    row = IssuedCredential(
        uuid=credential_uuid,
        kind=CredentialKind.ACHIEVEMENT,
        user_id=item.student_id,
        completion_id=None,
        institution_id=university.id,
        key_id=signer.key_id,
        name=unsigned["name"][:300],
        document=sign_document(
            unsigned, signer.seed, signer.verification_method, format_timestamp(issued_at)
        ),
        includes=[],  # a transcript's field; the decision row links the source record
        status_list_id=status_list.id,
        status_index=index,
        issued_at=issued_at,
    )
    return store_signed(session, row)
