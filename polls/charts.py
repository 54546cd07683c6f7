"""Result bars drawn on the server: one row per option with its label and numbers
in text and an SVG bar beside them (no script, no inline style: the CSP holds, and
the colours come from the stylesheet, so the dark scheme and print work)."""

from __future__ import annotations

from flask_babel import format_decimal
from markupsafe import Markup, escape


def share(count: int, total: int) -> float:
    """A percentage of `total`, one decimal (0 for an empty total)."""
    return round(100 * count / total, 1) if total else 0.0


def bar_chart(
    title: str,
    rows: list[tuple[str, int]],
    *,
    total: int | None = None,
    highlight: frozenset[int] = frozenset(),
    chart_id: str = "chart",
) -> Markup:
    """A list of bars; each bar's length is the option's share of `total` (the
    sum of the rows unless given), its numbers written beside it. `highlight`
    holds the positions of winning rows. The list is named by `title` for screen
    readers; the SVG itself is decorative because the text says everything."""
    total = sum(n for _label, n in rows) if total is None else total
    parts = [f'<ol class="bars" id="{escape(chart_id)}" aria-label="{escape(title)}">']
    for i, (label, count) in enumerate(rows):
        percent = share(count, total)
        winner = " bars__row--winner" if i in highlight else ""
        parts.append(
            f'<li class="bars__row{winner}">'
            f'<span class="bars__label">{escape(label)}</span>'
            f'<span class="bars__value">{count} '
            f"({escape(format_decimal(percent))} %)</span>"
            '<svg class="bars__bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
            '<rect class="bars__track" width="100" height="10"/>'
            f'<rect class="bars__fill" width="{percent:.1f}" height="10"/>'
            "</svg></li>"
        )
    parts.append("</ol>")
    return Markup("".join(parts))  # noqa: S704  (every text part is escaped above)
