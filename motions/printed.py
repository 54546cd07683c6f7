"""A motion's text as HTML of numbered printed lines (motions.text lays them out):
rendered once when the text is saved, as every Markdown text is."""

from __future__ import annotations

from markupsafe import escape

from ortsverein.markdown import render_inline

from .text import number_lines


def numbered_html(text: str) -> str:
    """An ordered list of the printed lines, each with its number as text (screen
    readers read it; amendments cite it) and its words as inline Markdown. The
    first line of a paragraph, heading, item or quote starts a new block."""
    parts = ['<ol class="motion-lines">']
    for line in number_lines(text):
        classes = f"motion-line motion-line--{line.kind}"
        if line.first:
            classes += " motion-line--first"
        marker = ""
        if line.first and line.kind == "item":
            sign = escape(line.marker.strip())
            marker = f'<span class="motion-line__marker">{sign}</span> '
        parts.append(
            f'<li class="{classes}"><span class="motion-line__no">{line.number}</span>'
            f' <span class="motion-line__text">{marker}{render_inline(line.text)}'
            "</span></li>"
        )
    parts.append("</ol>")
    return "".join(parts)
