"""Institution API tokens: made on the staff pages and shown once, stored as a peppered hash,
refused when revoked, expired, forged or short of a scope; one institution's staff cannot see or
revoke another's tokens; token calls skip CSRF, cookie-authenticated changes never do."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import Role, User
from mooc.accounts.services import revoke_role
from mooc.api.auth import SCOPE_ATTRIBUTE
from mooc.api.models import ApiScope, ApiToken
from mooc.api.services import create_token
from mooc.credentials.issuers import institution_by_slug
from mooc.db import utcnow
from mooc.extensions import csrf
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login, signing_settings
from tests.integration.api.tokens import (
    PARTNER,
    PEPPER,
    STATEMENTS,
    UNIVERSITY,
    assert_unauthorized,
    bearer,
    make_token,
    staff_of,
)

_NEW_TOKEN = re.compile(r'id="new-token"[^>]*value="([^"]+)"')


pytestmark = pytest.mark.usefixtures("pepper")


@dataclass
class Browser:
    """Someone logged in, in a browser of their own."""

    client: FlaskClient
    user: User

    def post(self, url: str, data: dict[str, object] | None = None) -> TestResponse:
        token = csrf_from(self.client, "/")
        return self.client.post(url, data={"csrf_token": token, **(data or {})})


def browser(app: Flask, user: User) -> Browser:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, user.email, PASSWORD).status_code == 303
    return Browser(client, user)


def created_token(response: TestResponse) -> str:
    match = _NEW_TOKEN.search(response.get_data(as_text=True))
    assert match, "the new token is not on the page"
    return match.group(1)


# --- the pages -------------------------------------------------------------------------------


def test_staff_create_a_token_shown_once_that_works(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    page = officer.client.get("/api-tokens", follow_redirects=True)
    assert page.status_code == 200
    assert "API tokens of" in page.get_data(as_text=True)

    made = officer.post(
        f"/api-tokens/{UNIVERSITY}",
        {"name": "Registrar system", "scopes": ["xapi:read"], "lifetime": "90"},
    )
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    plaintext = created_token(made)
    assert plaintext.startswith("mooc_")

    answer = client.get(STATEMENTS, headers=bearer(plaintext))
    assert answer.status_code == 200
    assert answer.get_json()["statements"] == []

    token = session.scalars(select(ApiToken).where(ApiToken.name == "Registrar system")).one()
    session.refresh(token)
    assert token.institution.slug == UNIVERSITY
    assert token.created_by_id == officer.user.id
    assert token.scope_list == [ApiScope.XAPI_READ]
    assert token.last_used_at is not None
    assert token.expires_at is not None
    assert dt.timedelta(days=89) < token.expires_at - token.created_at <= dt.timedelta(days=90)

    listing = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
    assert plaintext not in listing
    assert plaintext.split("_", 2)[2] not in listing
    assert f"mooc_{token.public_id}_" in listing
    assert "Registrar system" in listing


def test_the_database_keeps_a_peppered_hash_never_the_token(session: Session) -> None:
    issued = make_token(session)
    row = session.execute(
        text("SELECT * FROM api_token WHERE id = :id"), {"id": issued.token.id}
    ).one()
    assert all(issued.plaintext not in str(value) for value in row)
    secret = issued.plaintext.split("_", 2)[2]
    assert all(secret not in str(value) for value in row)
    expected = hmac.new(PEPPER.encode(), issued.plaintext.encode(), hashlib.sha256).hexdigest()
    assert issued.token.secret_hash == expected
    unpeppered = hashlib.sha256(issued.plaintext.encode()).hexdigest()
    assert issued.token.secret_hash != unpeppered


def test_a_form_without_name_or_permission_makes_no_token(app: Flask, session: Session) -> None:
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    refused = officer.post(f"/api-tokens/{UNIVERSITY}", {"name": "  ", "lifetime": "30"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Choose at least one permission." in page
    assert 'id="new-token"' not in page
    blank = officer.post(f"/api-tokens/{UNIVERSITY}", {"name": "  ", "scopes": ["xapi:read"]})
    assert blank.status_code == 422
    unknown = officer.post(f"/api-tokens/{UNIVERSITY}", {"name": "X", "scopes": ["root"]})
    assert unknown.status_code == 422
    assert session.scalar(select(ApiToken.id)) is None


def test_staff_revoke_a_token_and_it_is_refused_from_then_on(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    issued = make_token(session)
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    assert client.get(STATEMENTS, headers=bearer(issued.plaintext)).status_code == 200

    done = officer.post(f"/api-tokens/{UNIVERSITY}/{issued.token.id}/revoke")
    assert done.status_code == 303
    session.refresh(issued.token)
    assert issued.token.revoked_at is not None
    assert issued.token.revoked_by_id == officer.user.id

    refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert_unauthorized(refused, "invalid_token")
    assert "revoked" in refused.get_json()["detail"]
    listing = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
    assert "Revoked on" in listing


@pytest.mark.parametrize("loss", ["role revoked", "account deactivated", "account deleted"])
def test_a_token_dies_with_its_makers_role(
    app: Flask, session: Session, client: FlaskClient, loss: str
) -> None:
    issued = make_token(session)
    maker = issued.token.created_by
    assert maker is not None
    maker.name = "Lê Thị Thu"
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    assert client.get(STATEMENTS, headers=bearer(issued.plaintext)).status_code == 200
    listing = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
    assert "Lê Thị Thu" in listing and "Active" in listing

    if loss == "role revoked":
        revoke_role(session, maker, institution_by_slug(session, UNIVERSITY), Role.STAFF)
    elif loss == "account deactivated":
        maker.is_active = False
    else:
        session.delete(maker)
    session.commit()
    session.expire_all()

    refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert_unauthorized(refused, "invalid_token")
    assert "no longer manages" in refused.get_json()["detail"]
    listing = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
    assert "Ended: its maker no longer has the role" in listing
    assert ">Active<" not in listing


def test_a_token_made_by_an_admin_lives_while_they_are_admin(
    session: Session, client: FlaskClient
) -> None:
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN))
    issued = create_token(
        session,
        institution=institution_by_slug(session, UNIVERSITY),
        name="Made by an admin",
        scopes=(ApiScope.XAPI_READ,),
        created_by=admin,
        pepper=PEPPER,
        now=utcnow(),
        expires_at=None,
    )
    session.commit()
    assert client.get(STATEMENTS, headers=bearer(issued.plaintext)).status_code == 200
    revoke_role(session, admin, institution_by_slug(session, "bo-giao-duc"), Role.ADMIN)
    session.commit()
    assert_unauthorized(client.get(STATEMENTS, headers=bearer(issued.plaintext)), "invalid_token")


def test_an_expired_token_is_refused(app: Flask, session: Session, client: FlaskClient) -> None:
    long_ago = utcnow() - dt.timedelta(days=40)
    issued = make_token(session, now=long_ago, expires_at=long_ago + dt.timedelta(days=30))
    refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert_unauthorized(refused, "invalid_token")
    assert "expired" in refused.get_json()["detail"]
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    listing = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
    assert "Expired" in listing


def test_a_token_without_the_scope_gets_403(session: Session, client: FlaskClient) -> None:
    issued = make_token(session, scopes=(ApiScope.REQUESTS_READ, ApiScope.DECISIONS_WRITE))
    refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["scope"] == "xapi:read"
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer mooc_000000000000_" + "A" * 43,
    ],
)
def test_no_usable_token_gets_401_with_a_bearer_challenge(
    client: FlaskClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    assert_unauthorized(client.get(STATEMENTS, headers=headers))


def test_a_token_with_a_changed_secret_or_another_pepper_is_refused(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    issued = make_token(session)
    plaintext = issued.plaintext
    forged = plaintext[:-43] + ("B" if plaintext[-43] != "B" else "C") + plaintext[-42:]
    assert_unauthorized(client.get(STATEMENTS, headers=bearer(forged)), "invalid_token")
    with signing_settings(app, api_token_pepper="another-pepper-" + "r" * 32):
        refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert_unauthorized(refused, "invalid_token")
    assert client.get(STATEMENTS, headers=bearer(issued.plaintext)).status_code == 200


def test_another_institutions_staff_can_neither_see_nor_revoke_a_token(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    issued = make_token(session, UNIVERSITY)
    outsider = browser(app, staff_of(session, PARTNER))
    session.commit()

    assert outsider.client.get(f"/api-tokens/{UNIVERSITY}").status_code == 403
    own = outsider.client.get("/api-tokens", follow_redirects=True).get_data(as_text=True)
    assert "Registrar system" not in own
    assert outsider.post(f"/api-tokens/{UNIVERSITY}/{issued.token.id}/revoke").status_code == 403
    # Through their own institution's address, the other institution's token does not exist.
    assert outsider.post(f"/api-tokens/{PARTNER}/{issued.token.id}/revoke").status_code == 404
    made = outsider.post(f"/api-tokens/{UNIVERSITY}", {"name": "Mine", "scopes": ["xapi:read"]})
    assert made.status_code == 403

    session.refresh(issued.token)
    assert issued.token.revoked_at is None
    assert session.scalar(select(ApiToken.id).where(ApiToken.name == "Mine")) is None
    assert client.get(STATEMENTS, headers=bearer(issued.plaintext)).status_code == 200


def test_students_and_visitors_manage_no_tokens(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    assert client.get("/api-tokens").status_code == 302  # to the login page
    learner = browser(app, make_user(session))
    session.commit()
    assert learner.client.get("/api-tokens").status_code == 403
    assert learner.client.get(f"/api-tokens/{UNIVERSITY}").status_code == 403
    assert learner.client.get("/api-tokens/no-such-place").status_code == 404


def test_admins_manage_any_institutions_tokens(app: Flask, session: Session) -> None:
    issued = make_token(session, PARTNER)
    admin = browser(app, make_user(session, ("bo-giao-duc", Role.ADMIN)))
    session.commit()
    index = admin.client.get("/api-tokens").get_data(as_text=True)
    assert f"/api-tokens/{UNIVERSITY}" in index
    assert f"/api-tokens/{PARTNER}" in index
    made = admin.post(
        f"/api-tokens/{UNIVERSITY}", {"name": "Admin-made", "scopes": ["records:evaluate"]}
    )
    assert made.status_code == 201
    assert admin.post(f"/api-tokens/{PARTNER}/{issued.token.id}/revoke").status_code == 303
    session.refresh(issued.token)
    assert issued.token.revoked_at is not None


def test_the_token_pages_need_their_csrf_token(app: Flask, session: Session) -> None:
    issued = make_token(session)
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    forged = officer.client.post(
        f"/api-tokens/{UNIVERSITY}", data={"name": "Forged", "scopes": ["xapi:read"]}
    )
    assert forged.status_code == 400
    revoke = officer.client.post(f"/api-tokens/{UNIVERSITY}/{issued.token.id}/revoke")
    assert revoke.status_code == 400
    session.refresh(issued.token)
    assert issued.token.revoked_at is None
    assert session.scalar(select(ApiToken.id).where(ApiToken.name == "Forged")) is None


def test_without_a_pepper_tokens_are_off(app: Flask, session: Session, client: FlaskClient) -> None:
    issued = make_token(session)
    officer = browser(app, staff_of(session, UNIVERSITY))
    session.commit()
    with signing_settings(app, api_token_pepper=""):
        page = officer.client.get(f"/api-tokens/{UNIVERSITY}").get_data(as_text=True)
        assert "MOOC_API_TOKEN_PEPPER" in page
        made = officer.post(f"/api-tokens/{UNIVERSITY}", {"name": "X", "scopes": ["xapi:read"]})
        assert made.status_code == 409
        refused = client.get(STATEMENTS, headers=bearer(issued.plaintext))
    assert_unauthorized(refused, "invalid_token")


# --- CSRF: token calls are exempt, cookie-authenticated changes are not ------------------------


def test_every_csrf_exempt_view_is_token_guarded_or_public(app: Flask) -> None:
    """Exempting a view by mistake would open its cookie-authenticated posts to forgery."""
    public = {  # anonymous, read no cookie
        "credentials_api.verify",
        "api.vcapi.verify_credential",
        "api.vcapi.verify_presentation",
    }
    # Exempt for a wallet's JSON (no cookie read; a cross-site page cannot send JSON without a
    # CORS preflight) and calling `csrf.protect()` itself for the browser form it also serves.
    checks_itself = {"transfer.presentations.answer"}
    # A wallet's exchange (Add to wallet): JSON only (a form post is refused with 415), no
    # cookie read; the URL's secret and the holder's signature let the wallet in.
    json_only = {"credentials.wallet_exchange"}
    assert not csrf._exempt_blueprints
    for endpoint, view in app.view_functions.items():
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            allowed = public | checks_itself | json_only
            assert endpoint in allowed or hasattr(view, SCOPE_ATTRIBUTE), endpoint
