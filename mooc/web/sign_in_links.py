"""Links that open the sign-in form with the account's name filled in, as printed on login
cards (a QR code beside the one-time password)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from mooc.web import edge
from mooc.web.qr import qr_svg


def sign_in_url(login: str | None = None) -> str:
    """The sign-in page on the public origin (MOOC_BASE_URL, not the Host header a request
    names), with `login` filled in when given."""
    base = edge.base_url()
    if login is None:
        return base + url_for("accounts.login")
    return base + url_for("accounts.login", login=login)


def sign_in_qr(login: str) -> Markup:
    """A QR code opening the sign-in page with `login` filled in."""
    return qr_svg(sign_in_url(login), _("QR code to sign in as %(login)s", login=login))
