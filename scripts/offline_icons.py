"""Draws the app icons of the web app manifest (static/icons/icon-192.png, icon-512.png): an
open book over the theme colour, drawn with Pillow so the project owns them.

    .venv/bin/python scripts/offline_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

THEME = (11, 92, 173)  # mooc.offline.views.THEME_COLOUR
PAPER = (255, 255, 255)
SPINE = (247, 183, 51)
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int) -> Image.Image:
    """The icon at `size` pixels, drawn at 4x and reduced for smooth edges."""
    big = size * 4
    image = Image.new("RGB", (big, big), THEME)
    pen = ImageDraw.Draw(image)
    u = big / 16  # the book stays inside the middle 80 %: a maskable icon's safe zone
    left = [(3 * u, 5 * u), (7.6 * u, 4.4 * u), (7.6 * u, 12 * u), (3 * u, 12.6 * u)]
    right = [(8.4 * u, 4.4 * u), (13 * u, 5 * u), (13 * u, 12.6 * u), (8.4 * u, 12 * u)]
    pen.polygon(left, fill=PAPER)
    pen.polygon(right, fill=PAPER)
    pen.rectangle([7.6 * u, 4.4 * u, 8.4 * u, 12.6 * u], fill=SPINE)
    for row in range(4):  # lines of text on each page
        y = (6.2 + 1.4 * row) * u
        pen.line([(4 * u, y), (6.8 * u, y - 0.3 * u)], fill=THEME, width=max(2, int(u / 4)))
        pen.line([(9.2 * u, y - 0.3 * u), (12 * u, y)], fill=THEME, width=max(2, int(u / 4)))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(ICONS / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
