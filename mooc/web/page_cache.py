"""Whole pages that are the same for every visitor without an account, kept rendered.

A page a visitor sees depends on what the caller puts in the key (the content's revision, the
language, the time zone, the address) and on one thing of the visitor's own: the session's CSRF
token, which the page's forms carry. It is kept with a placeholder in its place and filled in
for each visitor. Only pages without flashed messages are kept.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import session
from flask_wtf.csrf import generate_csrf

PAGES = "mooc_pages"  # the app's PageCache, in app.extensions


class PageCache:
    """Rendered pages by key, least recently used dropped first, up to `budget` characters;
    shared by a process's threads."""

    def __init__(self, budget: int = 16 * 1024 * 1024) -> None:
        self._pages: LRUCache[Hashable, str] = LRUCache(maxsize=budget, getsizeof=len)
        self._lock = threading.Lock()
        # Never in a page by chance: random for each process.
        self._placeholder = f"csrf-{secrets.token_hex(16)}"

    def visitor_page(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page kept under `key` with this visitor's CSRF token, else `render()` (kept
        when no message was flashed for it)."""
        token = generate_csrf()
        with self._lock:
            kept = self._pages.get(key)
        if kept is not None:
            return kept.replace(self._placeholder, token)
        page = render()
        if not session.get("_flashes") and len(page) <= self._pages.maxsize:
            with self._lock:
                self._pages[key] = page.replace(token, self._placeholder)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
