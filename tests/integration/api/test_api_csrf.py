"""Token calls skip CSRF; cookie-authenticated changes never do. Checked on an app of its own
(a migrated SQLite database) with token-guarded POST views, as the transfer API will have."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue

from mooc.accounts.models import InstitutionKind, Role
from mooc.accounts.services import grant_role, register, upsert_institution
from mooc.api.auth import calling_institution, token_or_session_required, token_required
from mooc.api.models import ApiScope
from mooc.api.services import create_token
from mooc.db import utcnow
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.factories import PASSWORD
from tests.helpers import RequestScopedClient, csrf_from, login, make_settings
from tests.integration.api.tokens import PEPPER, assert_unauthorized, bearer

probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")


@probe.post("/decisions")
@token_required(ApiScope.DECISIONS_WRITE)
def probe_decisions() -> ResponseReturnValue:
    return jsonify(institution=calling_institution().slug)


@probe.post("/either")
@token_or_session_required(ApiScope.DECISIONS_WRITE, person_may=lambda user: user.is_admin)
def probe_either() -> ResponseReturnValue:
    return jsonify(done=True)


@dataclass
class ProbeApp:
    """An app of its own (on a migrated SQLite database) with token-guarded POST views."""

    app: Flask
    token: str
    admin_email: str


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProbeApp]:
    tmp: Path = tmp_path_factory.mktemp("probe")
    url = f"sqlite:///{tmp / 'probe.sqlite3'}"
    upgrade(url)
    settings = make_settings(tmp, url).with_overrides(api_token_pepper=PEPPER)
    application = create_app(settings=settings)
    application.register_blueprint(probe)
    application.test_client_class = RequestScopedClient
    with application.app_context():
        university, _ = upsert_institution(
            db.session, slug="probe-u", name="Probe U", kind=InstitutionKind.UNIVERSITY
        )
        admin = register(db.session, email="probe-admin@example.test", password=PASSWORD, name="A")
        grant_role(db.session, admin, university, Role.ADMIN)
        issued = create_token(
            db.session,
            institution=university,
            name="Probe",
            scopes=[ApiScope.DECISIONS_WRITE],
            created_by=admin,
            pepper=PEPPER,
            now=utcnow(),
        )
        db.session.commit()
        plaintext = issued.plaintext
    yield ProbeApp(application, plaintext, "probe-admin@example.test")
    with application.app_context():
        db.engine.dispose()


def test_a_token_posts_without_csrf_and_a_cookie_alone_is_refused(probe_app: ProbeApp) -> None:
    client = probe_app.app.test_client()
    done = client.post("/api/v1/probe/decisions", headers=bearer(probe_app.token))
    assert done.status_code == 200
    assert done.get_json() == {"institution": "probe-u"}

    assert login(client, probe_app.admin_email, PASSWORD).status_code == 303
    assert_unauthorized(client.post("/api/v1/probe/decisions"))  # logged in, but no token


def test_a_logged_in_persons_post_still_needs_the_csrf_token(probe_app: ProbeApp) -> None:
    client = probe_app.app.test_client()
    assert login(client, probe_app.admin_email, PASSWORD).status_code == 303
    forged = client.post("/api/v1/probe/either")
    assert forged.status_code == 400
    assert forged.mimetype == "application/problem+json"
    token = csrf_from(client, "/")
    assert client.post("/api/v1/probe/either", data={"csrf_token": token}).status_code == 200
    with_token = probe_app.app.test_client().post(
        "/api/v1/probe/either", headers=bearer(probe_app.token)
    )
    assert with_token.status_code == 200
