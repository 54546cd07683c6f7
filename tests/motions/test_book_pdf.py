"""The motion book and a single motion as PDF (motions/book_pdf.py), read back
with pypdf: what a delegate finds on which page."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader

from motions.book_pdf import (
    BookAmendment,
    BookMotion,
    MotionBook,
    book_pdf,
    motion_pdf,
)
from motions.printed import numbered_html
from motions.text import number_lines

TEXT = """# Verkehrswende jetzt

Der Ortsverein möge beschließen: Wir fordern den Ausbau des öffentlichen
Nahverkehrs in allen Stadtteilen, insbesondere in den Außenbezirken, wo die
Anbindung bisher unzureichend ist.

- Takt von zehn Minuten auf allen Linien zwischen 6 und 22 Uhr, auch am Wochenende
- ein Sozialticket für alle Menschen mit geringem Einkommen
"""


def _motion(number: int, paragraphs: int = 1) -> BookMotion:
    return BookMotion(
        number=f"A{number}",
        title=f"Antrag Nummer {number} zur Verkehrswende",
        text="\n\n".join([TEXT] * paragraphs),
        reasoning="Weil Busse und Bahnen allen nützen.",
        submitters=("OV Nord", "Anna Beispiel"),
        status="eingereicht",
        category="Verkehr",
        amendments=(
            BookAmendment(
                "Ä1", 3, 3, "Nahverkehrs mit Straßenbahnen in allen", "Bert Muster"
            ),
            BookAmendment("Ä2", 40, 41, "neu", "Carla Test"),
        ),
    )


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("count", [37, 75])  # contents of 2 and 3 pages
def test_book_has_title_page_contents_and_motions_on_the_listed_pages(count):
    motions = tuple(_motion(n, paragraphs=1 + n % 3) for n in range(1, count + 1))
    book = MotionBook(
        title="Landesparteitag 2027",
        organisation="Landesverband",
        occasion="Parteitag im März",
        deadline="1. Februar 2027, 24:00 Uhr",
        created="3. Dezember 2026",
        motions=motions,
    )
    pages = _pages(book_pdf(book))
    assert "Antragsbuch" in pages[0] and "Landesparteitag 2027" in pages[0]
    assert f"{count} Anträge, {2 * count} Änderungsanträge" in pages[0]
    assert "Inhalt" in pages[1]
    contents = "\n".join(p for p in pages[1:] if "Antragsteller*innen" not in p)
    listed = dict(
        re.findall(r"(A\d+): Antrag Nummer \d+ zur Verkehrswende\s+(\d+)", contents)
    )
    assert len(listed) == count
    for number, page in listed.items():
        text = pages[int(page) - 1]
        assert f"{number}: Antrag Nummer" in text, (number, page)
        assert f"Seite {page}/{len(pages)}" in text
    # every page but the title page has its number and the running head
    assert all(f"Seite {i}/{len(pages)}" in p for i, p in enumerate(pages, 1))


def test_motion_pdf_prints_numbered_lines_reasoning_and_amendment_diffs():
    motion = _motion(7)
    text = "\n".join(_pages(motion_pdf(motion, "Landesparteitag 2027")))
    lines = number_lines(motion.text)
    assert lines[2].text.startswith("Nahverkehrs in allen")
    for line in lines:  # the number at the margin, then the line's words
        assert re.search(rf"(?m)^{line.number}\s", text), line.number
        assert line.text.split()[-1] in text
    assert "Landesparteitag 2027" in text
    assert "Antragsteller*innen" in text and "OV Nord, Anna Beispiel" in text
    assert "Begründung" in text and "Weil Busse und Bahnen allen nützen." in text
    assert "Ä1 zu A7, Zeile 3" in text and "Bert Muster" in text
    assert "mit Straßenbahnen" in text  # the inserted words
    # an amendment to lines this text does not have says so instead of a diff
    assert "Ä2 zu A7, Zeilen 40–41" in text
    assert f"nur {len(lines)} Zeilen" in text


def test_an_empty_book_is_a_title_page():
    pages = _pages(book_pdf(MotionBook(title="Ortsverein Nord, ständig")))
    assert len(pages) == 1 and "0 Anträge, 0 Änderungsanträge" in pages[0]


MARKED = (
    "## Ziele für *alle*\n\nDer Ortsverein fordert **sichere und breite Radwege** in "
    "allen Stadtteilen, dazu *mehr Bänke* an den Haltestellen, den Befehl "
    "`make radweg` und die Seite [Radentscheid Nord](https://radentscheid.example/nord)"
    " als Vorbild; **Fahrrad**straßen auch.\n\n- ein *Sozialticket* für **alle**\n"
    "- <https://example.org/plan>\n"
)


def _web_lines(text: str) -> dict[int, str]:
    """The numbered lines as the motion page shows them, tags taken off."""
    found = re.findall(
        r'<span class="motion-line__no">(\d+)</span> <span class="motion-line__text">'
        r"(.*?)</span></li>",
        numbered_html(text),
    )
    plain = {}
    for number, inner in found:
        inner = re.sub(r'<span class="motion-line__marker">-</span> ', "• ", inner)
        plain[int(number)] = html.unescape(re.sub(r"<[^>]+>", "", inner))
    return plain


def test_motion_pdf_prints_markdown_marks_as_the_text_reads():
    motion = BookMotion(
        number="A1",
        title="Radwege",
        text=MARKED,
        reasoning="Weil **es** gut ist, siehe [hier](https://x.example/grund).",
    )
    for data in (
        motion_pdf(motion, "Buch"),
        book_pdf(MotionBook("Buch", motions=(motion,))),
    ):
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        for sign in ("**", "`", "](", "<https"):
            assert sign not in text, sign
        assert "*alle" not in text and "Bänke*" not in text
        # Every line has the number and the words the motion page gives it; a
        # link's address follows its text.
        web = _web_lines(MARKED)
        assert len(web) == len(number_lines(MARKED)) == 7
        for number, words in web.items():
            words = words.replace(
                "Radentscheid Nord",
                "Radentscheid Nord (https://radentscheid.example/nord)",
            )
            assert re.search(rf"(?m)^{number} {re.escape(words)}$", text), (
                number,
                words,
            )
        assert "Weil es gut ist, siehe hier (https://x.example/grund)." in text
        fonts = {
            str(font["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert any("Bold" in f and "Oblique" not in f for f in fonts), fonts
        assert any(f.endswith("SansOblique") for f in fonts), fonts
        assert any("BoldOblique" in f for f in fonts), fonts  # *alle* in a heading
