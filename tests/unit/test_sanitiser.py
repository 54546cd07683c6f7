"""Sanitiser: XSS payloads and generated Markdown leave nothing executable in the
output of ortsverein.markdown.render, and cleaning the output again changes nothing.

The output is checked with the stdlib HTML parser, which unescapes attribute values
the way a browser does, so entity-encoded schemes are judged after decoding."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ortsverein.markdown import ATTRIBUTES, TAGS, clean, render

REL = {"nofollow", "ugc", "noopener"}
SAFE_PREFIXES = ("http://", "https://", "mailto:", "#")
SCHEME_RE = re.compile(r"[a-z][a-z0-9+.\-]*:")
FORBIDDEN_ATTRIBUTES = {"style", "srcdoc", "formaction"}
URL_ATTRIBUTES = {"href", "src"}
UNESCAPED = ("<script", "<svg", "<iframe")


def _squeeze(url: str) -> str:
    """A URL without whitespace or control/format characters, lower-cased: browsers
    ignore tabs and newlines inside a scheme and leading control characters."""
    return "".join(
        ch
        for ch in url
        if not (ch.isspace() or unicodedata.category(ch).startswith("C"))
    ).lower()


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.violations: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.violations.append(f"tag <{tag}> not allowed")
        names = [name for name, _ in attrs]
        for name, value in attrs:
            if name.startswith("on"):
                self.violations.append(f"event handler {name} on <{tag}>")
            if name in FORBIDDEN_ATTRIBUTES:
                self.violations.append(f"attribute {name} on <{tag}>")
            allowed = ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            if name not in allowed:
                self.violations.append(f"attribute {name} not allowed on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = _squeeze(value or "")
                if not url.startswith(SAFE_PREFIXES) and SCHEME_RE.match(url):
                    self.violations.append(f"{name}={value!r} on <{tag}>")
        if tag == "a":
            rels = [
                set((value or "").split()) for name, value in attrs if name == "rel"
            ]
            if len(rels) != 1 or not REL <= rels[0] or names.count("rel") != 1:
                self.violations.append(f"<a> without rel {sorted(REL)}: {attrs!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in TAGS:
            self.violations.append(f"end tag </{tag}> not allowed")

    def handle_comment(self, data):
        self.violations.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.violations.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.violations.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.violations.append(f"unknown declaration {data!r}")


def violations(html: str) -> list[str]:
    """Everything in html that the sanitiser must not let through."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    lowered = html.lower()
    checker.violations += [f"unescaped {s}" for s in UNESCAPED if s in lowered]
    return checker.violations


def assert_safe(html: str) -> None:
    assert violations(html) == [], html
    assert clean(html) == html


B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>
B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # <svg onload=alert(1)>
ENTITY_JS = "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"

PAYLOADS = {
    # Script tags
    "script": "<script>alert(1)</script>",
    "script-src": "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-escaped": "\\<script>alert(1)\\</script>",
    "script-entities": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "script-comment": "<!--<script>alert(1)</script>-->",
    "script-cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "script-emphasis": "*<script>*alert(1)*</script>*",
    # Event handlers
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-js-src": "<IMG SRC=\"javascript:alert('XSS');\">",
    "img-onerror-entities": '<img src=x onerror="&#0000097&#0000108ert(1)">',
    "body-onload": "<body onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "input-onfocus": "<input autofocus onfocus=alert(1)>",
    "video-source": "<video><source onerror=alert(1)></video>",
    "raw-a-onclick": '<a href="#" onclick="alert(1)">x</a>',
    # SVG and MathML
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math-href": '<math href="javascript:alert(1)">CLICK</math>',
    "math-mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # Dangerous elements
    "raw-a-js": '<a href="javascript:alert(1)">x</a>',
    "raw-a-newline-entity": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": f'<embed src="data:image/svg+xml;base64,{B64_SVG}">',
    "style-tag": '<style>body{background:url("javascript:alert(1)")}</style>',
    "style-attr": '<p style="background:url(javascript:alert(1))">x</p>',
    "form-action": '<form action="javascript:alert(1)"><button>x</button></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">x</button>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "link-stylesheet": '<link rel=stylesheet href="javascript:alert(1)">',
    "raw-a-rel-opener": '<a href="http://x" target="_blank" rel="opener">x</a>',
    # javascript: links in Markdown
    "md-js": "[x](javascript:alert(1))",
    "md-js-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-js-title": '[x](javascript:alert(1) "title")',
    "md-js-colon-entity": "[x](javascript&#58;alert(1))",
    "md-js-colon-named": "[x](javascript&colon;alert(1))",
    "md-js-all-entities": f"[x]({ENTITY_JS}alert(1))",
    "md-js-hex-entity": "[x](jav&#x61;script:alert(1))",
    "md-js-parens-entities": "[x](javascript:alert&#40;1&#41;)",
    "md-js-comment": "[x](javascript://%0aalert(1))",
    "md-js-image": "![x](javascript:alert(1))",
    "md-js-bold": "**[x](javascript:alert(1))**",
    "md-js-heading": "# [x](javascript:alert(1))",
    "md-js-quote": "> [x](javascript:alert(1))",
    "md-js-list": "- [x](javascript:alert(1))",
    "md-js-nested": "[[x](javascript:alert(1))](http://x)",
    # Whitespace and control characters in schemes
    "md-js-tab": "[x](<java\tscript:alert(1)>)",
    "md-js-tab-bare": "[x](java\tscript:alert(1))",
    "md-js-tab-entity": "[x](java&#x09;script:alert(1))",
    "md-js-newline-entity": "[x](java&#10;script:alert(1))",
    "md-js-ctrl": "[x](\x01javascript:alert(1))",
    "md-js-ctrl-pointy": "[x](<\x01javascript:alert(1)>)",
    "md-js-null": "[x](java\x00script:alert(1))",
    "md-js-leading-space": "[x]( javascript:alert(1))",
    "md-js-ctrl-entity": "[x](&#1;javascript:alert(1))",
    # Other schemes
    "md-data": f"[x](data:text/html;base64,{B64_SCRIPT})",
    "md-data-upper": "[x](DATA:text/html,<script>alert(1)</script>)",
    "md-data-image": f"![x](data:image/svg+xml;base64,{B64_SVG})",
    "md-vbscript": "[x](vbscript:msgbox(1))",
    "md-file": "[x](file:///etc/passwd)",
    # Schemes markdown-it lets through, so only nh3's allow-list stops them
    "md-livescript": "[x](livescript:alert(1))",
    "md-feed-js": "[x](feed:javascript:alert(1))",
    "md-view-source": "[x](view-source:javascript:alert(1))",
    "md-intent": "[x](intent://x#Intent;scheme=javascript;end)",
    "ref-livescript": "[x][1]\n\n[1]: livescript:alert(1)",
    # Autolinks
    "autolink-js": "<javascript:alert(1)>",
    "autolink-js-upper": "<JAVASCRIPT:alert(1)>",
    "autolink-data": f"<data:text/html;base64,{B64_SCRIPT}>",
    "autolink-vbscript": "<vbscript:msgbox(1)>",
    "autolink-quote": '<http://x"onmouseover="alert(1)>',
    "autolink-mailto-quote": '<mailto:x@y"onmouseover="alert(1)>',
    # Reference-style links
    "ref-js": "[x][1]\n\n[1]: javascript:alert(1)",
    "ref-js-pointy": '[x][1]\n\n[1]: <javascript:alert(1)> "t"',
    "ref-data": f"[x]\n\n[x]: data:text/html;base64,{B64_SCRIPT}",
    "ref-image": "![x][i]\n\n[i]: javascript:alert(1)",
    # Nested Markdown and HTML
    "link-text-img": "[<img src=x onerror=alert(1)>](http://x)",
    "link-then-img": "[x](http://x)<img src=x onerror=alert(1)>",
    "link-query-script": '[x](https://example.org/?q="><script>alert(1)</script>)',
    "link-hash-quote": '[x](#"onclick="alert(1))',
    "image-quote": '![x](https://x"onerror="alert(1))',
    "title-double-quote": '[x](http://x "a\\" onmouseover=\\"alert(1)")',
    "title-single-quote": "[x](http://x 'a\" onmouseover=\"alert(1)')",
    "title-paren": '[x](http://x (a" onfocus="alert(1)" autofocus="))',
    # Code around HTML
    "code-span": "`<script>alert(1)</script>`",
    "code-span-double": "`` <img src=x onerror=alert(1)> ``",
    "code-span-broken": "`<svg onload=alert(1)>``",
    "fenced": "```html\n<script>alert(1)</script>\n```",
    "fenced-info": '```"><script>alert(1)</script>\nx\n```',
    "indented": "    <iframe src=javascript:alert(1)>",
    # Tables with HTML in cells
    "table-html": (
        "| a | b |\n|---|---|\n"
        "| <script>alert(1)</script> | <img src=x onerror=alert(1)> |"
    ),
    "table-link": "| a | b |\n|:--|--:|\n| [x](javascript:alert(1)) | <svg> |",
    "table-header": "| <iframe> | [x](data:text/html,x) |\n|---|---|\n| c | d |",
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payload_rendered_as_markdown_is_safe(payload):
    html = render(payload)
    assert_safe(html)
    assert render(payload) == html


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payload_cleaned_as_raw_html_is_safe(payload):
    """clean() alone holds even without markdown-it escaping the raw HTML first."""
    assert_safe(clean(payload))


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40


def test_safe_markdown_survives():
    """The checker passes ordinary output, and the sanitiser keeps what it should."""
    html = render(
        "# Title\n\n**bold** *em* `code`\n\n"
        '[web](https://example.org/a?b=1&c=2 "T") [mail](mailto:a@example.org) '
        "[rel](/posts/1) [anchor](#top) <https://example.org>\n\n"
        "3. three\n4. four\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert violations(html) == []
    assert clean(html) == html
    for fragment in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        'href="https://example.org/a?b=1&amp;c=2"',
        'title="T"',
        'href="mailto:a@example.org"',
        'href="/posts/1"',
        'href="#top"',
        'rel="nofollow ugc noopener"',
        '<ol start="3">',
        "<blockquote>",
        "<th>a</th>",
        "<td>2</td>",
    ):
        assert fragment in html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<a href="javascript:x" onclick="y">',
            ["event handler onclick", "href='javascript:x'", "<a> without rel"],
        ),
        ('<a href="java&#9;script:x" rel="nofollow ugc noopener">', ["href="]),
        ('<a href="\x01JAVASCRIPT:x" rel="nofollow ugc noopener">', ["href="]),
        ('<a href="data:text/html,x" rel="nofollow">', ["href=", "without rel"]),
        ("<script>alert(1)</script>", ["tag <script>", "unescaped <script"]),
        ("<svg onload=alert(1)>", ["tag <svg>", "event handler onload"]),
        ('<p style="x">', ["attribute style"]),
        ('<iframe srcdoc="x">', ["tag <iframe>", "attribute srcdoc"]),
        ('<p formaction="x">', ["attribute formaction"]),
        ("<!-- x -->", ["comment"]),
    ],
)
def test_checker_reports_violations(html, expected):
    """The checker can fail: unsanitised HTML is caught."""
    found = violations(html)
    for needle in expected:
        assert any(needle in v for v in found), (needle, found)
    with pytest.raises(AssertionError):
        assert_safe(html)


FRAGMENTS = [
    "[",
    "]",
    "](",
    ")",
    "<",
    ">",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "vbscript:",
    "data:",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:",
    "mailto:",
    "http://x",
    "on",
    "onerror",
    "onload",
    "=",
    '"',
    "'",
    "`",
    "```",
    "*",
    "**",
    "_",
    "#",
    "!",
    "|",
    "|---|",
    "-",
    "1.",
    ">",
    ":",
    " ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "\\",
    "<script>",
    "</script>",
    "<img",
    "<svg",
    "<iframe",
    "<a href=",
    "src=x",
    "alert(1)",
    "&#",
    "&#58;",
    "&#x3a;",
    "&colon;",
    "&lt;",
    ";",
    "\x00",
    "\x01",
    "[1]: ",
    "[1]",
]

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    " javascript:",
    "\x01javascript:",
    "javascript&#58;",
    "&#106;avascript:",
    "vbscript:",
    "data:text/html,",
    "file:",
    "http://",
    "https://",
    "mailto:",
    "#",
    "",
]
fragment = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
loose = st.lists(fragment, max_size=6).map("".join)
# Link-shaped pieces, so that links, images, autolinks and reference definitions
# are actually parsed and reach nh3 instead of staying literal text.
destination = st.builds(
    "{}{}".format, st.sampled_from(SCHEMES), loose.filter(lambda s: " " not in s)
)
title = st.sampled_from(["", ' "t"', " 'a\" onclick=\"x'", ' "a\\" on=x"', " (t)"])
link = st.builds(
    "{}{}]({}{})".format, st.sampled_from(["[", "!["]), loose, destination, title
)
autolink = st.builds("<{}>".format, destination)
reference = st.builds("[{0}][r]\n\n[r]: {1}{2}\n".format, loose, destination, title)
markdown_text = st.lists(
    st.one_of(fragment, link, autolink, reference), max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(markdown_text)
def test_generated_markdown_is_safe(text):
    html = render(text)
    assert violations(html) == [], (text, html)
    assert clean(html) == html


@settings(max_examples=300, deadline=None)
@given(markdown_text)
def test_generated_text_cleaned_as_raw_html_is_safe(text):
    html = clean(text)
    assert violations(html) == [], (text, html)
    assert clean(html) == html
