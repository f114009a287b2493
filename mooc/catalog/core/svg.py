"""SVG images cleaned by allowlist: only known SVG elements and attributes, links that stay on the
image (``#fragment``) or go to http(s), CSS without imports or outside URLs.

The cleaned document is what gets stored, so it is safe wherever it is served from (our media
route sends strict headers; a presigned object-storage URL can carry far fewer). Parsing uses
lxml with entities, DTDs and the network all off; a document type declaration is refused.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from lxml import etree


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# SVG 1.1 / SVG 2 elements that draw, group, describe, paint or animate. Left out on purpose:
# script, foreignObject (HTML inside), iframe/video/audio/canvas (HTML), metadata (foreign
# vocabularies), cursor and font-face-uri (fetches), and the deprecated SVG fonts.
ELEMENTS = _names(
    """
    svg g defs desc title symbol use image switch style a view
    path rect circle ellipse line polyline polygon text tspan textPath
    marker pattern clipPath mask linearGradient radialGradient stop
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence
    animate animateMotion animateTransform set mpath
    """
)
_ANIMATIONS = frozenset({"animate", "animateMotion", "animateTransform", "set"})

# Attributes without a namespace. Event handlers (on*) are absent, so they never pass.
ATTRIBUTES = _names(
    """
    id class style lang tabindex role focusable
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering direction display dominant-baseline fill
    fill-opacity fill-rule filter flood-color flood-opacity font-family font-size
    font-size-adjust font-stretch font-style font-variant font-weight image-rendering
    letter-spacing lighting-color marker-start marker-mid marker-end mask mask-type opacity
    overflow paint-order pointer-events shape-rendering stop-color stop-opacity stroke
    stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-opacity stroke-width text-anchor text-decoration text-rendering transform
    transform-origin unicode-bidi vector-effect visibility white-space word-spacing writing-mode
    x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength viewBox
    preserveAspectRatio version href dx dy rotate textLength lengthAdjust startOffset method
    spacing side refX refY markerUnits markerWidth markerHeight orient patternUnits
    patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits gradientUnits
    gradientTransform spreadMethod offset filterUnits primitiveUnits in in2 result stdDeviation
    mode type values operator k1 k2 k3 k4 kernelMatrix order divisor bias targetX targetY
    edgeMode preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent
    kernelUnitLength scale xChannelSelector yChannelSelector radius baseFrequency numOctaves
    seed stitchTiles azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z
    tableValues slope intercept amplitude exponent media systemLanguage
    attributeName attributeType begin dur end min max restart repeatCount repeatDur calcMode
    keyTimes keySplines keyPoints from to by additive accumulate path
    """
)
_NAMESPACED = frozenset(
    {f"{{{XLINK_NS}}}href", f"{{{XLINK_NS}}}title", f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"}
)
_LINKS = frozenset({"href", f"{{{XLINK_NS}}}href"})
_RASTER_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=]*", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^)'\"]*)", re.IGNORECASE)
# @import and old engines' script hooks; a backslash escape could spell any of them.
_CSS_FORBIDDEN = re.compile(r"@import|expression\s*\(|binding|behavior|javascript:|\\", re.I)
_SPACE_AND_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


class SvgError(ValueError):
    """The bytes are not an SVG image this platform can clean."""


@dataclass(frozen=True)
class CleanSvg:
    data: bytes
    width: int | None
    height: int | None


def _safe_link(value: str, element: str) -> bool:
    """A fragment of this image or an http(s) URL; raster data only as an <image>'s picture."""
    # Browsers ignore tabs, newlines and leading spaces in URLs ("java\tscript:").
    url = _SPACE_AND_CONTROL.sub("", value)
    if url.startswith("#") or re.match(r"https?://", url, re.IGNORECASE):
        return True
    return element == "image" and _RASTER_DATA.fullmatch(url) is not None


def _local_urls(value: str) -> bool:
    """Every url(…) in a value points inside this image (gradients, clip paths, markers)."""
    return all(match.group(2).strip().startswith("#") for match in _CSS_URL.finditer(value))


def _safe_css(css: str) -> bool:
    return not _CSS_FORBIDDEN.search(css) and _local_urls(css)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _keep_attribute(element: str, name: str, value: str) -> bool:
    if name not in ATTRIBUTES and name not in _NAMESPACED and not name.startswith("aria-"):
        return False
    if name in _LINKS:
        return _safe_link(value, element)
    if name == "style":
        return _safe_css(value)
    return _local_urls(value)  # presentation attributes take url(…) too: fill="url(#g)"


def _animates_a_link(element: etree._Element) -> bool:
    """<animate>/<set> rewriting an href (to javascript:, data: …) after cleaning looked at it."""
    target = re.split(r"[:}]", str(element.get("attributeName", "")))[-1].strip().lower()
    return target == "href" or target.startswith("on")


def _remove(element: etree._Element) -> None:
    """Drop an element and all it holds, keeping the text that followed it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _clean_element(element: etree._Element) -> None:
    for child in list(element):
        tag = child.tag
        if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
            _remove(child)  # comments, processing instructions, HTML and other vocabularies
            continue
        name = _local(tag)
        if name not in ELEMENTS or (name in _ANIMATIONS and _animates_a_link(child)):
            _remove(child)
            continue
        if name == "style" and not _safe_css("".join(child.itertext())):
            _remove(child)
            continue
        _clean_attributes(child, name)
        _clean_element(child)


def _clean_attributes(element: etree._Element, name: str) -> None:
    for attribute, value in list(element.attrib.items()):
        if not _keep_attribute(name, str(attribute), str(value)):
            del element.attrib[attribute]


def _pixels(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return round(float(value.strip().removesuffix("px")))
    except ValueError:
        return None


def _size(root: etree._Element) -> tuple[int | None, int | None]:
    width, height = _pixels(root.get("width")), _pixels(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        parts = str(root.get("viewBox")).replace(",", " ").split()
        if len(parts) == 4:
            with contextlib.suppress(ValueError):
                width, height = round(float(parts[2])), round(float(parts[3]))
    return width, height


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=False,
    )


def clean_svg(data: bytes) -> CleanSvg:
    """The image with only allowlisted content, as UTF-8 bytes; `SvgError` when it is not an
    SVG document (not XML, has a document type declaration, or another root element).

    Cleaning is idempotent: a cleaned image comes back byte for byte.
    """
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SvgError(f"not a well-formed SVG: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SvgError("SVG images may not declare a document type")
    root = tree.getroot()
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError("XML file is not an SVG image (the root must be <svg> in the SVG namespace)")
    _clean_attributes(root, "svg")
    _clean_element(root)
    etree.cleanup_namespaces(root)
    text = etree.tostring(root, encoding="unicode")
    cleaned = f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'.encode()
    return CleanSvg(cleaned, *_size(root))
