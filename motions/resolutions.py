"""The resolutions book (Beschlussbuch): an organisation's adopted motions, newest
decision first, found by topic (category name) and year of adoption, and the
motion committee's overview of them as CSV, XLSX and ODS. Reached through
motions.services."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
from odf.table import Table, TableCell, TableRow  # type: ignore[import-untyped]
from odf.text import P  # type: ignore[import-untyped]
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Member,
    Motion,
    MotionAmendment,
    MotionBook,
    MotionCategory,
    MotionStatus,
    MotionStatusChange,
    MotionSubmitter,
    Organisation,
)
from ortsverein import audit
from ortsverein.i18n import _
from ortsverein.pagination import Page, paginate
from ortsverein.spreadsheets import csv_row, xlsx_row

from .labels import status_text

# The year of a decision is the branch's year, not UTC's.
ZONE = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Filters:
    category: str = ""  # a category name, across the organisation's books
    year: int | None = None


def _adopted_at():
    return (
        select(func.max(MotionStatusChange.created_at))
        .where(
            MotionStatusChange.motion_id == Motion.id,
            MotionStatusChange.to_status == MotionStatus.ADOPTED,
        )
        .correlate(Motion)
        .scalar_subquery()
    )


def _statement(org: Organisation, filters: Filters):
    adopted_at = _adopted_at()
    stmt = (
        select(Motion)
        .join(MotionBook, Motion.book_id == MotionBook.id)
        .where(
            MotionBook.organisation_id == org.id,
            Motion.status == MotionStatus.ADOPTED,
        )
        .options(
            joinedload(Motion.book),
            joinedload(Motion.category),
            joinedload(Motion.on_behalf_of),
            selectinload(Motion.submitters).joinedload(MotionSubmitter.member),
            selectinload(Motion.history),
        )
        .order_by(adopted_at.desc(), Motion.id.desc())
    )
    if filters.category:
        stmt = stmt.join(MotionCategory, Motion.category_id == MotionCategory.id).where(
            func.lower(MotionCategory.name) == filters.category.casefold()
        )
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=ZONE)
        end = datetime(filters.year + 1, 1, 1, tzinfo=ZONE)
        stmt = stmt.where(adopted_at >= start, adopted_at < end)
    return stmt


def adopted_at(motion: Motion) -> datetime | None:
    """When the motion was adopted (its last step to "beschlossen")."""
    moments = [
        h.created_at for h in motion.history if h.to_status == MotionStatus.ADOPTED
    ]
    return max(moments) if moments else None


def search(
    session: Session,
    org: Organisation,
    filters: Filters,
    *,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """A page of the organisation's adopted motions matching the filters."""
    return paginate(session, _statement(org, filters), page, per_page)


def choices(session: Session, org: Organisation) -> tuple[list[str], list[int]]:
    """The topics of the organisation's books and the years with decisions, for
    the search form."""
    names = session.scalars(
        select(MotionCategory.name)
        .join(MotionBook, MotionCategory.book_id == MotionBook.id)
        .where(MotionBook.organisation_id == org.id)
        .distinct()
    )
    moments = session.scalars(
        select(MotionStatusChange.created_at)
        .join(Motion, MotionStatusChange.motion_id == Motion.id)
        .join(MotionBook, Motion.book_id == MotionBook.id)
        .where(
            MotionBook.organisation_id == org.id,
            MotionStatusChange.to_status == MotionStatus.ADOPTED,
        )
    )
    years = {m.astimezone(ZONE).year for m in moments}
    return sorted(set(names), key=str.casefold), sorted(years, reverse=True)


def amendment_counts(session: Session, motion_ids: list[int]) -> dict[int, int]:
    if not motion_ids:
        return {}
    rows = session.execute(
        select(MotionAmendment.motion_id, func.count())
        .where(MotionAmendment.motion_id.in_(motion_ids))
        .group_by(MotionAmendment.motion_id)
    )
    return {motion_id: count for motion_id, count in rows}


def _submitters(motion: Motion) -> str:
    names = ", ".join(s.member.name for s in motion.submitters)
    if motion.on_behalf_of is not None:
        return _("Vorstand %(org)s", org=motion.on_behalf_of.name) + f" ({names})"
    if motion.working_group:
        return f"{motion.working_group} ({names})"
    return names


def overview_rows(session: Session, org: Organisation, filters: Filters) -> list[list]:
    """The committee's overview: a header, then one row per adopted motion."""
    motions = list(session.scalars(_statement(org, filters)).unique())
    counts = amendment_counts(session, [m.id for m in motions])
    rows: list[list] = [
        [
            _("Nummer"),
            _("Antragsbuch"),
            _("Titel"),
            _("Antragsteller"),
            _("Sachgebiet"),
            _("Status"),
            _("Beschlossen am"),
            _("Unterstützungen"),
            _("Änderungsanträge"),
        ]
    ]
    for motion in motions:
        when = adopted_at(motion)
        rows.append(
            [
                motion.number,
                motion.book.title,
                motion.title,
                _submitters(motion),
                motion.category.name if motion.category else "",
                status_text(motion),
                when.astimezone(ZONE).date().isoformat() if when else "",
                motion.supporter_count,
                counts.get(motion.id, 0),
            ]
        )
    return rows


def ods_body(rows: list[list], sheet_name: str) -> bytes:
    """The rows as an OpenDocument spreadsheet (LibreOffice's own format): text as
    string cells, which never run as formulas, numbers as numbers."""
    document = OpenDocumentSpreadsheet()
    table = Table(name=sheet_name)
    for values in rows:
        row = TableRow()
        for value in values:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
            else:
                value = "" if value is None else str(value)
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def export(
    session: Session,
    member: Member,
    org: Organisation,
    filters: Filters,
    fmt: str,
) -> bytes:
    """The overview as CSV (semicolons, as German spreadsheet programs read it),
    XLSX or ODS; formulas are never written; each export is audit-logged."""
    rows = overview_rows(session, org, filters)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        for row in rows:
            writer.writerow(csv_row(row))
        body = ("\ufeff" + out.getvalue()).encode("utf-8")
    elif fmt == "ods":
        body = ods_body(rows, str(_("Beschlussbuch")))
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(_("Beschlussbuch"))[:31])
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    audit.record(
        session,
        member,
        "motion.resolutions_exported",
        organisation=org,
        format=fmt,
        rows=len(rows) - 1,
    )
    session.commit()
    return body
