"""Browser journeys: a real server on a committed SQLite database, driven by Debian's Chromium.

The server commits for real (registrations, language choices), so these tests do not use the
per-test rollback `session` fixture: everything lives in one throwaway database file per run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from mooc.authoring.package_format import load_tree
from mooc.authoring.package_import import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.conftest import CONTENT, make_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application on its own migrated SQLite file with the seed content, on a free port."""
    tmp: Path = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    upgrade(url)
    application = create_app(settings=make_settings(tmp / "instance", url))
    with application.app_context():
        import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        db.session.close()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's contexts resolve relative `page.goto("/…")` against the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium; `playwright install` cannot download its own browser here.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A fixed English browser (Accept-Language) so the first page a visitor sees is predictable.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}
