"""Markdown to safe HTML: markdown-it-py without raw HTML, then cleaned by nh3.
Rendered once when text is saved, never on page views."""

from __future__ import annotations

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

from .i18n import _l

# Shown under every text box that takes Markdown (forums, meetings).
MARKDOWN_HINT = _l(
    "Markdown: **fett**, *kursiv*, [Link](https://…), > Zitat, - Liste. "
    "Erwähne andere mit @Vorname.Nachname."
)

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def render(text: str) -> str:
    """Safe HTML for Markdown text; links only http(s)/mailto, marked nofollow ugc."""
    return clean(_md.render(text or ""))


def render_inline(text: str) -> str:
    """Safe HTML for one line of Markdown, read as inline text only: a line that
    starts "2027." or "- " stays words, never becomes a list."""
    return clean(_md.renderInline(text or ""))


def clean(html: str) -> str:
    """HTML through nh3 with the allow-list; render() applies it to its output."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


_BLOCK_END = re.compile(r"<(?:br|hr)\b[^>]*>|</(?:p|li|h\d|blockquote|pre|tr|td|th)>")


def plain_text(text: str) -> str:
    """Markdown as the words a reader sees, one line, no markup: "**fett** [Link](u)"
    reads "fett Link" (search excerpts)."""
    html = _BLOCK_END.sub(" ", _md.render(text or ""))
    words = unescape(nh3.clean(html, tags=set(), strip_comments=True))
    return " ".join(words.split())
