"""Institution tokens for the API tests (made with a known pepper), their Authorization header,
and what a refused bearer token answers. The `pepper` fixture (tests/integration/api/conftest.py)
makes the shared app check tokens with PEPPER."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import Role, User
from mooc.api.models import ApiScope
from mooc.api.services import IssuedToken, create_token
from mooc.credentials.issuers import institution_by_slug
from mooc.db import utcnow
from tests.factories import make_user

PEPPER = "token-test-pepper-" + "q" * 32
UNIVERSITY = "dai-hoc-mo-ha-noi"
PARTNER = "dai-hoc-da-nang"
STATEMENTS = "/api/v1/xapi/statements"


def staff_of(session: Session, slug: str) -> User:
    return make_user(session, (slug, Role.STAFF))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def make_token(
    session: Session,
    slug: str = UNIVERSITY,
    scopes: tuple[ApiScope, ...] = (ApiScope.XAPI_READ,),
    *,
    now: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    issued = create_token(
        session,
        institution=institution_by_slug(session, slug),
        name="Registrar system",
        scopes=scopes,
        created_by=staff_of(session, slug),
        pepper=PEPPER,
        now=now or utcnow(),
        expires_at=expires_at,
    )
    session.commit()
    return issued


def assert_unauthorized(response: TestResponse, error: str | None = None) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="mooc"')
    if error:
        assert f'error="{error}"' in challenge
    assert response.get_json()["status"] == 401
