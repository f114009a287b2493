"""The email copy of a notification: plain text in the recipient's language, times in their time
zone, links on the public origin (`MOOC_BASE_URL`), and how to turn such emails off."""

from __future__ import annotations

from flask import render_template

from mooc.accounts.models import User
from mooc.notifications.kinds import describe
from mooc.notifications.links import path_for
from mooc.notifications.models import Notification
from mooc.settings import Settings


def email_copy(
    settings: Settings, person: User, notification: Notification, language: str
) -> tuple[str, str]:
    """Subject and body; the caller forces `language` as the active locale."""
    message = describe(
        notification.kind,
        notification.params,
        zone=person.timezone or settings.default_timezone,
        locale=language,
    )
    body = render_template(
        "mail/notification.txt",
        name=person.name,
        text=message.text,
        url=settings.base_url + notification.link if notification.link else None,
        settings_url=settings.base_url + path_for("notifications.settings"),
    )
    return message.title, body
