"""Membership-list import: every row is checked first; nothing is written unless all
rows are good. Re-importing updates members by membership number."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from models import Member, Organisation, Role, utcnow

from .. import audit
from ..greenlets import pause
from ..i18n import _
from ..permissions import can_manage_office, in_subtree

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
CHUNK = 900  # ids per IN (...) query; below SQLite's parameter limit


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportPlan:
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return len(self.creates) + len(self.updates) + self.unchanged + len(self.errors)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Die Datei ist nicht UTF-8-kodiert. Speichere sie als „CSV UTF-8“.")
        ) from None


def _header_map(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for fieldname, aliases in HEADER_ALIASES.items():
            if key in aliases and fieldname not in positions:
                positions[fieldname] = index
    missing = [f for f in FIELDS if f not in positions]
    if missing:
        raise ImportFileError(
            _(
                "Der Kopfzeile fehlen die Spalten: %(cols)s. Erwartet werden "
                "Mitgliedsnummer, Vorname, Nachname, E-Mail und Gliederung (Kürzel).",
                cols=", ".join(missing),
            )
        )
    return positions


def read_rows(data: bytes | str):
    """Yield (line number, {field: value}) from a CSV with ',' or ';' as delimiter."""
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(_("Die Datei ist leer."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as err:
        raise ImportFileError(
            _("Die Datei ist kein lesbares CSV: %(e)s", e=err)
        ) from None
    positions = _header_map(header)
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values = {
                f: (row[positions[f]].strip() if positions[f] < len(row) else "")
                for f in FIELDS
            }
            yield reader.line_num, values
    except csv.Error as err:
        raise ImportFileError(
            _(
                "Zeile %(line)d ist kein gültiges CSV: %(e)s",
                line=reader.line_num,
                e=err,
            )
        ) from None


def _check_row(values: dict) -> str | None:
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


def _existing(session: Session, column, keys: list[str]) -> dict[str, tuple]:
    found = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = session.execute(
            select(
                Member.membership_number,
                Member.id,
                Member.email,
                Member.first_name,
                Member.last_name,
                Member.home_branch_id,
                Member.password_hash.is_not(None).label("activated"),
            ).where(column.in_(chunk))
        ).all()
        for row in rows:
            found[
                row.membership_number
                if column is Member.membership_number
                else row.email
            ] = row
    return found


def _may_update(session: Session, actor: Member, member_id: int) -> bool:
    """The actor's authority covers every office the member holds."""
    offices = session.execute(
        select(Role.role, Organisation)
        .join(Organisation, Role.organisation_id == Organisation.id)
        .where(Role.member_id == member_id)
    ).all()
    return all(can_manage_office(actor, org, role) for role, org in offices)


def plan_import(
    session: Session, data: bytes | str, scope: Organisation, actor: Member | None
) -> ImportPlan:
    """Check every row against the file and the database; write nothing.
    With an actor (a board member in the browser) an import never changes the email
    of an activated account, never touches a member holding an office beyond the
    actor's authority, and names nothing about members outside the actor's area.
    Without one (the operator's command line) only the scope applies."""
    plan = ImportPlan()
    rows: list[tuple[int, dict]] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    orgs = {
        o.slug: o
        for o in session.scalars(
            select(Organisation).where(Organisation.path.startswith(scope.path))
        )
    }
    for line, values in read_rows(data):
        pause(line)  # a file of 100,000 rows must not freeze every socket (gevent)
        reason = _check_row(values)
        if reason is None and values["branch"] not in orgs:
            reason = _(
                "Die Gliederung „%(slug)s“ gibt es in %(scope)s nicht.",
                slug=values["branch"][:100],
                scope=scope.name,
            )
        if reason is None and values["membership_number"] in seen_numbers:
            reason = _(
                "Die Mitgliedsnummer steht schon in Zeile %(line)d.",
                line=seen_numbers[values["membership_number"]],
            )
        if reason is None and values["email"] in seen_emails:
            reason = _(
                "Die E-Mail-Adresse steht schon in Zeile %(line)d.",
                line=seen_emails[values["email"]],
            )
        if reason is not None:
            plan.errors.append(RowError(line, reason))
            continue
        seen_numbers[values["membership_number"]] = line
        seen_emails[values["email"]] = line
        rows.append((line, values))

    by_number = _existing(session, Member.membership_number, list(seen_numbers))
    by_email = _existing(session, Member.email, list(seen_emails))
    now = utcnow()
    for line, values in rows:
        pause(line)
        branch = orgs[values["branch"]]
        current = by_number.get(values["membership_number"])
        holder = by_email.get(values["email"])
        if (
            holder is not None
            and holder.membership_number != values["membership_number"]
        ):
            holder_branch = session.get(Organisation, holder.home_branch_id)
            if in_subtree(holder_branch, scope):
                reason = _(
                    "Die E-Mail-Adresse gehört schon dem Mitglied %(n)s.",
                    n=holder.membership_number,
                )
            else:  # say nothing about who holds it elsewhere in the party
                reason = _("Die E-Mail-Adresse ist bereits vergeben.")
            plan.errors.append(RowError(line, reason))
            continue
        record = {
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "email": values["email"],
            "home_branch_id": branch.id,
        }
        if current is None:
            record.update(
                membership_number=values["membership_number"],
                active=True,
                session_version=1,
                totp_enabled=False,
                created_at=now,
                updated_at=now,
            )
            plan.creates.append(record)
            continue
        current_branch = session.get(Organisation, current.home_branch_id)
        if not in_subtree(current_branch, scope) or (
            actor is not None and not _may_update(session, actor, current.id)
        ):
            plan.errors.append(
                RowError(
                    line,
                    _(
                        "Die Mitgliedsnummer %(n)s ist bereits vergeben und liegt "
                        "außerhalb deines Bereichs.",
                        n=values["membership_number"],
                    ),
                )
            )
            continue
        if actor is not None and current.activated and current.email != values["email"]:
            plan.errors.append(
                RowError(
                    line,
                    _(
                        "Das Mitglied %(n)s hat seinen Zugang schon eingerichtet; "
                        "seine E-Mail-Adresse wird nicht per Import geändert.",
                        n=values["membership_number"],
                    ),
                )
            )
            continue
        if (
            current.first_name,
            current.last_name,
            current.email,
            current.home_branch_id,
        ) == tuple(record.values()):
            plan.unchanged += 1
        else:
            plan.updates.append({"id": current.id, "updated_at": now, **record})
    plan.errors.sort(key=lambda e: e.line)
    return plan


def apply_import(
    session: Session,
    plan: ImportPlan,
    actor: Member | None,
    scope: Organisation,
    source: str,
) -> list[str]:
    """Write a checked plan in one transaction; returns the new membership numbers."""
    if not plan.ok:
        raise ValueError("an import with bad rows must not be applied")
    for start in range(0, len(plan.creates), 5000):
        session.execute(insert(Member), plan.creates[start : start + 5000])
    for start in range(0, len(plan.updates), 5000):
        session.execute(update(Member), plan.updates[start : start + 5000])
    if len(plan.creates) > 1000 and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics after a bulk load: without them the planner keeps
        # seq-scanning the grown table for the next import's look-ups.
        session.execute(text("ANALYZE members"))
    audit.record(
        session,
        actor,
        "members.imported",
        organisation=scope,
        source=source,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
    )
    session.commit()
    return [c["membership_number"] for c in plan.creates]
