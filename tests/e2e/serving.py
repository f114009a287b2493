"""Serving an app to the browser tests: built away from Playwright's event loop, on a free
loopback port, shut down and disposed of afterwards."""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from flask import Flask
from werkzeug.serving import make_server

from mooc.extensions import db

T = TypeVar("T")


def off_the_event_loop(func: Callable[[], T]) -> T:
    """Run `func` in a fresh thread and return its result.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Flask runs
    flask-sqlalchemy-lite's async app-context teardown through asgiref's AsyncToSync, which
    refuses to run in a thread with a running loop. App-context work therefore happens elsewhere
    (the server's request threads are fine: they have no loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func).result()


def _dispose(application: Flask) -> None:
    with application.app_context():
        db.engine.dispose()


@contextmanager
def serving(build: Callable[[], Flask]) -> Iterator[str]:
    """The app `build` returns, served on 127.0.0.1; yields its base URL."""
    application = off_the_event_loop(build)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        off_the_event_loop(lambda: _dispose(application))


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write a small content tree (paths → dedented text) under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
