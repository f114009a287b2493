"""Server-rendered SVG charts of the class report: share correct per question, as horizontal
bars on a 0–100 % scale. Same look and rules as `mooc.learning.charts`: pure, labels escaped,
AA colours, a title and a description (the page adds a data table beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mooc.learning.core.charts import BAR, GRID, INK


def percent_bars_svg(
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    *,
    chart_id: str = "percent-bars",
    width: int = 560,
) -> str:
    """One bar per `(label, percent)`; a None percent draws no bar and says "–"."""
    row, label_w, right = 28, 60, 56
    height = row * len(bars) + 30
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in (0, 50, 100):  # gridlines at 0, 50 and 100 %
        x = label_w + plot_w * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{INK}" '
            f'font-size="11">{tick}%</text>'
        )
    for i, (label, percent) in enumerate(bars):
        y = 4 + i * row
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" fill="{INK}" '
            f'font-size="13">{escape(label)}</text>'
        )
        if percent is None:
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 18}" fill="{INK}" font-size="13">–</text>'
            )
            continue
        w = round(plot_w * max(0.0, min(percent, 100.0)) / 100)
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{max(w, 1)}" height="18" fill="{BAR}"/>'
            f'<text x="{label_w + max(w, 1) + 5}" y="{y + 18}" fill="{INK}" font-size="13">'
            f"{round(percent)}%</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
