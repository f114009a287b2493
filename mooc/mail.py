"""Outgoing mail behind one small interface, chosen by ``MOOC_MAIL_URL``.

``smtp://user:pass@host:587`` (STARTTLS when the server offers it), ``smtps://…:465`` (implicit
TLS), or ``file:///path/outbox`` (one ``.eml`` file per message: development needs no server).
Messages are built with `email.message.EmailMessage` and sent with `smtplib`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

SCHEMES = ("smtp", "smtps", "file")


class MailError(Exception):
    """The message could not be handed to the mail server or written to the outbox."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class FileOutbox:
    """Writes each message as ``<time>-<id>.eml`` into `folder` (created when needed)."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{uuid.uuid1().hex}.eml"  # uuid1 starts with the time: names sort by age
            partial = self.folder / f".{name}.part"
            partial.write_bytes(message.as_bytes())
            partial.rename(self.folder / name)  # readers never see half a message
        except OSError as exc:
            raise MailError(f"cannot write to the outbox {self.folder}: {exc}") from exc


@dataclass(frozen=True)
class SmtpMailer:
    """Hands messages to an SMTP server; credentials are only ever sent over TLS."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    timeout: float = 20.0

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif self.username:
            client.quit()
            raise MailError(f"{self.host} offers no STARTTLS: the password is not sent in clear")
        return client

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot send through {self.host}:{self.port}: {exc}") from exc


def check_mail_url(url: str) -> str:
    """The scheme of `url`; raises ValueError (saying why) when it cannot be used."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"the scheme must be one of {', '.join(SCHEMES)}")
    if parts.scheme != "file" and not parts.hostname:
        raise ValueError("an smtp URL needs a host, e.g. smtp://user:pass@mail.example.org:587")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from None
    if parts.scheme == "file" and not (parts.netloc + parts.path).strip("/"):
        raise ValueError("a file URL needs a folder, e.g. file://instance/outbox")
    return parts.scheme


def open_mailer(url: str) -> Mailer:
    """The mailer `url` names. ``file://instance/outbox`` is relative to the working folder,
    ``file:///srv/outbox`` absolute."""
    scheme = check_mail_url(url)
    parts = urlsplit(url)
    if scheme == "file":
        return FileOutbox(Path(unquote(parts.netloc + parts.path)))
    implicit = scheme == "smtps"
    return SmtpMailer(
        host=parts.hostname or "",
        port=parts.port or (465 if implicit else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
    )


def plain_message(*, sender: str, to: str, subject: str, body: str, language: str) -> EmailMessage:
    """A plain-text UTF-8 message in `language` (its Content-Language header)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = language  # after set_content, which clears Content-* headers
    return message


class Postbox:
    """Sends in the background, so an answer never waits on (or reveals) a mail server.

    Failures are logged: the person asked for nothing they can act on in the page itself.
    """

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")

    def send_later(self, message: EmailMessage) -> None:
        self._pool.submit(self._deliver, message)

    def send_now(self, message: EmailMessage) -> None:
        """Raises `MailError` when the message cannot be handed over."""
        self.mailer.send(message)

    def _deliver(self, message: EmailMessage) -> None:
        try:
            self.mailer.send(message)
        except MailError:
            log.exception("mail to %s not delivered", message["To"])
