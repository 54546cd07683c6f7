"""The motion book (Antragsbuch) and single motions as PDF: title page, table of
contents, each motion's text with its line numbers at the margin, its reasoning and
its amendments with line references and their diff (struck and underlined words).

Plain dataclasses in, bytes out: no models, no database, so the services decide what
goes in (and who may see it) and the bench can render books of any size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.outline import OutlineSection
from markdown_it import MarkdownIt

from ortsverein.i18n import _
from polls import services as polls

from .text import (
    WIDTH,
    Amendment,
    Hunk,
    Line,
    LinesGone,
    apply,
    diff,
    line_label,
    number_lines,
)

# DejaVu (umlauts, dashes, „quotes“), shipped with polls, as the minutes use it;
# its oblique cuts for *italic* words are shipped here.
FONTS = Path(polls.__file__).resolve().parent / "fonts"
OBLIQUE = Path(__file__).resolve().parent / "fonts"
NUMBER_COLUMN = 12.0  # mm for the line numbers left of the text
TEXT_SIZE = 9.5  # pt: 80 characters of DejaVu Sans fit the A4 text column
LINE_HEIGHT = 4.6  # mm
# Rows of 6 mm on a page of contents (the first has the heading), with room to
# spare: fpdf2 wants the contents to fill exactly the pages reserved for them.
TOC_ROWS_FIRST, TOC_ROWS = 36, 38
BULLETS = {"-": "•", "*": "•", "+": "•", ">": "›"}


@dataclass(frozen=True)
class BookAmendment:
    """An amendment as printed: its label, the lines of the motion's text it
    replaces and its new text, who moved it and where it stands."""

    label: str  # "Ä1"
    first: int
    last: int
    text: str
    submitter: str
    status: str = ""
    reasoning: str = ""


@dataclass(frozen=True)
class BookMotion:
    """A motion as printed. `status` and `category` come already in words."""

    number: str  # "A1"
    title: str
    text: str
    reasoning: str = ""
    submitters: tuple[str, ...] = ()
    status: str = ""
    category: str = ""
    origin: str = ""  # "Weitergeleitet von OV Nord" for a forwarded motion
    amendments: tuple[BookAmendment, ...] = ()


@dataclass(frozen=True)
class MotionBook:
    """A book's cover and its motions, in the order they are printed."""

    title: str
    organisation: str = ""
    occasion: str = ""
    deadline: str = ""  # in words, in the book's time zone
    created: str = ""  # "Stand: …", in words
    motions: tuple[BookMotion, ...] = field(default_factory=tuple)


class _Document(FPDF):
    """A4 with a running head (the book's title) and page numbers."""

    def __init__(self, running_head: str, cover: bool) -> None:
        super().__init__(format="A4")
        self.running_head = running_head
        self.cover = cover
        self.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font("dejavu", "I", str(OBLIQUE / "DejaVuSans-Oblique.ttf"))
        self.add_font("dejavu", "BI", str(OBLIQUE / "DejaVuSans-BoldOblique.ttf"))
        self.set_margins(20, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def header(self) -> None:
        if self.cover and self.page_no() == 1:
            return  # the title page has the title in large
        self.set_font("dejavu", "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.running_head, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("dejavu", "", 8)
        self.cell(
            0,
            6,
            _("Seite %(page)s/%(pages)s", page=self.page_no(), pages="{nb}"),
            align="C",
        )


# Inline Markdown as the web page reads it (ortsverein.markdown: CommonMark, no HTML).
_INLINE = MarkdownIt("commonmark", {"html": False, "linkify": False})
_SPACE = re.compile(r"(\s+)")
Run = tuple[str, str]  # (font style "", "B", "I" or "BI"; text)
Word = tuple[Run, ...]  # the pieces of one word, e.g. ("B", "fett"), ("", ",")


@lru_cache(maxsize=4096)
def inline_runs(text: str, base: str = "") -> tuple[Run, ...]:
    """A line (or paragraph) of inline Markdown as printed: **strong** in bold,
    *emphasis* in italic, `code` and other marks without their signs, a link as
    its text followed by its address in brackets (unless the text is the
    address)."""
    runs: list[Run] = []
    bold = italic = 0
    link: list[tuple[str, int]] = []  # (href, index of the link's first run)

    def style() -> str:
        return ("B" if bold or "B" in base else "") + ("I" if italic else "")

    tokens = _INLINE.parseInline(text)
    children = (tokens[0].children or []) if tokens else []
    for token in children:
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline", "html_inline"):
            runs.append((style(), token.content))
        elif kind in ("softbreak", "hardbreak"):
            runs.append((style(), " "))
        elif kind == "image":
            runs.append((style(), token.content))
        elif kind == "link_open":
            link.append((str(token.attrGet("href") or ""), len(runs)))
        elif kind == "link_close" and link:
            href, start = link.pop()
            shown = "".join(t for _s, t in runs[start:])
            if href and href not in (shown, f"mailto:{shown}"):
                runs.append(("", f" ({href})"))
    return tuple(runs)


def _words(runs: Sequence[Run]) -> list[Word]:
    """Runs cut into words at white space; a word may mix styles ("**fett**,")."""
    words: list[Word] = []
    current: list[Run] = []
    for style, text in runs:
        for part in _SPACE.split(text):
            if not part:
                continue
            if part.isspace():
                if current:
                    words.append(tuple(current))
                    current = []
            else:
                current.append((style, part))
    if current:
        words.append(tuple(current))
    return words


class _Measure:
    """Widths of pieces of text in each style at one size, each measured once."""

    def __init__(self, doc: FPDF, size: float) -> None:
        self.doc, self.size = doc, size
        self.widths: dict[Run, float] = {}
        self.spaces: dict[str, float] = {}

    def space(self, style: str) -> float:
        if style not in self.spaces:
            self.doc.set_font("dejavu", style, self.size)
            self.spaces[style] = self.doc.get_string_width(" ")
        return self.spaces[style]

    def run(self, piece: Run) -> float:
        if piece not in self.widths:
            self.doc.set_font("dejavu", piece[0], self.size)
            self.widths[piece] = self.doc.get_string_width(piece[1])
        return self.widths[piece]

    def word(self, word: Word) -> float:
        return sum(self.run(piece) for piece in word)

    def line(self, words: Sequence[Word]) -> float:
        gaps = self.space("") * max(0, len(words) - 1)
        return sum(self.word(w) for w in words) + gaps


def _draw(
    doc: FPDF,
    measure: _Measure,
    x: float,
    y: float,
    words: Sequence[Word],
    room: float,
    height: float,
    least: float = 50.0,
) -> None:
    """One line of words at x, y, squeezed to fit `room`: one cell per run of a
    style (fpdf2 measures a cell's text again; fewer cells, less time)."""
    total = measure.line(words)
    squeeze = min(1.0, room / total) if total else 1.0
    doc.set_stretching(max(least, 100 * squeeze))
    segments: list[list] = []  # [style, texts, width, gap before it]
    for index, word in enumerate(words):
        for number, (style, text) in enumerate(word):
            gap = index > 0 and number == 0
            wide = measure.run((style, text))
            if segments and segments[-1][0] == style:
                segment = segments[-1]
                if gap:
                    segment[1].append(" ")
                    segment[2] += measure.space(style)
                segment[1].append(text)
                segment[2] += wide
            else:
                segments.append(
                    [style, [text], wide, measure.space("") if gap else 0.0]
                )
    position = x
    for style, texts, wide, before in segments:
        position += before * squeeze
        doc.set_font("dejavu", style, measure.size)
        doc.set_xy(position, y)
        doc.cell(wide * squeeze, height, "".join(texts))
        position += wide * squeeze
    doc.set_stretching(100)


def _text(doc: FPDF, value: str, size: float = 10, bold: bool = False) -> None:
    doc.set_font("dejavu", "B" if bold else "", size)
    doc.multi_cell(0, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")


def _flow(
    doc: FPDF, runs: Sequence[tuple[str, str]], size: float, height: float
) -> None:
    """Words of runs (font style, text) wrapped at the right margin by their
    measured widths, one cell per run of a style on a line. fpdf2's multi_cell and
    write measure letter by letter as a line grows, which made a book of 600
    amendments' reasonings and diffs slow; a word is measured once here."""
    words = _words(runs)
    if not words:
        return
    measure = _Measure(doc, size)
    room = doc.epw
    lines: list[list[Word]] = [[]]
    used = 0.0
    for word in words:
        wide = measure.word(word)
        if lines[-1] and used + measure.space("") + wide > room:
            lines.append([])
            used = 0.0
        used += wide + (measure.space("") if lines[-1] else 0.0)
        lines[-1].append(word)
    for line in lines:
        if doc.will_page_break(height):
            doc.add_page()
        y = doc.get_y()
        _draw(doc, measure, doc.l_margin, y, line, room, height)
        doc.set_xy(doc.l_margin, y + height)


def _prose(doc: FPDF, value: str, size: float = 9.5) -> None:
    """Running text (a reasoning): its paragraphs, wrapped."""
    for index, paragraph in enumerate(value.strip().split("\n\n")):
        if index:
            doc.ln(1.5)
        _flow(doc, inline_runs(" ".join(paragraph.split())), size, size * 0.5)


def _field(doc: FPDF, label: str, value: str) -> None:
    if not value:
        return
    doc.set_font("dejavu", "B", 9.5)
    doc.cell(42, 5, label)
    doc.set_font("dejavu", "", 9.5)
    doc.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")


def _numbered_lines(doc: FPDF, lines: Sequence[Line]) -> None:
    """Each printed line as numbered on screen: its number at the margin, its words
    on the line (squeezed a little if a proportional font makes it too wide)."""
    left = doc.l_margin
    column = doc.epw - NUMBER_COLUMN
    measure = _Measure(doc, TEXT_SIZE)
    for line in lines:
        if doc.will_page_break(LINE_HEIGHT):
            doc.add_page()
        if line.first and line.number > 1:
            doc.ln(1.2)  # a little air between blocks
        y = doc.get_y()
        doc.set_font("dejavu", "", 7.5)
        doc.set_text_color(100)
        doc.set_xy(left, y)
        doc.cell(NUMBER_COLUMN - 3, LINE_HEIGHT, str(line.number), align="R")
        doc.set_text_color(0)
        base = "B" if line.kind == "heading" else ""
        lead: list[Word] = []
        if line.marker and line.kind != "heading":
            lead = [((base, BULLETS.get(line.marker.strip(), line.marker.strip())),)]
        indent = 0.0 if line.kind == "heading" else line.indent * 1.9
        x = left + NUMBER_COLUMN + (0.0 if lead else indent)
        room = left + NUMBER_COLUMN + column - x
        # The words of the line the web page numbers, without their Markdown signs.
        words = lead + _words(inline_runs(line.text, base))
        _draw(doc, measure, x, y, words, room, LINE_HEIGHT, least=40.0)
        doc.set_xy(left, y + LINE_HEIGHT)


def _hunks(doc: FPDF, hunks: Sequence[Hunk]) -> None:
    """A diff's hunks: the line label, then the words, struck through where they
    go and underlined (and bold) where they come in."""
    styles = {"equal": "", "delete": "S", "insert": "BU"}
    for hunk in hunks:
        if doc.will_page_break(10):
            doc.add_page()
        doc.set_font("dejavu", "B", 9)
        doc.cell(0, 5, line_label(hunk.first, hunk.last) + ":", new_x="LMARGIN")
        doc.ln(5)
        _flow(doc, [(styles[p.op], p.text) for p in hunk.parts], 9, 4.6)
        doc.ln(1.5)


def _amendment(doc: FPDF, motion: BookMotion, amendment: BookAmendment) -> None:
    doc.set_font("dejavu", "B", 10)
    heading = _(
        "%(label)s zu %(motion)s, %(lines)s",
        label=amendment.label,
        motion=motion.number,
        lines=line_label(amendment.first, amendment.last),
    )
    if doc.will_page_break(20):
        doc.add_page()
    doc.multi_cell(0, 5.5, heading, new_x="LMARGIN", new_y="NEXT")
    _field(doc, _("Antragsteller*in"), amendment.submitter)
    _field(doc, _("Stand"), amendment.status)
    try:
        changed = apply(
            motion.text,
            Amendment(amendment.first, amendment.last, amendment.text),
            WIDTH,
        )
    except LinesGone as gone:
        _text(doc, gone.message, 9)
    else:
        hunks = diff(motion.text, changed, WIDTH)
        if hunks:
            _hunks(doc, hunks)
        else:
            _text(doc, _("Keine Änderungen."), 9)
    if amendment.reasoning.strip():
        _text(doc, _("Begründung"), 9, True)
        _prose(doc, amendment.reasoning, 9)
    doc.ln(2)


def _motion(doc: FPDF, motion: BookMotion) -> None:
    """One motion from the top of a page: title, facts, numbered text,
    reasoning, amendments."""
    doc.start_section(f"{motion.number}: {motion.title}")
    _text(doc, f"{motion.number}: {motion.title}", 14, True)
    doc.ln(2)
    _field(doc, _("Antragsteller*innen"), ", ".join(motion.submitters))
    _field(doc, _("Sachgebiet"), motion.category)
    _field(doc, _("Herkunft"), motion.origin)
    _field(doc, _("Stand"), motion.status)
    doc.ln(3)
    _text(doc, _("Antragstext"), 11, True)
    doc.ln(1)
    _numbered_lines(doc, number_lines(motion.text, WIDTH))
    if motion.reasoning.strip():
        doc.ln(4)
        _text(doc, _("Begründung"), 11, True)
        doc.ln(1)
        _prose(doc, motion.reasoning)
    if motion.amendments:
        doc.ln(4)
        _text(doc, _("Änderungsanträge"), 11, True)
        doc.ln(1)
        for amendment in sorted(motion.amendments, key=lambda a: (a.first, a.last)):
            _amendment(doc, motion, amendment)


def _table_of_contents(doc: FPDF, sections: list[OutlineSection]) -> None:
    doc.set_x(doc.l_margin)
    doc.set_font("dejavu", "B", 14)
    doc.cell(0, 9, _("Inhalt"), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("dejavu", "", 10)
    for index, section in enumerate(sections):
        if index >= TOC_ROWS_FIRST and (index - TOC_ROWS_FIRST) % TOC_ROWS == 0:
            doc.add_page()
        page = str(section.page_number)
        room = doc.epw - 15
        name = section.name
        while doc.get_string_width(name) > room and len(name) > 4:
            name = name[:-2].rstrip() + "…"  # shorten, keep the number
        link = doc.add_link(page=section.page_number)
        doc.cell(room, 6, name, link=link)
        doc.cell(15, 6, page, align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def _title_page(doc: FPDF, book: MotionBook) -> None:
    doc.add_page()
    doc.set_y(70)
    _text(doc, _("Antragsbuch"), 12)
    doc.ln(2)
    _text(doc, book.title, 22, True)
    doc.ln(6)
    amendments = sum(len(m.amendments) for m in book.motions)
    _field(doc, _("Gliederung"), book.organisation)
    _field(doc, _("Anlass"), book.occasion)
    _field(doc, _("Antragsschluss"), book.deadline)
    _field(
        doc,
        _("Umfang"),
        _(
            "%(motions)s Anträge, %(amendments)s Änderungsanträge",
            motions=len(book.motions),
            amendments=amendments,
        ),
    )
    _field(doc, _("Stand"), book.created)


def book_pdf(book: MotionBook) -> bytes:
    """The whole book: title page, table of contents (with links), then each
    motion from a new page; page numbers count the title and contents too."""
    doc = _Document(book.title, cover=True)
    doc.set_title(book.title)
    _title_page(doc, book)
    if book.motions:
        doc.add_page()
        render: Callable[[FPDF, list[OutlineSection]], None] = _table_of_contents
        rest = max(0, len(book.motions) - TOC_ROWS_FIRST)
        pages = 1 + math.ceil(rest / TOC_ROWS)
        # one row a motion, each on one line: the pages are known in advance
        doc.insert_toc_placeholder(render, pages=pages)
    for index, motion in enumerate(book.motions):
        if index:
            doc.add_page()  # the first one starts on the page after the contents
        _motion(doc, motion)
    return bytes(doc.output())


def motion_pdf(motion: BookMotion, book_title: str = "") -> bytes:
    """One motion with its amendments, headed by the book it is in."""
    doc = _Document(book_title or f"{motion.number}: {motion.title}", cover=False)
    doc.set_title(f"{motion.number}: {motion.title}")
    doc.add_page()
    _motion(doc, motion)
    return bytes(doc.output())
