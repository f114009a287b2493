"""A network link the browser tests can break while the browser still believes it is online
(`navigator.onLine` stays true): a TCP relay between Chromium and the test server.

Playwright's request routing does not see what a service worker fetches, and
`context.set_offline(True)` tells the page it is offline; a relay fails the way a dead mobile
link does, for the page and the service worker alike."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit


class Link:
    """`up` relays every connection; `dead` resets new ones at once (a network error);
    `silent` accepts them and never answers (a time-out). Breaking the link also drops the
    connections already open, as a lost signal does."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.state = "up"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="e2e-link", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.state == "dead":
                _reset(client)
                continue
            with self._lock:
                self._open.add(client)
            if self.state == "up":
                upstream = socket.create_connection(self._target)
                with self._lock:
                    self._open.add(upstream)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def set(self, state: str) -> None:
        """Switch to `up`, `dead` or `silent`; open connections are dropped either way."""
        assert state in ("up", "dead", "silent")
        self.state = state
        with self._lock:
            held = list(self._open)
        for end in held:
            _reset(end)
            with self._lock:
                self._open.discard(end)

    def close(self) -> None:
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        self.set("dead")


def _reset(end: socket.socket) -> None:
    """Close with a TCP reset, as a broken link does, not an orderly end of the stream."""
    with suppress(OSError):
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    end.close()


@contextmanager
def link_to(target: str) -> Iterator[Link]:
    """A link to the server at `target` (its base URL), closed afterwards."""
    made = Link(target)
    try:
        yield made
    finally:
        made.close()
