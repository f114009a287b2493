"""A student's records: the list and the API, downloads, share links, the printable page with
its QR code, transcripts; nobody reaches another student's records. Issuer documents."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import User
from mooc.credentials.core.structure import check_structure
from mooc.credentials.issuers import institution_by_slug
from mooc.credentials.models import CredentialKind, IssuedCredential, ShareLink
from mooc.credentials.services.revoking import revoke_record
from mooc.db import utcnow
from mooc.web.filters import credits, hours, number
from tests.factories import PASSWORD, make_user
from tests.helpers import context, csrf_from, in_language, login, platform_verifier
from tests.integration.credentials.records import SCHOOL_COURSE, issue

_NEW_LINK = re.compile(r'id="new-link"[^>]*value="([^"]+)"')


pytestmark = pytest.mark.usefixtures("signing")


@dataclass
class Holder:
    """A student with a record, logged in in a browser of their own."""

    client: FlaskClient
    user: User
    record: IssuedCredential
    token: str

    def post(self, url: str, data: dict[str, object] | None = None) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})})


def holder(app: Flask, session: Session) -> Holder:
    user = make_user(session)
    record = issue(app, session, user)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, user.email, PASSWORD)
    return Holder(client, user, record, csrf_from(client, f"/records/{record.uuid}"))


@pytest.fixture
def mai(app: Flask, session: Session) -> Holder:
    return holder(app, session)


@pytest.fixture
def binh(app: Flask, session: Session) -> Holder:
    return holder(app, session)


def share(who: Holder, days: int = 30, label: str = "") -> str:
    page = who.client.post(
        f"/records/{who.record.uuid}/share",
        data={"csrf_token": who.token, "days": str(days), "label": label},
    )
    assert page.status_code == 201
    match = _NEW_LINK.search(page.get_data(as_text=True))
    assert match, "the new link is shown once"
    return match.group(1).removeprefix("http://mooc.test")


# --- my records ----------------------------------------------------------------------------


def test_my_records_lists_mine_and_the_record_page_verifies_it(mai: Holder, binh: Holder) -> None:
    listing = mai.client.get("/records").get_data(as_text=True)
    assert f"/records/{mai.record.uuid}" in listing
    assert binh.record.uuid not in listing
    page = mai.client.get(f"/records/{mai.record.uuid}").get_data(as_text=True)
    assert "Valid: this record is authentic" in page
    assert "Trường Đại học Mở Hà Nội" in page


def test_the_record_page_shows_its_dates_in_words_not_iso(mai: Holder) -> None:
    page = mai.client.get(f"/records/{mai.record.uuid}").get_data(as_text=True)
    issued = re.search(r'Issued on</dt><dd><time datetime="(\d{4}-\d\d-\d\d)">([^<]+)</time>', page)
    assert issued, "the issue date is missing"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", issued.group(2))  # "Dec 4, 2026"
    # The verifier's "Technical details" quote the record's own values; everything else is words.
    readable = re.sub(r"<details>.*?</details>", " ", page, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", readable)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}", text)  # ISO only inside attributes


def test_the_download_is_the_signed_record_byte_for_byte(mai: Holder) -> None:
    download = mai.client.get(f"/records/{mai.record.uuid}/credential.json")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == mai.record.document
    assert "attachment" in download.headers["Content-Disposition"]
    assert check_structure(json.loads(download.data)).well_formed


def test_nobody_reaches_another_students_record(
    mai: Holder, binh: Holder, session: Session
) -> None:
    theirs = binh.record.uuid
    assert mai.client.get(f"/records/{theirs}").status_code == 404
    assert mai.client.get(f"/records/{theirs}/credential.json").status_code == 404
    assert mai.client.get(f"/records/{theirs}/print").status_code == 404
    assert mai.post(f"/records/{theirs}/share", {"days": "30"}).status_code == 404
    link_path = share(binh)
    link = session.scalars(select(ShareLink).where(ShareLink.credential_id == binh.record.id)).one()
    withdrawn = mai.post(f"/records/{mai.record.uuid}/share/{link.id}/withdraw")
    assert withdrawn.status_code == 404
    assert mai.post(f"/records/{theirs}/share/{link.id}/withdraw").status_code == 404
    refused = mai.post("/records/transcript", {"records": [theirs]})
    assert refused.status_code == 422
    assert all(
        r.kind != CredentialKind.TRANSCRIPT
        for r in session.scalars(
            select(IssuedCredential).where(IssuedCredential.user_id == mai.user.id)
        )
    )
    # Binh's link still works: Mai's attempts changed nothing.
    assert mai.client.get(link_path).status_code == 200
    assert theirs not in json.dumps(mai.client.get("/api/v1/me/credentials").get_json())


def test_my_records_need_a_login(client: FlaskClient, mai: Holder) -> None:
    assert client.get("/records").status_code == 302
    assert client.get(f"/records/{mai.record.uuid}/credential.json").status_code == 302
    answer = client.get("/api/v1/me/credentials")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_the_api_lists_my_records_with_their_status(
    app: Flask, mai: Holder, session: Session
) -> None:
    second = issue(app, session, mai.user, SCHOOL_COURSE)
    revoke_record(session, second, reason="wrong course", actor=None, context=context(app))
    session.commit()

    answer = mai.client.get("/api/v1/me/credentials")
    items = answer.get_json()

    assert answer.status_code == 200 and isinstance(items, list)
    assert all(set(item) == {"id", "type", "name", "issued", "status", "url"} for item in items)
    by_id = {item["id"]: item for item in items}
    first = by_id[f"urn:uuid:{mai.record.uuid}"]
    assert first["type"] == "OpenBadgeCredential"
    assert first["name"] == "Xác suất và Thống kê"
    assert first["status"] == "active"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["issued"])
    assert by_id[f"urn:uuid:{second.uuid}"]["status"] == "revoked"
    fetched = mai.client.get(first["url"].removeprefix("http://mooc.test"))
    assert fetched.get_data(as_text=True) == mai.record.document


# --- share links ---------------------------------------------------------------------------


def test_a_share_link_lets_anyone_verify_until_it_is_withdrawn(
    app: Flask, mai: Holder, session: Session
) -> None:
    path = share(mai, label="ĐH Đà Nẵng")
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    page = visitor.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Valid: this record is authentic" in text and "Xác suất và Thống kê" in text
    assert visitor.get(f"{path}/credential.json").get_data(as_text=True) == mai.record.document
    stored = session.scalars(
        select(ShareLink).where(ShareLink.credential_id == mai.record.id)
    ).one()
    assert stored.token_hash not in path and path.rsplit("/", 1)[1] not in stored.token_hash
    assert "ĐH Đà Nẵng" in mai.client.get(f"/records/{mai.record.uuid}").get_data(as_text=True)

    mai.post(f"/records/{mai.record.uuid}/share/{stored.id}/withdraw")

    assert visitor.get(path).status_code == 410
    assert visitor.get(f"{path}/credential.json").status_code == 410


def test_an_expired_or_unknown_link_opens_nothing(
    app: Flask, mai: Holder, session: Session
) -> None:
    path = share(mai, days=7)
    stored = session.scalars(
        select(ShareLink).where(ShareLink.credential_id == mai.record.id)
    ).one()
    stored.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    visitor = app.test_client()
    assert visitor.get(path).status_code == 410
    assert visitor.get("/verify/not-a-real-token-at-all").status_code == 404
    assert visitor.get(path[:-3] + "abc").status_code == 404


def test_share_links_are_unguessable_and_distinct(mai: Holder) -> None:
    paths = {share(mai) for _ in range(3)}
    assert len(paths) == 3
    assert all(len(p.rsplit("/", 1)[1]) >= 43 for p in paths)


# --- the printable page ----------------------------------------------------------------------


def test_the_printable_page_carries_a_qr_code_of_a_share_link(app: Flask, mai: Holder) -> None:
    plain = mai.client.get(f"/records/{mai.record.uuid}/print").get_data(as_text=True)
    assert "<svg" not in plain and "Add a verification QR code" in plain

    created = mai.post(f"/records/{mai.record.uuid}/share", {"days": "365", "purpose": "print"})
    assert created.status_code == 201  # the printable page itself: the secret is in no URL
    assert created.location is None
    page = created.get_data(as_text=True)

    assert '<svg role="img" class="qr" aria-label="QR code to verify this record"' in page
    url = re.search(r'<code class="share-url">([^<]+)</code>', page)
    assert url and url.group(1).startswith("http://mooc.test/verify/")
    assert app.test_client().get(url.group(1).removeprefix("http://mooc.test")).status_code == 200
    assert "style=" not in page  # the CSP forbids inline style
    token = url.group(1).rsplit("/", 1)[1]
    assert token not in "".join(re.findall(r'(?:href|action|src)="([^"]*)"', page))
    # nor does the printable page take a secret from its address any more
    old_way = mai.client.get(f"/records/{mai.record.uuid}/print?share={token}")
    assert "<svg" not in old_way.get_data(as_text=True)


def test_a_new_share_link_shows_at_the_top_with_its_qr_code_and_a_copy_button(
    mai: Holder,
) -> None:
    page = mai.post(f"/records/{mai.record.uuid}/share", {"days": "30"}).get_data(as_text=True)
    main = page[page.index("<main") :]
    link = _NEW_LINK.search(main)
    assert link
    # before the record's facts and its checks, not 1,900 px below them
    assert main.index('id="new-link"') < main.index('class="facts"')
    assert main.index('id="new-link"') < main.index('class="verification"')
    assert f'<a href="{link.group(1)}">{link.group(1)}</a>' in main  # selectable without JS
    assert '<svg role="img" class="qr"' in main
    assert 'data-copy="new-link"' in main and "js/copy.js" in page
    # without JavaScript the copy button stays hidden: the link itself is the way to copy
    assert re.search(r'<button type="button" class="copy" data-copy="new-link"[^>]*hidden>', main)


# --- transcripts ---------------------------------------------------------------------------


def test_a_transcript_gathers_chosen_records_signed_by_the_platform(
    app: Flask, mai: Holder, session: Session
) -> None:
    second = issue(app, session, mai.user, SCHOOL_COURSE)
    form = mai.client.get("/records/transcript").get_data(as_text=True)
    assert mai.record.uuid in form and second.uuid in form

    done = mai.post("/records/transcript", {"records": [mai.record.uuid, second.uuid]})

    assert done.status_code == 303
    transcript = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.user_id == mai.user.id,
            IssuedCredential.kind == CredentialKind.TRANSCRIPT,
        )
    ).one()
    document = json.loads(transcript.document)
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]
    assert document["issuer"]["id"] == "did:web:mooc.test:institutions:bo-giao-duc"
    assert len(document["credentialSubject"]["verifiableCredential"]) == 2
    assert document["credentialSubject"]["numberOfCredits"] == 2.0
    assert transcript.institution_id == institution_by_slug(session, "bo-giao-duc").id
    report = platform_verifier(app, session).verify(document).to_json()
    assert report["verified"], report
    assert any(c["id"] == "embedded-credentials" for c in report["checks"])
    item = next(
        i
        for i in mai.client.get("/api/v1/me/credentials").get_json()
        if i["type"] == "ClrCredential"
    )
    assert item["id"] == f"urn:uuid:{transcript.uuid}"


def test_a_transcript_submitted_twice_is_issued_once(mai: Holder, session: Session) -> None:
    first = mai.post("/records/transcript", {"records": [mai.record.uuid]})
    second = mai.post("/records/transcript", {"records": [mai.record.uuid]})
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    transcripts = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.user_id == mai.user.id,
            IssuedCredential.kind == CredentialKind.TRANSCRIPT,
        )
    ).all()
    assert len(transcripts) == 1


def test_a_transcript_needs_a_record(mai: Holder) -> None:
    refused = mai.post("/records/transcript", {})
    assert refused.status_code == 422
    assert "Choose at least one record" in refused.get_data(as_text=True)


# --- issuer documents ----------------------------------------------------------------------


def test_issuer_documents_are_public(client: FlaskClient, mai: Holder) -> None:
    did = client.get("/institutions/dai-hoc-mo-ha-noi/did.json")
    assert did.status_code == 200
    assert did.get_json()["id"] == "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi"
    assert did.headers["Access-Control-Allow-Origin"] == "*"
    status_url = json.loads(mai.record.document)["credentialStatus"]["statusListCredential"]
    status = client.get(status_url.removeprefix("http://mooc.test")).get_json()
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert "proof" in status
    trust = client.get("/trust-list.json").get_json()
    assert "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi" in {i["id"] for i in trust["issuers"]}
    assert client.get("/institutions/dai-hoc-da-nang/did.json").status_code == 404
    assert client.get("/institutions/no-such-school/did.json").status_code == 404
    assert client.get("/institutions/dai-hoc-mo-ha-noi/status/999").status_code == 404


def test_the_api_document_describes_the_records_endpoints(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    verify = paths["/api/v1/credentials/verify"]["post"]
    assert {"200", "400", "413", "422"} <= set(verify["responses"])
    listing = paths["/api/v1/me/credentials"]["get"]["responses"]["200"]
    schema = listing["content"]["application/json"]["schema"]
    assert schema["items"]["$ref"] == "#/components/schemas/CredentialItem"


# --- words of the record page in the reader's language ---------------------------------------


def test_the_record_page_words_level_credits_and_hours_in_the_readers_language(
    app: Flask, mai: Holder, session: Session
) -> None:
    school = issue(app, session, mai.user, SCHOOL_COURSE)
    session.commit()
    university = mai.client.get(f"/records/{mai.record.uuid}").get_data(as_text=True)
    assert "Bachelor level (EQF level 6)" in university
    assert re.search(r"<dd>\d+ credits?</dd>", university)
    assert re.search(r"<dd>\d+ hours</dd>", university)
    assert "tín chỉ" not in university
    grade = mai.client.get(f"/records/{school.uuid}").get_data(as_text=True)
    assert "<dd>Grade 1</dd>" in grade

    mai.user.locale = "vi"
    session.commit()
    university = mai.client.get(f"/records/{mai.record.uuid}").get_data(as_text=True)
    assert "Trình độ đại học (bậc 6 của Khung trình độ châu Âu EQF)" in university
    assert re.search(r"<dd>\d+ tín chỉ</dd>", university)
    assert re.search(r"<dd>\d+ giờ</dd>", university)
    assert "Bachelor" not in university and " hours" not in university
    grade = mai.client.get(f"/records/{school.uuid}").get_data(as_text=True)
    assert "<dd>Lớp 1</dd>" in grade and "Grade 1" not in grade


def test_numbers_credits_hours_and_percentages_follow_the_language(app: Flask) -> None:
    english = {
        "number": in_language(app, "en", number, "7.0"),
        "decimal": in_language(app, "en", number, Decimal("1234.5")),
        "percent": in_language(app, "en", number, 11.1, "percent"),
        "one credit": in_language(app, "en", credits, Decimal(1)),
        "credits": in_language(app, "en", credits, "2.5"),
        "one hour": in_language(app, "en", hours, 1),
        "hours": in_language(app, "en", hours, Decimal("37.5")),
        "not a number": in_language(app, "en", number, "n/a"),
    }
    assert english == {
        "number": "7",
        "decimal": "1,234.5",
        "percent": "11.1%",
        "one credit": "1 credit",
        "credits": "2.5 credits",
        "one hour": "1 hour",
        "hours": "37.5 hours",
        "not a number": "n/a",
    }
    assert in_language(app, "vi", number, "7.0") == "7"
    assert in_language(app, "vi", number, Decimal("1234.5")) == "1.234,5"
    assert in_language(app, "vi", number, 11.1, "percent") == "11,1%"
    assert in_language(app, "vi", credits, "2.5") == "2,5 tín chỉ"
    assert in_language(app, "vi", hours, Decimal("37.5")) == "37,5 giờ"
