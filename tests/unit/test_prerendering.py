"""Reading and rendering a course package ahead, as a worker process does (pure: no app)."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path

from mooc.authoring.core.package_format import load_course
from mooc.authoring.core.prerendering import prerender_course, read_course
from mooc.markup import MediaRef, RegionLabels, render_markdown
from tests.helpers import CONTENT

VI = RegionLabels(table="Bảng", formula="Công thức", language="vi")
EN = RegionLabels()
LABELS = {"vi": VI, "en": EN}
PHYSICS = CONTENT / "vat-ly-lop-10"
VIDEO_LECTURE = "xem-chuyen-dong-thang-deu"


def test_a_lecture_keeps_the_media_lookups_it_made_with_their_answers() -> None:
    package = load_course(PHYSICS)
    rendering = prerender_course(package, VI)
    ahead = rendering.lectures[VIDEO_LECTURE]
    answers = dict(ahead.lookups)
    assert "chuyen-dong-thang-deu.mp4" in answers
    video = answers["chuyen-dong-thang-deu.mp4"]
    assert video is not None
    assert video.url == "/courses/vat-ly-lop-10/media/chuyen-dong-thang-deu.mp4"
    assert video.content_type == "video/mp4"
    captions = [ref for name, ref in ahead.lookups if name.endswith(".vtt")]
    assert captions and all(ref is not None and ref.transcript for ref in captions)
    # The same text rendered now, with a resolver answering the same, gives the same HTML.
    again = render_markdown(package.lectures[VIDEO_LECTURE].source, media=answers.get, labels=VI)
    assert again == ahead.rendered
    assert ahead.fits(answers.get, VI)


def test_a_rendering_fits_only_the_same_media_and_words() -> None:
    ahead = prerender_course(load_course(PHYSICS), VI).lectures[VIDEO_LECTURE]
    answers = dict(ahead.lookups)
    assert not ahead.fits(answers.get, EN)
    resized = {
        name: ref if ref is None else dataclasses.replace(ref, width=(ref.width or 0) + 1)
        for name, ref in answers.items()
    }
    assert not ahead.fits(resized.get, VI)
    assert not ahead.fits(lambda name: None, VI)
    plain = prerender_course(load_course(CONTENT / "toan-lop-6"), VI)
    text_only = [a for a in plain.lectures.values() if not a.lookups]
    assert text_only and all(a.fits(lambda name: MediaRef("/elsewhere"), VI) for a in text_only)


def test_an_unchanged_course_is_read_but_not_rendered() -> None:
    stored = load_course(PHYSICS).source_hash
    read = read_course(PHYSICS, stored, LABELS)
    assert read.package is not None and read.package.source_hash == stored
    assert read.rendering is None
    changed = read_course(PHYSICS, "an older hash", LABELS)
    assert changed.rendering is not None
    assert set(changed.rendering.lectures) == set(changed.package.lectures)  # type: ignore[union-attr]


def test_a_bad_package_comes_back_as_its_message_and_everything_pickles(tmp_path: Path) -> None:
    folder = tmp_path / "vat-ly-lop-10"
    shutil.copytree(PHYSICS, folder)
    (folder / "lectures" / f"{VIDEO_LECTURE}.md").write_text("no front matter\n", "utf-8")
    broken = read_course(folder, None, LABELS)
    assert broken.package is None and broken.rendering is None
    assert broken.error == (
        f"{folder / 'lectures' / f'{VIDEO_LECTURE}.md'}:1: must start with YAML front matter "
        "between '---' lines"
    )
    for read in (broken, read_course(PHYSICS, None, LABELS)):
        assert pickle.loads(pickle.dumps(read)) == read  # noqa: S301 (bytes made just above)
