"""Browser journeys: a real server on a committed SQLite database, driven by Debian's Chromium.

The server commits for real (registrations, language choices), so these tests do not use the
per-test rollback `session` fixture: everything lives in one throwaway database file per run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import upgrade
from tests.e2e.serving import serving
from tests.helpers import CONTENT, make_settings

T = TypeVar("T")

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


def _build_app(tmp: Path) -> Flask:
    url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    upgrade(url)
    application = create_app(settings=make_settings(tmp / "instance", url))
    with application.app_context():
        import_tree(db.session, application.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        db.session.close()
    return application


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)  # after pytest groups the tests by their session fixtures' params
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other test of the session.

    Once pytest-playwright's session-scoped `playwright` fixture has started, its asyncio loop
    keeps running in the main thread until the session ends, and every later app-context exit
    in that thread (the `app`/`session` fixtures of the other tests) would fail in asgiref."""
    browser_tests = [item for item in items if HERE in item.path.parents]
    others = [item for item in items if HERE not in item.path.parents]
    items[:] = others + browser_tests


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application on its own migrated SQLite file with the seed content, on a free port."""
    tmp = tmp_path_factory.mktemp("e2e")
    with serving(lambda: _build_app(tmp)) as url:
        yield url


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
