"""SVG cleaning by allowlist: what stays, what goes, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.catalog.core.svg import SvgError, clean_svg

CONTENT = Path(__file__).resolve().parents[2] / "content"
HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


def _clean(body: bytes) -> bytes:
    return clean_svg(HEAD + body + b"</svg>").data


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*/media/*.svg")), ids=lambda p: p.name)
def test_the_seed_images_are_already_clean(path: Path) -> None:
    data = path.read_bytes()
    cleaned = clean_svg(data)
    assert cleaned.data == data
    assert cleaned.width and cleaned.height


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "vbscript:x",
        "other.svg#a",
    ],
)
def test_links_other_than_fragments_and_http_are_removed(link: str) -> None:
    escaped = link.replace("\t", "&#9;").replace("<", "&lt;").encode()
    assert (
        _clean(b'<a href="' + escaped + b'"><rect/></a>')
        == clean_svg(HEAD + b"<a><rect/></a></svg>").data
    )
    assert b"href" not in _clean(b'<use xlink:href="' + escaped + b'"/>')


def test_fragments_http_links_and_raster_pictures_stay() -> None:
    kept = _clean(
        b'<a href="https://example.org/a"><use href="#r"/></a>'
        b'<image href="data:image/png;base64,iVBORw0KGgo="/>'
        b'<rect id="r" fill="url(#g)"/>'
    )
    assert b'href="https://example.org/a"' in kept
    assert b'href="#r"' in kept
    assert b'href="data:image/png;base64,iVBORw0KGgo="' in kept
    assert b'fill="url(#g)"' in kept


def test_unknown_elements_event_handlers_and_outside_css_are_removed() -> None:
    cleaned = _clean(
        b'<g onclick="alert(1)" class="k"><script>alert(2)</script></g>'
        b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>'
        b'<html:iframe xmlns:html="http://www.w3.org/1999/xhtml" src="https://evil.test/"/>'
        b"<style>@import url(https://evil.test/x.css);</style>"
        b"<style>.k { fill: url(https://evil.test/track) }</style>"
        b"<style>.k { fill: #036 }</style>"
        b'<rect style="fill: url(https://evil.test/t)" stroke="url(https://evil.test/s)"/>'
        b'<animate attributeName="href" to="javascript:alert(3)"/>'
        b'<set attributeName="onclick" to="alert(4)"/>'
        b'<animate attributeName="opacity" from="0" to="1" dur="1s"/>'
    )
    for gone in (b"onclick", b"script", b"foreignObject", b"iframe", b"evil", b"@import", b"html"):
        assert gone not in cleaned
    assert b'<g class="k"/>' in cleaned
    assert b"<style>.k { fill: #036 }</style>" in cleaned
    assert b'<animate attributeName="opacity" from="0" to="1" dur="1s"/>' in cleaned
    assert clean_svg(cleaned).data == cleaned


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg/>', "document type"),
        (b'<svg xmlns="http://www.w3.org/1999/xhtml"/>', "not an SVG"),
        (b"<svg><rect></svg>", "well-formed"),
    ],
)
def test_documents_that_are_not_plain_svg_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(SvgError, match=reason):
        clean_svg(data)
