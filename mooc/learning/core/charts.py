"""Server-rendered SVG charts (no chart JavaScript): a funnel of horizontal bars and a histogram.

Pure: values in, an SVG string out, every label escaped. Colours meet WCAG AA on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR = "#0b5cad"
INK = "#1b1f24"
GRID = "#cfd6de"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def funnel_svg(title: str, bars: Sequence[Bar], *, width: int = 560) -> str:
    """Horizontal bars, one per stage, each labelled with its count and share of the first."""
    row, label_w, pad = 34, 170, 8
    height = row * len(bars) + pad * 2
    top = max((b.value for b in bars), default=0) or 1
    first = bars[0].value if bars and bars[0].value else 1
    plot_w = width - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="funnel-title">',
        f'<title id="funnel-title">{escape(title)}</title>',
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row
        w = round(plot_w * bar.value / top)
        share = round(100 * bar.value / first)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end" fill="{INK}" '
            f'font-size="14">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{max(w, 1)}" height="22" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 21}" fill="{INK}" font-size="14">'
            f"{bar.value} ({share}%)</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(
    title: str, counts: Sequence[int], bin_labels: Sequence[str], *, width: int = 560
) -> str:
    """Vertical bars for binned counts (e.g. scores 0–9, 10–19 … 90–100)."""
    height, bottom, left = 220, 40, 36
    plot_h = height - bottom - 16
    plot_w = width - left - 8
    top = max(counts, default=0) or 1
    slot = plot_w / max(len(counts), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="hist-title">',
        f'<title id="hist-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" '
        f'stroke="{GRID}"/>',
    ]
    for i, (count, label) in enumerate(zip(counts, bin_labels, strict=True)):
        h = round(plot_h * count / top)
        x = left + i * slot + 3
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{slot - 6:.1f}" height="{h}" fill="{BAR}"/>'
        )
        if count:
            parts.append(
                f'<text x="{x + (slot - 6) / 2:.1f}" y="{y - 4}" text-anchor="middle" '
                f'fill="{INK}" font-size="12">{count}</text>'
            )
        parts.append(
            f'<text x="{x + (slot - 6) / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" fill="{INK}" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def score_bins(scores: Sequence[float]) -> list[int]:
    """Ten bins of ten points; 100 falls into the last."""
    counts = [0] * 10
    for score in scores:
        counts[min(int(score // 10), 9)] += 1
    return counts


BIN_LABELS = [f"{10 * i}–{10 * i + 9}" for i in range(9)] + ["90–100"]
