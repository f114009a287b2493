"""Lecture players offered in the sizes their video has: the rendered lecture (stored when it was
published, before any rendition existed) gets each ready rendition as a `<source>` and a list of
the sizes with their megabytes below the player, when the page is shown.

With data saver the smallest rendition comes first, so the browser plays it; otherwise the
original does. The list of sizes is plain links: it works without scripts, and a learner may
download the audio-only file to follow the lecture with the transcript. Works on the sanitized
output of `mooc.markup`, which writes each `<source>` the same way. Pure: no Flask.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mooc.catalog.core.renditions import megabytes


@dataclass(frozen=True)
class Offer:
    """One size of a clip: the original, or a rendition (144p, 360p, audio only)."""

    label: str  # shown as it is ("144p", or the translated word for the original / audio)
    url: str
    content_type: str
    size: int
    video: bool
    original: bool = False


@dataclass(frozen=True)
class OfferWords:
    """The words and number format of the page's language (this module knows no gettext)."""

    sizes: str = "Sizes"
    megabytes: str = "MB"
    number: Callable[[float], str] = "{:.1f}".format


_VIDEO = re.compile(r"<video\b.*?</video>", re.DOTALL)
_SOURCE = re.compile(r'<source src="([^"]+)" type="([^"]+)">')


def _source(offer: Offer) -> str:
    return f'<source src="{html.escape(offer.url)}" type="{html.escape(offer.content_type)}">'


def _choices(offers: Sequence[Offer], words: OfferWords) -> str:
    links = ", ".join(
        f'<a href="{html.escape(offer.url)}" type="{html.escape(offer.content_type)}">'
        f"{html.escape(offer.label)} ({html.escape(words.number(megabytes(offer.size)))} "
        f"{html.escape(words.megabytes)})</a>"
        for offer in offers
    )
    return f'<span class="renditions">{html.escape(words.sizes)}: {links}</span>'


def offer_renditions(
    fragment: str,
    offers: Mapping[str, Sequence[Offer]],
    *,
    data_saver: bool,
    words: OfferWords = OfferWords(),
) -> str:
    """`fragment` with the videos whose source URL is a key of `offers` (the original first,
    then the renditions smallest first) playing and listing their renditions."""
    if not offers or "<video" not in fragment:
        return fragment

    def player(match: re.Match[str]) -> str:
        part = match.group(0)
        source = _SOURCE.search(part)
        if source is None or html.unescape(source.group(1)) not in offers:
            return part
        sizes = offers[html.unescape(source.group(1))]
        renditions = [offer for offer in sizes if offer.video and not offer.original]
        if not renditions and len(sizes) < 2:
            return part
        original = [offer for offer in sizes if offer.original]
        ordered = [*renditions, *original] if data_saver else [*original, *renditions]
        sources = "".join(_source(offer) for offer in ordered)
        listed = sorted(sizes, key=lambda offer: (not offer.video, offer.size))
        return part[: source.start()] + sources + part[source.end() :] + _choices(listed, words)

    return _VIDEO.sub(player, fragment)
