"""Read a QR code the app drew (mooc/web/qr.py: an SVG path of unit squares) back to its text,
with an independent decoder (zxing-cpp), as a phone's camera would."""

from __future__ import annotations

import re

import zxingcpp
from PIL import Image, ImageDraw

_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_SQUARE = re.compile(r"M(\d+),(\d+)H")
SCALE = 6  # pixels per module


def decode_qr_svg(svg: str) -> list[str]:
    """The texts of the QR codes in `svg` (one, for the app's codes)."""
    size = _VIEWBOX.search(svg)
    assert size, "not one of the app's QR codes"
    width, height = int(size.group(1)), int(size.group(2))
    image = Image.new("L", (width * SCALE, height * SCALE), 255)
    draw = ImageDraw.Draw(image)
    for x, y in _SQUARE.findall(svg):
        left, top = int(x) * SCALE, int(y) * SCALE
        draw.rectangle((left, top, left + SCALE - 1, top + SCALE - 1), fill=0)
    return [result.text for result in zxingcpp.read_barcodes(image)]
