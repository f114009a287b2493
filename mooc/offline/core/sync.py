"""A device's sync batch read into items: the shape checked, nothing trusted but the learner's
own answers. Pure: the server decides what each item does (`mooc.offline.services`), and the
web layer translates the refusals (`MalformedBatch`: an English message marked for extraction).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from mooc.errors import Invalid

MAX_ITEMS = 200  # a week of study offline is far fewer; a bigger batch is refused whole
MAX_ANSWER_LENGTH = 500


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Marks a message for extraction; the web layer translates it (this module stays pure)."""
    return message


class MalformedBatch(Invalid):
    """A batch or item our pages never send (422). `message` is English with `values` filled
    in; `template` and `values` let the web layer say it in the pupil's language."""

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


@dataclass(frozen=True)
class SyncItem:
    """One thing done offline: a lecture marked done (`done`) or a quiz answered (`quiz`)."""

    client_id: str
    kind: str
    course_id: int
    slug: str  # the lecture's or the quiz's
    device_time: dt.datetime | None = None
    quiz_revision: int | None = None
    answers: dict[str, list[str]] = field(default_factory=dict)  # form field -> values


def _device_time(value: Any) -> dt.datetime | None:
    """The device's clock, for the record only; unreadable or naive times are dropped."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else None


def _answers(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise MalformedBatch(N_("The answers must be an object."))
    answers: dict[str, list[str]] = {}
    for name, given in value.items():
        if not (isinstance(name, str) and name.startswith("q") and name[1:].isdigit()):
            raise MalformedBatch(N_("Each answer is named q followed by the question number."))
        values = given if isinstance(given, list) else [given]
        if not all(isinstance(v, str) and len(v) <= MAX_ANSWER_LENGTH for v in values):
            raise MalformedBatch(
                N_("Each answer is a text of at most %(num)d characters."), num=MAX_ANSWER_LENGTH
            )
        answers[name] = list(values)
    return answers


def read_item(raw: Any) -> SyncItem:
    """One item of a batch; raises `Invalid` for anything our pages never send."""
    if not isinstance(raw, dict):
        raise MalformedBatch(N_("Each item must be an object."))
    try:
        client_id = str(uuid.UUID(str(raw.get("id", ""))))
    except ValueError:
        raise MalformedBatch(N_("Each item needs an id that is a UUID.")) from None
    kind = raw.get("kind")
    course_id = raw.get("course")
    slug = raw.get("slug")
    if kind not in ("done", "quiz"):
        raise MalformedBatch(N_("An item's kind is either done or quiz."))
    if not isinstance(course_id, int) or isinstance(course_id, bool) or course_id < 1:
        raise MalformedBatch(N_("An item's course must be a course number."))
    if not isinstance(slug, str) or not 0 < len(slug) <= 80:
        raise MalformedBatch(N_("An item's slug must name a lecture or a quiz."))
    revision = raw.get("revision")
    if kind == "quiz" and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise MalformedBatch(N_("A quiz item must give the revision of the quiz it answers."))
    return SyncItem(
        client_id=client_id,
        kind=kind,
        course_id=course_id,
        slug=slug,
        device_time=_device_time(raw.get("at")),
        quiz_revision=revision if kind == "quiz" else None,
        answers=_answers(raw.get("answers", {})) if kind == "quiz" else {},
    )


def read_batch(body: Any) -> list[SyncItem]:
    """`{"items": [...]}` as items, in the order the device made them; raises `Invalid`."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise MalformedBatch(N_("The request must be a JSON object with a list of items."))
    items = body["items"]
    if len(items) > MAX_ITEMS:
        raise MalformedBatch(N_("At most %(num)d items can be sent at once."), num=MAX_ITEMS)
    return [read_item(raw) for raw in items]
