"""Reading a membership list: CSV dialect and headers, and the checks of a single
row that need no database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

from email_validator import EmailNotValidError, validate_email

from ..i18n import _

FIELDS = ("membership_number", "first_name", "last_name", "email", "branch")
HEADER_ALIASES = {
    "membership_number": {
        "membership_number",
        "mitgliedsnummer",
        "nummer",
        "number",
        "mitgliedsnr",
        "membership number",
    },
    "first_name": {"first_name", "vorname", "first name"},
    "last_name": {"last_name", "nachname", "last name"},
    "email": {"email", "e-mail", "e_mail", "mail", "e-mail-adresse"},
    "branch": {"branch", "branch_slug", "ortsverein", "gliederung", "slug"},
}
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header)."""


def decode(data: bytes | str) -> str:
    """The text of an uploaded CSV: UTF-8 with or without BOM, or a clear error."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Die Datei ist nicht UTF-8-kodiert. Speichere sie als „CSV UTF-8“.")
        ) from None


def _missing_members_columns(cols: str) -> str:
    return _(
        "Der Kopfzeile fehlen die Spalten: %(cols)s. Erwartet werden "
        "Mitgliedsnummer, Vorname, Nachname, E-Mail und Gliederung (Kürzel).",
        cols=cols,
    )


def sniff_delimiter(text: str) -> str:
    """';' (a German spreadsheet's CSV) or ',' by which the header line has more of."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_table(
    data: bytes | str,
    fields: tuple[str, ...],
    aliases: dict[str, set[str]],
    missing_columns: Callable[[str], str],
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {field: value}) from an uploaded CSV: UTF-8 with or
    without BOM, ',' or ';' as delimiter, columns found by any of their header
    names (case-insensitive, in any order), empty lines skipped. A file that cannot
    be read at all raises ImportFileError; `missing_columns(names)` says which
    header columns are missing. The member register and the organisation tree are
    both read this way."""
    text = decode(data)
    if not text.strip():
        raise ImportFileError(_("Die Datei ist leer."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = next(reader)
    except csv.Error as err:
        raise ImportFileError(
            _("Die Datei ist kein lesbares CSV: %(e)s", e=err)
        ) from None
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for fieldname, names in aliases.items():
            if key in names and fieldname not in positions:
                positions[fieldname] = index
    missing = [f for f in fields if f not in positions]
    if missing:
        raise ImportFileError(missing_columns(", ".join(missing)))
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            yield (
                reader.line_num,
                {
                    f: (row[positions[f]].strip() if positions[f] < len(row) else "")
                    for f in fields
                },
            )
    except csv.Error as err:
        raise ImportFileError(
            _(
                "Zeile %(line)d ist kein gültiges CSV: %(e)s",
                line=reader.line_num,
                e=err,
            )
        ) from None


def read_rows(data: bytes | str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {field: value}) of a membership list."""
    return read_table(data, FIELDS, HEADER_ALIASES, _missing_members_columns)


def check_row(values: dict) -> str | None:
    """A row needs every field, no control characters, a valid number and address."""
    if any(ch < " " or ch == "\x7f" for value in values.values() for ch in value):
        return _("Die Zeile enthält Steuerzeichen.")
    for fieldname, label in (
        ("membership_number", _("Mitgliedsnummer")),
        ("first_name", _("Vorname")),
        ("last_name", _("Nachname")),
        ("email", _("E-Mail")),
        ("branch", _("Gliederung")),
    ):
        if not values[fieldname]:
            return _("%(field)s fehlt.", field=label)
    if not NUMBER_RE.match(values["membership_number"]):
        return _(
            "Die Mitgliedsnummer „%(n)s“ ist ungültig (nur Buchstaben, Ziffern und "
            "Bindestrich, höchstens 40 Zeichen).",
            n=values["membership_number"][:50],
        )
    if len(values["first_name"]) > 100 or len(values["last_name"]) > 100:
        return _("Der Name ist länger als 100 Zeichen.")
    try:
        values["email"] = validate_email(
            values["email"], check_deliverability=False
        ).normalized.lower()
    except EmailNotValidError:
        return _("„%(e)s“ ist keine gültige E-Mail-Adresse.", e=values["email"][:100])
    return None
