"""What each kind of notification says. Rows keep a kind and its parameters (names, counts, UTC
times as ISO text); the words are made here when shown or mailed, in the reader's language and
time zone, so a person who switches language reads their old notifications in the new one.

Parameters hold only what the recipient may see anyway: the names of their class, course, quiz or
record, a university's name and its decision on their own request.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_gmt
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

ASSIGNMENT_NEW = "assignment.new"
ASSIGNMENT_DUE = "assignment.due"
RECORD_ISSUED = "record.issued"
TRANSFER_DECIDED = "transfer.decided"
RECORD_SUSPENDED = "record.suspended"
RECORD_REVIEW = "record.review"

# Every kind, with the words of its email setting (the settings page lists them in this order).
KINDS: Mapping[str, LazyString] = {
    ASSIGNMENT_NEW: _l("New work assigned to your class"),
    ASSIGNMENT_DUE: _l("Work due within a day that you have not done"),
    RECORD_ISSUED: _l("A signed record issued to you"),
    TRANSFER_DECIDED: _l("A university's decision on your credit-transfer request"),
    RECORD_SUSPENDED: _l("A record of yours suspended because a record it rests on was revoked"),
    RECORD_REVIEW: _l("A record your university issued waiting for review after a revocation"),
}
ALL_KINDS = "all"  # an email opt-out of every kind


@dataclass(frozen=True)
class Message:
    """A notification in words: `title` is the email's subject and the list's heading."""

    title: str
    text: str


def format_moment(value: dt.datetime, zone: str, locale: str) -> str:
    """A moment as the reader reads times elsewhere on the site: day, time and zone offset."""
    local = value.astimezone(zoneinfo.ZoneInfo(zone))
    glue = str(get_datetime_format("medium", locale=Locale.parse(locale)))
    text = glue.replace("{1}", format_date(local.date(), "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )
    return f"{text} ({get_timezone_gmt(local, 'long', locale=locale)})"


def _moment(params: Mapping[str, Any], key: str, zone: str, locale: str) -> str | None:
    raw = params.get(key)
    if not raw:
        return None
    return format_moment(dt.datetime.fromisoformat(str(raw)), zone, locale)


def _work(params: Mapping[str, Any]) -> str:
    """ "the quiz “Phân số” in Toán 6", "3 lectures of Toán 6", "the course Toán 6"."""
    course = str(params.get("course", ""))
    what = params.get("what")
    if what == "quiz":
        return str(
            _("the quiz “%(quiz)s” in %(course)s", quiz=params.get("quiz", ""), course=course)
        )
    if what == "lectures":
        count = int(params.get("lectures", 0))
        return str(
            ngettext(
                "%(num)d lecture of %(course)s",
                "%(num)d lectures of %(course)s",
                count,
                course=course,
            )
        )
    return str(_("the course %(course)s", course=course))


def describe(kind: str, params: Mapping[str, Any], *, zone: str, locale: str) -> Message:
    """The words of a notification, in the active language (callers force the recipient's);
    times in `zone`. A kind this version does not know says so plainly rather than failing."""
    if kind == ASSIGNMENT_NEW:
        due = _moment(params, "due_at", zone, locale)
        work = _work(params)
        title = _("New work for class %(name)s", name=params.get("class", ""))
        if due:
            text = _("Your teacher assigned %(work)s, due %(due)s.", work=work, due=due)
            return Message(title, text)
        return Message(title, _("Your teacher assigned %(work)s.", work=work))
    if kind == ASSIGNMENT_DUE:
        due = _moment(params, "due_at", zone, locale) or ""
        return Message(
            _("Due soon: class %(name)s", name=params.get("class", "")),
            _(
                "You have not finished %(work)s yet. It is due %(due)s.",
                work=_work(params),
                due=due,
            ),
        )
    if kind == RECORD_ISSUED:
        return Message(
            _("Your record is ready"),
            _(
                "Your signed record “%(name)s” has been issued: it is in My records.",
                name=params.get("record", ""),
            ),
        )
    if kind == TRANSFER_DECIDED:
        university = params.get("university", "")
        record = params.get("record", "")
        title = _("Decision from %(university)s", university=university)
        if params.get("recognised"):
            return Message(
                title,
                _(
                    "%(university)s recognised your record “%(record)s” as %(course)s for "
                    "%(credits)s.",
                    university=university,
                    record=record,
                    course=params.get("course", ""),
                    credits=_credits(params.get("credits", "0"), locale),
                ),
            )
        return Message(
            title,
            _(
                "%(university)s did not recognise your record “%(record)s”. The reason is on the "
                "request page.",
                university=university,
                record=record,
            ),
        )
    if kind == RECORD_SUSPENDED:
        return Message(
            _("Your record is suspended"),
            _(
                "Your record “%(record)s” is suspended because the record it rests on, "
                "“%(source)s”, was revoked. %(issuer)s will confirm or revoke it.",
                record=params.get("record", ""),
                source=params.get("source", ""),
                issuer=params.get("issuer", ""),
            ),
        )
    if kind == RECORD_REVIEW:
        return Message(
            _("A recognition needs your review"),
            _(
                "The record “%(source)s” was revoked, so the record “%(record)s” issued by "
                "%(issuer)s on its strength is suspended until you confirm or revoke it.",
                record=params.get("record", ""),
                source=params.get("source", ""),
                issuer=params.get("issuer", ""),
            ),
        )
    return Message(_("Notification"), _("Something happened that concerns you."))


def _credits(amount: object, locale: str) -> str:
    """ "3 credits", "1,5 credits": the count picks the plural, the reader's locale the digits."""
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        value = Decimal(0)
    whole = value == value.to_integral_value()
    return str(
        ngettext(
            "%(amount)s credit",
            "%(amount)s credits",
            int(value) if whole else 2,
            amount=format_decimal(value, format="#,##0.#", locale=locale),
        )
    )
