"""MOOC_MAIL_URL and MOOC_MAIL_FROM: checked at start-up; the mailer they name; no password in
clear to a server without STARTTLS (tried against a real SMTP server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.mail import FileOutbox, MailError, SmtpMailer, open_mailer, plain_message
from mooc.settings import SettingsError, load_settings
from tests.mailserver import smtp_server


def test_development_mails_into_the_instance_outbox(tmp_path: Path) -> None:
    settings = load_settings({"MOOC_INSTANCE_PATH": str(tmp_path)})
    assert settings.mail_url == f"file://{tmp_path.resolve() / 'outbox'}"
    assert open_mailer(settings.mail_url) == FileOutbox(tmp_path.resolve() / "outbox")
    assert settings.mail_from == "mooc <no-reply@127.0.0.1>"
    named = load_settings(
        {"MOOC_INSTANCE_PATH": str(tmp_path), "MOOC_BASE_URL": "https://hoc.example.vn"}
    )
    assert named.mail_from == "mooc <no-reply@hoc.example.vn>"


@pytest.mark.parametrize(
    "url", ["ftp://mail.example.org", "smtp://", "smtp://host:notaport", "file://", "mail"]
)
def test_a_malformed_mail_url_stops_start_up(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="MOOC_MAIL_URL"):
        load_settings({"MOOC_INSTANCE_PATH": str(tmp_path), "MOOC_MAIL_URL": url})


def test_a_sender_without_an_address_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MOOC_MAIL_FROM"):
        load_settings({"MOOC_INSTANCE_PATH": str(tmp_path), "MOOC_MAIL_FROM": "mooc"})


def test_mail_urls_name_their_mailer() -> None:
    assert open_mailer("smtps://u%40x:p%3Aw@mail.example.org") == SmtpMailer(
        host="mail.example.org", port=465, username="u@x", password="p:w", implicit_tls=True
    )
    assert open_mailer("smtp://relay.example.org") == SmtpMailer(host="relay.example.org", port=587)
    assert open_mailer("file://instance/outbox") == FileOutbox(Path("instance/outbox"))


def test_no_password_goes_to_a_server_without_starttls() -> None:
    message = plain_message(
        sender="mooc <no-reply@mooc.test>",
        to="a@example.test",
        subject="s",
        body="b",
        language="en",
    )
    with smtp_server() as server:
        secret = open_mailer(f"smtp://user:secret@{server.host}:{server.port}")
        with pytest.raises(MailError, match="STARTTLS"):
            secret.send(message)
        open_mailer(server.url).send(message)  # without credentials it is delivered
        assert [m["To"] for m in server.messages] == ["a@example.test"]
