"""The election protocol (Wahlprotokoll) as an A4 PDF with signature lines for
the chair, the minute-taker and the election committee; DejaVu fonts (umlauts)
shipped with polls, reached through `polls.services` as the minutes do."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF

from polls import services as polls

from .protocol import SIGNATURES, RoundRecord

FONTS = Path(polls.__file__).resolve().parent / "fonts"


class _Protocol(FPDF):
    def header(self):
        self.set_font("dejavu", "B", 9)
        self.cell(0, 6, "Wahlprotokoll", new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-12)
        self.set_font("dejavu", "", 8)
        self.cell(0, 6, f"Seite {self.page_no()}/{{nb}}", align="C")


def _percent(value: Decimal) -> str:
    text = (
        format(value.normalize(), "f") if value == value.to_integral() else str(value)
    )
    return text.replace(".", ",")


def _round(doc: FPDF, rnd: RoundRecord, text, field) -> None:
    doc.ln(2)
    text(f"{rnd.number}. Wahlgang", 12, True, 7)
    field("Zeitraum", f"{rnd.opened} bis {rnd.closed} Uhr")
    field("Sitze", str(rnd.seats))
    field("Stimmberechtigte", "–" if rnd.electorate is None else str(rnd.electorate))
    field("Abgegebene Stimmzettel", "–" if rnd.ballots is None else str(rnd.ballots))
    field(
        "Gültig / ungültig",
        "–"
        if rnd.valid is None
        else f"{rnd.valid} gültig, {rnd.invalid} ungültig oder leer",
    )
    field("Prüfsumme der Urne", rnd.digest, 8)  # 64 hex digits on one line
    if not rnd.counted:
        text(rnd.outcome, 10)
        return
    yes_no = any(r.yes is not None for r in rnd.rows)
    stages = any(r.final for r in rnd.rows)
    heading = ["Bewerbung", "Ja / Nein / Enth." if yes_no else "Stimmen"]
    widths: tuple[int, ...] = (80, 50, 50)
    if stages:
        heading.append("am Ende der Auszählung")
    else:
        heading.append("Ergebnis")
    doc.set_font("dejavu", "", 9)
    with doc.table(col_widths=widths, text_align="LEFT") as table:
        table.row(heading)
        for row in rnd.rows:
            votes = f"{row.yes} / {row.no} / {row.abstain}" if yes_no else row.votes
            mark = "gewählt" if row.elected else ""
            if row.by_quota:
                mark += " (Sitz über die Quote)"
            last = f"{row.final} {mark}".strip() if stages else mark
            table.row([row.name, votes, last])
    text(rnd.outcome, 10, True, 6)
    for line in rnd.explanation:
        text(line, 9)


def as_pdf(rec: dict[str, Any]) -> bytes:
    """A few pages whatever the election's size: each box is cited by its digest."""
    doc = _Protocol(format="A4")
    doc.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.set_title(f"Wahlprotokoll: {rec['title']}")
    doc.alias_nb_pages()
    doc.add_page()

    def text(value: str, size: int = 10, bold: bool = False, height: int = 5):
        doc.set_font("dejavu", "B" if bold else "", size)
        doc.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")

    def field(label: str, value: str, size: int = 10) -> None:
        doc.set_font("dejavu", "B", 10)
        doc.cell(55, 6, label)
        doc.set_font("dejavu", "", size)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    text(rec["title"], 15, True, 8)
    doc.ln(2)
    field("Gliederung", rec["organisation"])
    field("Amt", rec["office"])
    field("Sitze", str(rec["seats"]))
    field("Wahlverfahren", rec["method"])
    rule = rec["rule"]
    if rec["statute_reference"]:
        rule = f"{rec['statute_reference']}: {rule}"
    field("Regel", rule)
    if rec["quota_percent"]:
        field(
            "Quote",
            f"mindestens {_percent(rec['quota_percent'])} % der Sitze je Geschlecht",
        )
    field("Wahl", "geheim" if rec["secret"] else "offen")
    field("Vorschlagsfrist", rec["nomination_period"])
    for line in rec["reopenings"]:
        field("Liste wieder geöffnet", line)

    doc.ln(2)
    text("Kandidaturen", 12, True, 7)
    doc.set_font("dejavu", "", 9)
    with doc.table(col_widths=(60, 50, 70), text_align="LEFT") as table:
        table.row(["Name", "vorgeschlagen von", "Stand"])
        for c in rec["candidates"]:
            table.row([c["name"], c["nominated_by"], c["state"]])

    for rnd in rec["rounds"]:
        _round(doc, rnd, text, field)

    doc.ln(3)
    text("Ergebnis", 12, True, 7)
    if rec["elected"]:
        for seat in rec["elected"]:
            quota = ", Sitz über die Quote" if seat["by_quota"] else ""
            text(
                f"{seat['position']}. {seat['name']} (im {seat['round']}. "
                f"Wahlgang{quota})",
                10,
                True,
                6,
            )
            if seat["acceptance"] == "ausstehend":
                text("Annahme der Wahl: noch nicht erklärt", 9)
            else:
                text(
                    f"Annahme der Wahl: {seat['acceptance']} am "
                    f"{seat['acceptance_at']} Uhr, festgehalten von "
                    f"{seat['recorded_by']}",
                    9,
                )
    else:
        text("Niemand ist gewählt.", 10)
    if rec["open_seats"]:
        text(f"Offene Sitze: {rec['open_seats']}", 10, True, 6)
    for line in rec["lots"]:
        text(f"Losentscheid: {line}", 9)

    doc.ln(3)
    text(
        f"Erstellt am {rec['exported_at']} Uhr von {rec['exported_by']}. Die "
        "Stimmzettel jedes Wahlgangs liegen in der Urne mit der genannten Prüfsumme.",
        9,
    )
    doc.ln(16)
    if doc.get_y() > doc.h - 40:
        doc.add_page()
        doc.ln(16)
    y = doc.get_y()
    for x, title in zip((15, 80, 145), SIGNATURES, strict=True):
        doc.line(x, y, x + 55, y)
        doc.set_xy(x, y + 1)
        doc.set_font("dejavu", "", 8)
        doc.multi_cell(55, 4, f"{title}\n(Ort, Datum, Unterschrift)")
    return bytes(doc.output())
