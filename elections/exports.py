"""The result of an election per candidate per round as CSV and XLSX, as polls
export theirs: German headers, ';' with a BOM for German spreadsheet programs,
and member-written text (names) never read as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook

from ortsverein.spreadsheets import csv_row, xlsx_row

HEADER = [
    "Wahlgang",
    "Bewerbung",
    "Stimmen",
    "Ja",
    "Nein",
    "Enthaltung",
    "am Ende der Auszählung",
    "gewählt",
    "Sitz über die Quote",
    "Stimmberechtigte",
    "Abgegebene Stimmzettel",
    "Prüfsumme der Urne",
]


def _number(value: str) -> Any:
    """A count as a number for the spreadsheet ("3" -> 3, "2.5" -> 2.5)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    return int(number) if number == number.to_integral() else float(number)


def rows(rec: dict[str, Any]) -> list[list[Any]]:
    """One row per candidate on each round's ballot."""
    out: list[list[Any]] = []
    for rnd in rec["rounds"]:
        for row in rnd.rows:
            out.append(
                [
                    rnd.number,
                    row.name,
                    "" if row.yes is not None else _number(row.votes),
                    "" if row.yes is None else row.yes,
                    "" if row.no is None else row.no,
                    "" if row.abstain is None else row.abstain,
                    _number(row.final) if row.final else "",
                    "ja" if row.elected else "nein",
                    "ja" if row.by_quota else "nein",
                    "" if rnd.electorate is None else rnd.electorate,
                    "" if rnd.ballots is None else rnd.ballots,
                    rnd.digest,
                ]
            )
    return out


def _title(rec: dict[str, Any]) -> list[str]:
    return [rec["title"], rec["organisation"], rec["office"]]


def result_csv(rec: dict[str, Any], delimiter: str = ";") -> str:
    out = io.StringIO()
    if delimiter == ";":
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(csv_row(_title(rec)))
    writer.writerow(HEADER)
    for row in rows(rec):
        writer.writerow(csv_row(row))
    return out.getvalue()


def result_xlsx(rec: dict[str, Any]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ergebnis")
    sheet.append(xlsx_row(sheet, _title(rec)))
    sheet.append(xlsx_row(sheet, HEADER))
    for row in rows(rec):
        sheet.append(xlsx_row(sheet, row))
    elected = book.create_sheet("Gewählt")
    elected.append(
        xlsx_row(
            elected,
            ["Platz", "Name", "Wahlgang", "Quote", "Annahme", "am", "festgehalten von"],
        )
    )
    for seat in rec["elected"]:
        elected.append(
            xlsx_row(
                elected,
                [
                    seat["position"],
                    seat["name"],
                    seat["round"],
                    "ja" if seat["by_quota"] else "nein",
                    seat["acceptance"],
                    seat["acceptance_at"],
                    seat["recorded_by"],
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
