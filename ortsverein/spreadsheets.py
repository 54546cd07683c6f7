"""Cells that a spreadsheet program shows as text, never runs: member-written text
(poll titles, option labels, names) reaches CSV and XLSX exports, and a cell that
starts with = + - @ (or a tab or carriage return) would be a formula there."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """Text that would start a formula gets a leading apostrophe, as spreadsheet
    programs show it (OWASP's advice for CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_cell(v) for v in values]


def xlsx_row(sheet, values: Iterable) -> list:
    """A row for a write-only sheet: text as text cells (openpyxl would store text
    starting with = as a formula), numbers as numbers."""
    row = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
