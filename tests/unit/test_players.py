"""Players offered in their renditions' sizes, on the renderer's own output."""

from __future__ import annotations

from mooc.catalog.core.players import Offer, OfferWords, offer_renditions
from mooc.markup import MediaRef, render_markdown

URL = "/courses/c/media/clip.mp4"
OFFERS = {
    URL: [
        Offer("original", URL, "video/mp4", 5 * 1024 * 1024, video=True, original=True),
        Offer("144p", f"{URL}/144p", "video/mp4", 300_000, video=True),
        Offer("360p", f"{URL}/360p", "video/mp4", 1_200_000, video=True),
        Offer("audio only", f"{URL}/audio", "audio/mp4", 100_000, video=False),
    ]
}


def _lecture(source: str = "![Clip](media/clip.mp4)\n\nText.") -> str:
    def resolve(name: str) -> MediaRef | None:
        if name != "clip.mp4":
            return None
        return MediaRef(URL, 320, 240, content_type="video/mp4")

    return render_markdown(source, media=resolve).html


def test_data_saver_puts_the_smallest_video_first_and_lists_every_size() -> None:
    shown = offer_renditions(_lecture(), OFFERS, data_saver=True, words=OfferWords("Kích thước"))
    assert (
        f'<source src="{URL}/144p" type="video/mp4"><source src="{URL}/360p" type="video/mp4">'
        f'<source src="{URL}" type="video/mp4">'
    ) in shown
    assert (
        '</video><span class="renditions">Kích thước: '
        f'<a href="{URL}/144p" type="video/mp4">144p (0.3 MB)</a>, '
        f'<a href="{URL}/360p" type="video/mp4">360p (1.1 MB)</a>, '
        f'<a href="{URL}" type="video/mp4">original (5.0 MB)</a>, '
        f'<a href="{URL}/audio" type="audio/mp4">audio only (0.1 MB)</a></span>'
    ) in shown
    assert shown.endswith("<p>Text.</p>")


def test_without_data_saver_the_original_comes_first() -> None:
    shown = offer_renditions(_lecture(), OFFERS, data_saver=False)
    assert shown.index(f'<source src="{URL}" ') < shown.index(f'<source src="{URL}/144p"')


def test_a_clip_without_renditions_and_other_text_stay_as_they_are() -> None:
    html = _lecture("![Clip](media/clip.mp4)\n\n![Other](media/other.mp4)")
    assert offer_renditions(html, {}, data_saver=True) == html
    only_original = {URL: OFFERS[URL][:1]}
    assert offer_renditions(html, only_original, data_saver=True) == html
    shown = offer_renditions(html, OFFERS, data_saver=True)
    assert shown.count('class="renditions"') == 1
    assert '<source src="media/other.mp4" type="video/mp4">' in shown
