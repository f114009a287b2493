"""A real SMTP server for tests (aiosmtpd on a free loopback port), keeping what it receives."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://\S+/password/reset/\S+")


@dataclass
class Inbox:
    """The messages the server accepted, parsed; `delay` holds each one back (a slow server)."""

    host: str = "127.0.0.1"
    port: int = 0
    delay: float = 0.0
    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, timeout: float = 10.0) -> EmailMessage:
        """The first message to `to`, waiting for background delivery."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no message to {to} within {timeout} s")


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = _LINK.search(body.get_content())
    assert match, "no reset link in the message"
    return match.group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[Inbox]:
    inbox = Inbox(port=free_port(), delay=delay)
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
