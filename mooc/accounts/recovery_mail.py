"""The recovery message: plain text in the account's language, the link on the public origin."""

from __future__ import annotations

from email.message import EmailMessage

from flask import render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from mooc.accounts.recovery import LIFETIME, ResetLink
from mooc.mail import plain_message
from mooc.web import edge


def reset_message(link: ResetLink) -> EmailMessage:
    """The message carrying `link`, in the user's language (else the page's)."""
    settings = edge.settings()
    language = link.user.locale or str(get_locale() or settings.default_language)
    # MOOC_BASE_URL, not the request's Host header, which a sender of the request controls.
    url = settings.base_url + url_for("recovery.reset", token=link.token)
    with force_locale(language):
        subject = _("Reset your password")
        body = render_template(
            "mail/password_reset.txt",
            name=link.user.name,
            url=url,
            minutes=int(LIFETIME.total_seconds() // 60),
        )
    return plain_message(
        sender=settings.mail_from,
        to=link.user.email or "",  # start_reset refuses accounts without email
        subject=subject,
        body=body,
        language=language,
    )
