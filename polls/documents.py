"""The binary records: an XLSX workbook and the signed-off PDF protocol."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from models import Poll
from ortsverein.spreadsheets import xlsx_row

from .exports import (
    ANSWER_HEADER,
    FONTS,
    answer_rows,
    ballot_chunks,
    count_header,
    local,
    named_votes,
    option_rows,
    rule_line,
)


def _append(sheet, values) -> None:
    """A row whose text stays text (a label starting with = is no formula)."""
    sheet.append(xlsx_row(sheet, values))


def xlsx(session: Session, poll: Poll, rec: dict) -> bytes:
    """A result sheet and a ballot-box sheet (write-only: rows stream to the file)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ergebnis")
    _append(sheet, [rec["poll"]["title"]])
    _append(sheet, ["Gliederung", rec["poll"]["organisation"]["name"]])
    _append(sheet, ["Zeitraum", f"{local(poll.opens_at)} – {local(poll.closes_at)}"])
    _append(sheet, ["Stimmberechtigte", rec["result"]["electorate"]])
    _append(sheet, ["Abgegebene Stimmen", rec["result"]["ballots"]])
    _append(sheet, ["Beteiligung (%)", rec["result"]["turnout_percent"]])
    _append(
        sheet,
        [
            "Quorum (%)",
            float(rec["poll"]["quorum_percent"]),
            "erreicht" if rec["result"]["quorum_met"] else "nicht erreicht",
        ],
    )
    _append(sheet, ["Regel", rule_line(rec)])
    _append(sheet, ["Ergebnis", rec["outcome_words"]])
    _append(sheet, ["Prüfsumme der Urne", rec["ballot_box_digest"]])
    _append(sheet, ["Prüfsumme der Quittungen", rec["receipts_digest"]])
    _append(sheet, ["Nachzählung stimmt", "ja" if rec["verified"] else "NEIN"])
    _append(sheet, [])
    _append(sheet, count_header(rec))
    for label, count, share in option_rows(rec):
        _append(sheet, [label, count, float(share)])
    if answer_rows(rec):
        _append(sheet, [])
        _append(sheet, ANSWER_HEADER)
        for answers in answer_rows(rec):
            _append(sheet, list(answers))
    if rec["result"]["ranking"]:
        _append(sheet, [])
        _append(sheet, ["Rang", "Option(en)"])
        for place, tier in enumerate(rec["result"]["ranking"], 1):
            _append(sheet, [place, " = ".join(rec["labels"][str(o)] for o in tier)])
    box = book.create_sheet("Urne")
    _append(box, ["Stimmzettel", "Auswahl (Options-Nummern)"])  # the rows: see below
    votes = named_votes(session, poll)
    if votes:
        named = book.create_sheet("Namentlich")
        _append(named, ["Mitgliedsnummer", "Name", "Stimme"])
        for row in votes:
            _append(named, list(row))
    laid_out = io.BytesIO()
    book.save(laid_out)
    return with_rows(
        laid_out, box.path.lstrip("/"), ballot_chunks(session.connection(), poll.id)
    )


def with_rows(workbook: io.BytesIO, part: str, chunks) -> bytes:
    """The workbook with (text, text) rows appended to one sheet's header row.
    openpyxl writes every cell through an element tree (some 8 µs a cell without
    lxml: a minute for a box of 400,000 ballots under the bench), so the box's cells,
    all plain text, go in as SpreadsheetML rows of inline strings, as openpyxl writes
    them, into the sheet part openpyxl laid out."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(workbook) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info.filename, source.read(info))
                continue
            head, tail = source.read(info).decode().split("</sheetData>")
            entry = zipfile.ZipInfo(part, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as sheet:
                sheet.write(head.encode())
                number, last, text = 1, None, ""
                for chunk in chunks:
                    rows = []
                    for first, second in chunk:
                        number += 1
                        if second != last:  # sorted: equal values come together
                            last, text = second, _inline(second)
                        rows.append(
                            f'<row r="{number}"><c r="A{number}" t="inlineStr">'
                            f"{_inline(first)}</c>"
                            f'<c r="B{number}" t="inlineStr">{text}</c></row>'
                        )
                    sheet.write("".join(rows).encode())
                sheet.write(f"</sheetData>{tail}".encode())
    return out.getvalue()


def _inline(value: str) -> str:
    """An inline string as openpyxl writes it; a character XML cannot carry (only a
    changed row could hold one) shows as U+FFFD."""
    if value.isalnum():  # ballot ids, always
        return f"<is><t>{value}</t></is>"
    text = escape(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    if text != text.strip():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


class Protocol(FPDF):
    def header(self):
        self.set_font("dejavu", "B", 9)
        self.cell(
            0,
            6,
            "Niederschrift über das Ergebnis der Mitgliederbefragung",
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def footer(self):
        self.set_y(-12)
        self.set_font("dejavu", "", 8)
        self.cell(0, 6, f"Seite {self.page_no()}/{{nb}}", align="C")


def pdf(session: Session, poll: Poll, rec: dict) -> bytes:
    """A few pages whatever the size of the poll: the box is cited by its digest."""
    doc = Protocol()
    doc.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.set_title(f"Niederschrift: {poll.title}")
    doc.alias_nb_pages()
    doc.add_page()
    r = rec["result"]

    def line(label: str, value: str) -> None:
        doc.set_font("dejavu", "B", 10)
        doc.cell(55, 6, label)
        doc.set_font("dejavu", "", 10)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    doc.set_font("dejavu", "B", 15)
    doc.multi_cell(0, 8, poll.title, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    line("Gliederung", poll.organisation.name)
    line("Art", ("geheime" if poll.secret else "namentliche") + " Abstimmung")
    line("Zeitraum", f"{local(poll.opens_at)} bis {local(poll.closes_at)} Uhr")
    line(
        "Stimmberechtigte",
        f"{r['electorate']} (Verzeichnis-Prüfsumme {rec['electorate']['hash']})",
    )
    line(
        "Abgegebene Stimmen",
        f"{r['ballots']} ({r['turnout_percent']} %), davon leer: {r['blank']}",
    )
    line("Regel", rule_line(rec))
    line("Quorum", "erreicht" if r["quorum_met"] else "nicht erreicht")
    doc.ln(2)
    doc.set_font("dejavu", "B", 12)
    doc.multi_cell(
        0, 7, f"Ergebnis: {rec['outcome_words']}", new_x="LMARGIN", new_y="NEXT"
    )
    doc.ln(1)
    doc.set_font("dejavu", "B", 10)
    doc.cell(110, 6, "Option")
    doc.cell(
        30,
        6,
        "Erstpräf."
        if rec["poll"]["kind"] == "ranked"
        else "Ja"
        if answer_rows(rec)
        else "Stimmen",
        align="R",
    )
    doc.cell(30, 6, "Anteil", align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("dejavu", "", 10)
    for label, count, share in option_rows(rec):
        doc.cell(110, 6, label[:70])
        doc.cell(30, 6, str(count), align="R")
        doc.cell(
            30,
            6,
            f"{share.replace('.', ',')} %",
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if answer_rows(rec):
        doc.ln(2)
        doc.set_font("dejavu", "B", 10)
        doc.cell(
            0, 6, "Ja, Nein und Enthaltung je Option", new_x="LMARGIN", new_y="NEXT"
        )
        doc.set_font("dejavu", "", 10)
        for label, yes, no, abstain in answer_rows(rec):
            doc.multi_cell(
                0,
                6,
                f"{label[:70]}: {yes} Ja, {no} Nein, {abstain} Enthaltung",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    if r["ranking"]:
        doc.ln(2)
        doc.set_font("dejavu", "B", 10)
        heading = (
            "Rangfolge nach Ja-Stimmen"
            if answer_rows(rec)
            else "Rangfolge (Schulze-Methode)"
        )
        doc.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("dejavu", "", 10)
        for place, tier in enumerate(r["ranking"], 1):
            names = " = ".join(rec["labels"][str(o)] for o in tier)
            doc.multi_cell(0, 6, f"{place}. {names}", new_x="LMARGIN", new_y="NEXT")
        if r["lot_used"]:
            order = ", ".join(rec["labels"][str(o)] for o in r["order"])
            doc.multi_cell(
                0,
                6,
                f"Gleichstand entschieden durch Los aus der "
                f"Prüfsumme der Urne: {order}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    doc.ln(3)
    doc.set_font("dejavu", "", 9)
    doc.multi_cell(
        0,
        5,
        f"Prüfsumme der Urne (SHA-256): {rec['ballot_box_digest']}\n"
        f"Prüfsumme der Quittungen (SHA-256): "
        f"{rec['receipts_digest']}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("dejavu", "B", 10)
    doc.multi_cell(
        0,
        6,
        "Nachzählung aus der gespeicherten Urne: stimmt überein."
        if rec["verified"]
        else "ACHTUNG: Die Nachzählung stimmt NICHT mit dem veröffentlichten "
        "Ergebnis überein. Diese Niederschrift ist nicht bestätigt.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("dejavu", "", 9)
    doc.multi_cell(
        0,
        5,
        f"Erstellt am {local_iso(rec['exported_at'])} von "
        f"{rec['exported_by']['name']}. Die Stimmzettel sind in der "
        f"Urne mit obiger Prüfsumme veröffentlicht.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    votes = named_votes(session, poll)
    if votes:
        doc.ln(2)
        doc.set_font("dejavu", "B", 10)
        doc.cell(0, 6, "Namentliche Stimmabgabe", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("dejavu", "", 9)
        for number, name, vote in votes:
            doc.multi_cell(
                0, 5, f"{number}  {name}: {vote}", new_x="LMARGIN", new_y="NEXT"
            )
    doc.ln(14)
    y = doc.get_y()
    for x, title in ((20, "Versammlungsleitung"), (115, "Protokollführung")):
        doc.line(x, y, x + 75, y)
        doc.set_xy(x, y + 1)
        doc.cell(75, 5, f"{title} (Ort, Datum, Unterschrift)")
    return bytes(doc.output())


def local_iso(value: str) -> str:
    return local(datetime.fromisoformat(value))
