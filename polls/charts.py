"""Accessible SVG bar charts drawn on the server (no script, no inline style)."""

from __future__ import annotations

from flask_babel import format_decimal
from markupsafe import Markup, escape

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 28, 10, 220, 360


def bar_chart(title: str, rows: list[tuple[str, int]]) -> Markup:
    """A horizontal bar chart; the numbers are in the text too, and the table beside
    it carries the same data for screen readers."""
    total = max(sum(n for _label, n in rows), 1)
    peak = max([n for _label, n in rows] + [1])
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 120
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for i, (label, count) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * count / peak)
        share = 100 * count / total
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" '
            f'text-anchor="end" fill="#1a1a1a" font-size="15">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" '
            f'height="{BAR_HEIGHT}" fill="#b3001b"/>'
            f'<text x="{LABEL_WIDTH + max(length, 1) + 8}" '
            f'y="{y + BAR_HEIGHT * 0.7:.0f}" fill="#1a1a1a" font-size="15">'
            f"{count} ({format_decimal(round(share, 1))} %)</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text part is escaped above)
