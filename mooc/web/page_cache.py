"""Pages kept rendered: whole pages that are the same for every visitor without an account, and
pages of signed-in readers kept with slots that each reader's own parts fill.

A page a visitor sees depends on what the caller puts in the key (the content's revision, the
language, the time zone, the address) and on one thing of the visitor's own: the session's CSRF
token, which the page's forms carry. It is kept with a placeholder in its place and filled in
for each visitor. Only pages without flashed messages are kept.

A page with slots (`filled`) is rendered once per key with a placeholder in each slot (the
header, the due dates, the user's id…), split at them, and joined with each reader's values:
what the key does not cover must come through a slot, never be drawn into the kept page.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Hashable, Mapping

from cachetools import LRUCache
from flask import session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

PAGES = "mooc_pages"  # the app's PageCache, in app.extensions
CSRF_SLOT = "csrf"  # the slot every kept page with slots has: the session's CSRF token


class Slots:
    """The placeholders a page is rendered with: `slots.header` stands for the slot "header"."""

    def __init__(self, nonce: str) -> None:
        self._nonce = nonce

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("_"):
            raise AttributeError(name)
        return Markup("[{}:{}]").format(self._nonce, name)  # both plain words


class Filled:
    """The slots' own values, for a page drawn whole for one reader (one with a message
    flashed): `filled.header` is the header's HTML."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("_"):
            raise AttributeError(name)
        # The values are HTML the app drew (fragments rendered by Jinja, escaped text).
        return Markup(self._values[name])  # noqa: S704


def _size(parts: tuple[str, ...]) -> int:
    return sum(map(len, parts))


class PageCache:
    """Rendered pages by key, least recently used dropped first, up to `budget` characters;
    shared by a process's threads."""

    def __init__(self, budget: int = 16 * 1024 * 1024) -> None:
        self._pages: LRUCache[Hashable, str] = LRUCache(maxsize=budget, getsizeof=len)
        # Pages with slots: literal text at even places, a slot's name at odd ones.
        self._split: LRUCache[Hashable, tuple[str, ...]] = LRUCache(maxsize=budget, getsizeof=_size)
        self._lock = threading.Lock()
        # Never in a page by chance: random for each process.
        nonce = secrets.token_hex(16)
        self._placeholder = f"csrf-{nonce}"
        self.slots = Slots(nonce)
        self._slot = re.compile(rf"\[{nonce}:(\w+)\]")

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

    def filled(
        self, key: Hashable, render: Callable[[Slots], str], values: Mapping[str, str]
    ) -> str:
        """The page kept under `key` with `values` (HTML) in its slots and this session's CSRF
        token in the "csrf" slot; on a miss `render(slots)` draws it with placeholders, and it
        is kept (the caller renders whole pages with flashed messages itself)."""
        token = generate_csrf()
        with self._lock:
            parts = self._split.get(key)
        if parts is None:
            drawn = render(self.slots).replace(token, getattr(self.slots, CSRF_SLOT))
            parts = tuple(self._slot.split(drawn))
            if _size(parts) <= self._split.maxsize:
                with self._lock:
                    self._split[key] = parts
        fill = {**values, CSRF_SLOT: token}
        return "".join([part if n % 2 == 0 else fill[part] for n, part in enumerate(parts)])

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._split.clear()
