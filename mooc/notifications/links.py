"""Paths of pages, for notifications' links, built inside or outside a request."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page: in a request as `url_for` builds it, in a command or the sender's
    thread from the URL map alone (no server name needed)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost")
    return str(adapter.build(endpoint, values))
