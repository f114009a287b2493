"""The offline bundle's rules (what a device downloads, the revision that tells it a course
changed) and the reading of a device's sync batch: pure, no app."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from mooc.errors import Invalid
from mooc.offline.core.bundle import (
    Bundle,
    MediaFile,
    build_bundle,
    can_go_offline,
    choose_media,
    media_references,
    megabytes,
)
from mooc.offline.core.sync import MAX_ITEMS, MalformedBatch, read_batch, read_item

FILES = {
    "/courses/c/media/clip.mp4": MediaFile(
        "/courses/c/media/clip.mp4",
        9_000_000,
        video=True,
        renditions=(
            ("/courses/c/media/clip.mp4/144p", 400_000, True),
            ("/courses/c/media/clip.mp4/360p", 1_500_000, True),
            ("/courses/c/media/clip.mp4/audio", 150_000, False),
        ),
    ),
    "/courses/c/media/a.svg": MediaFile("/courses/c/media/a.svg", 2_000),
}


def test_timed_and_pooled_quizzes_never_go_offline() -> None:
    assert can_go_offline(time_limit_minutes=None, pool_size=None)
    assert can_go_offline(time_limit_minutes=0, pool_size=None)
    assert not can_go_offline(time_limit_minutes=20, pool_size=None)
    assert not can_go_offline(time_limit_minutes=None, pool_size=5)


def test_media_references_are_the_courses_own_files_once_in_order() -> None:
    html = (
        '<img src="/courses/c/media/a.svg" alt=""><video poster="/courses/c/media/p.jpg">'
        '<source src="/courses/c/media/clip.mp4" type="video/mp4"></video>'
        '<img src="/courses/other/media/x.png"><img src="https://example.org/y.png">'
        '<a href="/courses/c/media/a.svg">again</a><a href="/courses/c/media/q&amp;a.pdf">pdf</a>'
    )
    assert media_references(html, "c") == [
        "/courses/c/media/a.svg",
        "/courses/c/media/p.jpg",
        "/courses/c/media/clip.mp4",
        "/courses/c/media/q&a.pdf",
    ]


def test_a_video_comes_as_its_smallest_video_rendition() -> None:
    assert choose_media(FILES["/courses/c/media/clip.mp4"]) == (
        "/courses/c/media/clip.mp4/144p",
        400_000,
    )
    assert choose_media(FILES["/courses/c/media/a.svg"]) == ("/courses/c/media/a.svg", 2_000)
    bare = MediaFile("/courses/c/media/v.webm", 5_000, video=True)
    assert choose_media(bare) == ("/courses/c/media/v.webm", 5_000)


def _bundle(**changes: object) -> Bundle:
    args: dict[str, object] = {
        "base_revision": "3|2026-12-01|asset",
        "pages": [("/courses/c", 7_000), ("/courses/c/lectures/one", 9_000)],
        "quizzes": [("/offline/courses/1/quizzes/q", "/courses/c/quizzes/q", 6_500)],
        "media": [
            "/courses/c/media/a.svg",
            "/courses/c/media/clip.mp4",
            "/courses/c/media/a.svg",
            "/courses/c/media/gone.png",
        ],
        "files": FILES,
    }
    args.update(changes)
    return build_bundle(1, **args)  # type: ignore[arg-type]


def test_the_bundle_holds_pages_quizzes_and_chosen_media_with_their_bytes() -> None:
    bundle = _bundle()
    assert [(p.url, p.kind) for p in bundle.parts] == [
        ("/courses/c", "page"),
        ("/courses/c/lectures/one", "page"),
        ("/offline/courses/1/quizzes/q", "quiz"),
        ("/courses/c/media/a.svg", "media"),
        ("/courses/c/media/clip.mp4/144p", "media"),
    ]
    assert bundle.parts[2].serves == "/courses/c/quizzes/q"
    assert bundle.total_bytes == 7_000 + 9_000 + 6_500 + 2_000 + 400_000


def test_the_revision_changes_with_any_part_and_only_then() -> None:
    first = _bundle().revision
    assert _bundle().revision == first
    assert _bundle(base_revision="4|2026-12-01|asset").revision != first
    assert _bundle(quizzes=[]).revision != first
    assert _bundle(pages=[("/courses/c", 7_001)]).revision != first


def test_megabytes_as_the_page_shows_them() -> None:
    assert megabytes(0) == 0.0
    assert megabytes(1) == 0.1
    assert megabytes(1_572_864) == 1.5


def _item(**changes: object) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "kind": "done", "course": 3, "slug": "one", **changes}


def test_a_done_item_is_read_with_the_device_time_in_utc() -> None:
    item = read_item(_item(at="2026-12-06T08:00:00+07:00"))
    assert (item.kind, item.course_id, item.slug, item.answers) == ("done", 3, "one", {})
    assert item.device_time == dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)
    # An unreadable or naive time is dropped: it is never needed.
    assert read_item(_item(at="yesterday")).device_time is None
    assert read_item(_item(at="2026-12-06T08:00:00")).device_time is None
    assert read_item(_item(id=str(uuid.uuid4()).upper())).client_id.islower()


def test_a_quiz_item_keeps_its_answers_and_revision() -> None:
    item = read_item(_item(kind="quiz", revision=2, answers={"q5": "1", "q6": ["0", "2"]}))
    assert item.quiz_revision == 2
    assert item.answers == {"q5": ["1"], "q6": ["0", "2"]}


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "1"},
        {"kind": "erase"},
        {"course": True},
        {"course": 0},
        {"slug": ""},
        {"slug": "x" * 81},
        {"kind": "quiz", "answers": {}},  # no revision
        {"kind": "quiz", "revision": 1, "answers": {"name": "x"}},
        {"kind": "quiz", "revision": 1, "answers": {"q1": ["x" * 501]}},
        {"kind": "quiz", "revision": 1, "answers": ["q1"]},
    ],
)
def test_items_our_pages_never_send_are_invalid(changes: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        read_item(_item(**changes))


def test_a_batch_has_at_most_so_many_items() -> None:
    assert len(read_batch({"items": [_item() for _ in range(MAX_ITEMS)]})) == MAX_ITEMS
    with pytest.raises(MalformedBatch) as refused:
        read_batch({"items": [_item() for _ in range(MAX_ITEMS + 1)]})
    # English for the record, with the template and values the web layer translates.
    assert refused.value.message == f"At most {MAX_ITEMS} items can be sent at once."
    assert refused.value.template == "At most %(num)d items can be sent at once."
    assert refused.value.values == {"num": MAX_ITEMS}
    assert refused.value.status == 422
    with pytest.raises(Invalid):
        read_batch([_item()])
