"""A motion's text as printed: numbered lines, amendments to line ranges, word diffs.

Pure functions (no database, no request) shared by views, services and the PDF.
The text is Markdown; it is read as blocks (paragraphs, headings, list items,
quotes), each block's words are wrapped greedily at a fixed width and the printed
lines are numbered on through the text. Amendments replace the words of a line
range of one version; they splice into the canonical form of that version, so a
set of non-overlapping amendments merges in any order to the same text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ortsverein.errors import Conflict, ValidationFailed
from ortsverein.i18n import _

WIDTH = 80  # characters of a printed line, as in most parties' motion books

_HEADING = re.compile(r"(#{1,6})(?:[ \t]+(.*))?$")
_ITEM = re.compile(r"([ \t]*(?:[-*+]|\d{1,9}[.)]))(?:[ \t]+(.*))?$")
_MARKER = re.compile(r"[ \t]*(?:#{1,6}|[-*+>]|\d{1,9}[.)])(?:[ \t]+|$)")


class InvalidLineRange(ValidationFailed):
    """A range whose first line is after its last, or before line 1."""

    code = "invalid_line_range"


class LinesGone(Conflict):
    """An amendment to lines the version in hand does not have (any more)."""

    code = "amendment_lines_gone"


class OverlappingAmendments(Conflict):
    """Two amendments of one merge change the same line."""

    code = "amendments_overlap"


@dataclass(frozen=True)
class Block:
    """A paragraph, heading, list item or quote: its marker and its words."""

    kind: str  # "paragraph", "heading", "item", "quote"
    marker: str  # "" (paragraph), "##", "-", "1.", "  -" (nested), ">"
    words: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One printed line: its number, its words (Markdown inline marks kept) and
    the block it belongs to. `marker` is the block's marker on its first line
    only; continuation lines are indented by `indent` characters instead."""

    number: int
    text: str
    block: int
    kind: str
    first: bool  # the first line of its block (a new paragraph, heading, item)
    marker: str
    indent: int

    @property
    def printed(self) -> str:
        """The line as a fixed-width printout shows it (at most the width)."""
        lead = f"{self.marker} " if self.marker else " " * self.indent
        return lead + self.text


@dataclass(frozen=True)
class Amendment:
    """Replace the words of lines `first`..`last` of one version with `text`."""

    first: int
    last: int
    text: str
    label: str = ""  # "Ä1", for messages


@dataclass(frozen=True)
class Change:
    """A run of words of a diff: kept ("equal"), "insert"ed or "delete"d."""

    op: str
    text: str


@dataclass(frozen=True)
class Hunk:
    """The changed lines first..last of the old text (0..0: the old text was
    empty), whole, with the changes in place."""

    first: int
    last: int
    parts: tuple[Change, ...]


def blocks(text: str) -> list[Block]:
    """The text's blocks; blank lines separate them, a heading is one line, a
    list item or quote starts a new block, other lines continue the open one.
    Blocks without words (an empty item) are dropped."""
    out: list[Block] = []
    kind, marker = "", ""
    words: list[str] = []

    def close() -> None:
        if words:
            out.append(Block(kind, marker, tuple(words)))

    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            close()
            kind, marker, words = "", "", []
            continue
        heading = _HEADING.match(stripped)
        item = _ITEM.match(raw.rstrip().expandtabs(4))
        if heading:
            close()
            kind, marker, words = "heading", heading[1], (heading[2] or "").split()
            close()
            kind, marker, words = "", "", []
        elif item:
            close()
            kind, marker, words = "item", item[1], (item[2] or "").split()
        elif stripped.startswith(">"):
            if kind != "quote":
                close()
                kind, marker, words = "quote", ">", []
            words.extend(stripped[1:].split())
        elif kind:
            words.extend(stripped.split())  # a continuation line
        else:
            kind, marker, words = "paragraph", "", stripped.split()
    close()
    return out


def _separator(before: Block, after: Block) -> str:
    return "\n" if before.kind == after.kind == "item" else "\n\n"


def canonical(text: str) -> str:
    """The text as its blocks write it: one source line per block, no trailing
    spaces. `canonical(canonical(t)) == canonical(t)`."""
    return _Layout(text, WIDTH).canon


class _Layout:
    """The canonical source of a text with each word's offsets in it, and the
    printed lines with the range of words each holds."""

    def __init__(self, text: str, width: int) -> None:
        self.blocks = blocks(text)
        self.words: list[str] = []
        self.spans: list[tuple[int, int]] = []  # word -> (start, end) in canon
        self.block_starts: list[int] = []  # block -> offset of its marker or word
        self.lines: list[Line] = []
        self.line_words: list[tuple[int, int]] = []  # line -> words [a, b)
        self.word_line: list[int] = []  # word -> line number
        parts: list[str] = []
        offset = 0
        for index, block in enumerate(self.blocks):
            if index:
                sep = _separator(self.blocks[index - 1], block)
                parts.append(sep)
                offset += len(sep)
            self.block_starts.append(offset)
            lead = f"{block.marker} " if block.marker else ""
            parts.append(lead + " ".join(block.words))
            offset += len(lead)
            for word in block.words:
                self.words.append(word)
                self.spans.append((offset, offset + len(word)))
                offset += len(word) + 1
            offset -= 1
            self._wrap(index, block, width, len(lead))
        self.canon = "".join(parts)

    def _wrap(self, index: int, block: Block, width: int, indent: int) -> None:
        budget = width - indent
        start = len(self.words) - len(block.words)
        current: list[str] = []
        length = 0
        for word in block.words:
            if current and length + 1 + len(word) > budget:
                self._emit(index, block, current, start, indent)
                start += len(current)
                current, length = [], 0
            length += len(word) + (1 if current else 0)
            current.append(word)
        if current:
            self._emit(index, block, current, start, indent)

    def _emit(
        self, index: int, block: Block, words: list[str], start: int, indent: int
    ) -> None:
        first = not self.lines or self.lines[-1].block != index
        number = len(self.lines) + 1
        self.lines.append(
            Line(
                number=number,
                text=" ".join(words),
                block=index,
                kind=block.kind,
                first=first,
                marker=block.marker if first else "",
                indent=indent,
            )
        )
        self.line_words.append((start, start + len(words)))
        self.word_line.extend([number] * len(words))

    def span(self, amendment: Amendment) -> tuple[int, int]:
        """The canonical source an amendment replaces: from its first line's first
        word to its last line's last word. If the replacement starts with a block
        marker and the range starts a block, the block's marker goes too."""
        first, last = amendment.first, amendment.last
        if first < 1 or last < first:
            raise InvalidLineRange(
                _(
                    "Der Zeilenbereich %(first)s–%(last)s ist ungültig: die erste "
                    "Zeile muss mindestens 1 sein und darf nicht nach der letzten "
                    "liegen.",
                    first=first,
                    last=last,
                )
            )
        if last > len(self.lines):
            raise LinesGone(lines_gone_message(amendment, len(self.lines)))
        a = self.line_words[first - 1][0]
        b = self.line_words[last - 1][1] - 1
        start = self.spans[a][0]
        if self.lines[first - 1].first and _MARKER.match(amendment.text):
            start = self.block_starts[self.lines[first - 1].block]
        return start, self.spans[b][1]


def lines_gone_message(amendment: Amendment, count: int) -> str:
    if amendment.label:
        return str(
            _(
                "Der Änderungsantrag %(label)s bezieht sich auf die Zeilen "
                "%(first)s–%(last)s, aber diese Fassung hat nur %(count)s Zeilen: "
                "die Zeilen gibt es nicht mehr.",
                label=amendment.label,
                first=amendment.first,
                last=amendment.last,
                count=count,
            )
        )
    return str(
        _(
            "Die Zeilen %(first)s–%(last)s gibt es in dieser Fassung nicht (mehr): "
            "sie hat nur %(count)s Zeilen.",
            first=amendment.first,
            last=amendment.last,
            count=count,
        )
    )


def number_lines(text: str, width: int = WIDTH) -> list[Line]:
    """The printed lines of a text, numbered from 1 on through all its blocks.
    Words wrap at `width` characters (the marker's included) and are never split;
    a word longer than the width stands on a line of its own. Blank lines
    between blocks are not printed as lines and get no number."""
    return _Layout(text, width).lines


def excerpt(text: str, first: int, last: int, width: int = WIDTH) -> str:
    """The source of lines first..last, as an amendment form shows it to edit:
    replacing these lines by this excerpt leaves the text as it is."""
    layout = _Layout(text, width)
    start, end = layout.span(Amendment(first, last, ""))
    return layout.canon[start:end]


def quote(text: str, first: int, last: int, width: int = WIDTH) -> str:
    """Lines first..last as a Markdown quote for a comment, headed by their
    numbers ("> **Zeilen 4–7:**", then each printed line). Raises
    InvalidLineRange or LinesGone as an amendment to these lines would."""
    layout = _Layout(text, width)
    layout.span(Amendment(first, last, ""))  # the range's checks and messages
    head = f"> **{line_label(first, last)}:**"
    body = [f"> {line.printed.strip()}" for line in layout.lines[first - 1 : last]]
    return "\n".join([head, *body]) + "\n\n"


def apply(text: str, amendment: Amendment, width: int = WIDTH) -> str:
    """The text with the amendment's lines replaced by its text (canonical)."""
    return merge(text, [amendment], width)


def conflicts(amendments: Iterable[Amendment]) -> list[tuple[Amendment, Amendment]]:
    """The pairs of amendments whose line ranges share a line (in line order)."""
    ordered = sorted(amendments, key=lambda a: (a.first, a.last))
    found: list[tuple[Amendment, Amendment]] = []
    for index, one in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.first > one.last:
                break  # sorted by first line: no later one reaches back either
            found.append((one, other))
    return found


def merge(text: str, amendments: Sequence[Amendment], width: int = WIDTH) -> str:
    """The consolidated text: every amendment spliced into its lines of `text`.
    All amendments are made against this text; lines it does not have are
    refused (LinesGone), as are two amendments to one line. The order of
    `amendments` does not matter."""
    layout = _Layout(text, width)
    spans = [(layout.span(amendment), amendment) for amendment in amendments]
    clashes = conflicts(amendments)
    if clashes:
        one, other = clashes[0]
        raise OverlappingAmendments(
            _(
                "Die Änderungsanträge %(one)s (Zeilen %(a1)s–%(a2)s) und %(other)s "
                "(Zeilen %(b1)s–%(b2)s) ändern dieselben Zeilen; nur einer von "
                "beiden kann übernommen werden.",
                one=one.label or "?",
                other=other.label or "?",
                a1=one.first,
                a2=one.last,
                b1=other.first,
                b2=other.last,
            )
        )
    out = layout.canon
    # Back to front, so each splice leaves the offsets of the ones before it valid.
    for (start, end), amendment in sorted(spans, key=lambda s: s[0], reverse=True):
        out = out[:start] + amendment.text + out[end:]
    return canonical(out)


def diff(old: str, new: str, width: int = WIDTH) -> list[Hunk]:
    """The word changes from `old` to `new`, grouped by the lines of `old` they
    touch (neighbouring changed lines make one hunk), each hunk with its lines'
    unchanged words as context. Words inserted after a word belong to its line."""
    layout = _Layout(old, width)
    theirs = [word for block in blocks(new) for word in block.words]
    lines = layout.word_line
    # autojunk off: in a long motion "die" and "und" are frequent, and a junked
    # word would never anchor a match, which turns small edits into big ones.
    matcher = difflib.SequenceMatcher(None, layout.words, theirs, autojunk=False)
    stream: list[tuple[str, str, int]] = []  # (op, word, line of old it belongs to)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("equal", "replace", "delete"):
            kind = "equal" if op == "equal" else "delete"
            stream.extend((kind, layout.words[i], lines[i]) for i in range(i1, i2))
        if op in ("insert", "replace"):
            anchor = i2 - 1 if op == "replace" else i1 - 1
            line = lines[max(anchor, 0)] if lines else 0
            stream.extend(("insert", theirs[j], line) for j in range(j1, j2))
    changed = sorted({line for what, _word, line in stream if what != "equal"})
    ranges: list[list[int]] = []
    for line in changed:
        if ranges and line <= ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    hunks: list[Hunk] = []
    for first, last in ranges:
        parts: list[Change] = []
        for what, word, line in stream:
            if first <= line <= last:
                if parts and parts[-1].op == what:
                    parts[-1] = Change(what, f"{parts[-1].text} {word}")
                else:
                    parts.append(Change(what, word))
        hunks.append(Hunk(first, last, tuple(parts)))
    return hunks


def line_label(first: int, last: int) -> str:
    """'Zeile 4', 'Zeilen 4–7' (or 'Neuer Text' when there were no lines)."""
    if first == 0:
        return str(_("Neuer Text"))
    if first == last:
        return str(_("Zeile %(number)s", number=first))
    return str(_("Zeilen %(first)s–%(last)s", first=first, last=last))


def diff_html(old: str, new: str, width: int = WIDTH) -> Markup:
    """The diff as safe HTML: per hunk its lines, then the words with <del> and
    <ins>, each opened by visually hidden words ("gestrichen:", "eingefügt:") so
    a screen reader says what changed; the browser's strike-through and underline
    show it without relying on colour."""
    return hunks_html(diff(old, new, width))


def hunks_html(hunks: Sequence[Hunk]) -> Markup:
    """Hunks as HTML (see diff_html); every word is escaped."""
    if not hunks:
        return Markup('<p class="diff diff--none">{}</p>').format(
            _("Keine Änderungen.")
        )
    marked = {
        "insert": (
            Markup('<ins><span class="visually-hidden">{} </span>{}</ins>'),
            _("eingefügt:"),
        ),
        "delete": (
            Markup('<del><span class="visually-hidden">{} </span>{}</del>'),
            _("gestrichen:"),
        ),
    }
    out = [Markup('<div class="diff">')]
    for hunk in hunks:
        out.append(
            Markup('<p class="diff__lines"><strong>{}</strong></p>').format(
                line_label(hunk.first, hunk.last)
            )
        )
        words: list[Markup] = []
        for part in hunk.parts:
            if part.op == "equal":
                words.append(Markup("{}").format(part.text))
                continue
            template, hidden = marked[part.op]
            words.append(template.format(hidden, part.text))
        out.append(
            Markup('<p class="diff__text">{}</p>').format(Markup(" ").join(words))
        )
    out.append(Markup("</div>"))
    return Markup("\n").join(out)


def diff_plain(old: str, new: str, width: int = WIDTH) -> str:
    """The diff as plain text, one paragraph per hunk:
    'Zeilen 4–5: … [gestrichen: alt] [eingefügt: neu] …'."""
    return hunks_plain(diff(old, new, width))


def hunks_plain(hunks: Sequence[Hunk]) -> str:
    """Hunks as plain text (see diff_plain)."""
    if not hunks:
        return str(_("Keine Änderungen."))
    names = {"insert": str(_("eingefügt:")), "delete": str(_("gestrichen:"))}
    paragraphs = []
    for hunk in hunks:
        words = [
            part.text if part.op == "equal" else f"[{names[part.op]} {part.text}]"
            for part in hunk.parts
        ]
        paragraphs.append(f"{line_label(hunk.first, hunk.last)}: {' '.join(words)}")
    return "\n\n".join(paragraphs)
