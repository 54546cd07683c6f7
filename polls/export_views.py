"""Downloads of a closed poll's record for the board (web and API), audit-logged."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from models import Member, Organisation, Poll, RoleName
from ortsverein import audit
from ortsverein.api import ApiError, token_required
from ortsverein.auth.decorators import member_required
from ortsverein.db import db
from ortsverein.errors import NotFound
from ortsverein.i18n import _
from ortsverein.local_time import BERLIN
from ortsverein.permissions import has_role, orgs_with_role, subtree_clause
from ortsverein.spreadsheets import csv_row, xlsx_row
from ortsverein.web import back_to

from . import bp, calendar, documents, exports
from .api import bp as api_bp
from .lifecycle import ensure_current
from .records import require_counted, stored_result
from .state import CLOSED, status
from .visibility import get_poll

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def board_poll(member: Member, poll_id: int) -> Poll:
    """A poll whose organisation (or an ancestor) has the member on its board."""
    try:
        poll = get_poll(db.session, member, poll_id)
    except NotFound:
        abort(404)
    if not has_role(member, poll.organisation, RoleName.BOARD):
        abort(404)
    ensure_current(db.session, poll)
    return poll


def _download(body, mimetype: str, filename: str) -> Response:
    """A file to save under a German name (ASCII and UTF-8 forms, RFC 6266)."""
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


# German file names: what a board member finds again in the downloads folder.
FILE_NAMES = {
    "pdf": "Niederschrift-Abstimmung-{id}.pdf",
    "csv": "Abstimmung-{id}-Ergebnis.csv",
    "xlsx": "Abstimmung-{id}-Ergebnis.xlsx",
    "json": "Abstimmung-{id}-Ergebnis-und-Urne.json",
    "ballots.csv": "Abstimmung-{id}-Urne.csv",
    "receipts.csv": "Abstimmung-{id}-Quittungen.csv",
}


def render_export(member: Member, poll: Poll, fmt: str) -> Response:
    """Build one format; every export writes an audit entry (who, what, when)."""
    delimiter = "," if request.args.get("delimiter") == "comma" else ";"
    filename = FILE_NAMES[fmt].format(id=poll.id)
    if fmt in ("ballots.csv", "receipts.csv"):
        body = (
            exports.ballots_csv(db.session, poll, delimiter)
            if fmt == "ballots.csv"
            else exports.receipts_csv(db.session, poll)
        )
        audit.record(
            db.session,
            member,
            "poll.exported",
            organisation=poll.organisation,
            target=poll,
            format=fmt,
        )
        db.session.commit()
        return _download(body, FORMATS["csv"], filename)
    rec = exports.record(db.session, poll, member)
    audit.record(
        db.session,
        member,
        "poll.exported",
        organisation=poll.organisation,
        target=poll,
        format=fmt,
        verified=rec["verified"],
    )
    db.session.commit()
    if fmt == "csv":
        return _download(exports.result_csv(rec, delimiter), FORMATS["csv"], filename)
    if fmt == "json":
        return _download(
            exports.record_json(db.session, poll, rec), FORMATS["json"], filename
        )
    if fmt == "xlsx":
        return _download(
            documents.xlsx(db.session, poll, rec), FORMATS["xlsx"], filename
        )
    return _download(
        documents.pdf(db.session, poll, rec),
        FORMATS["pdf"],
        filename,
    )


EXPORTS = ("csv", "json", "xlsx", "pdf", "ballots.csv", "receipts.csv")


@bp.route("/<int:poll_id>/export.<path:fmt>")
@member_required
def export(poll_id: int, fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    poll = board_poll(current_user, poll_id)
    if status(poll) != CLOSED:
        flash(_("Exporte gibt es erst nach dem Ende der Abstimmung."), "info")
        return redirect(url_for("polls.detail", poll_id=poll.id))
    back_to(url_for("polls.detail", poll_id=poll.id))
    require_counted(poll)
    return render_export(current_user, poll, fmt)


@api_bp.route("/polls/<int:poll_id>/export.<fmt>")
@token_required
def api_export(poll_id: int, fmt: str):
    """The result record of a closed poll (board members).
    ---
    get:
      summary: Download the result record as csv, json, xlsx or pdf (board only)
      tags: [polls]
      parameters:
        - {in: path, name: poll_id, required: true, schema: {type: integer}}
        - {in: path, name: fmt, required: true,
           schema: {type: string, enum: [csv, json, xlsx, pdf]}}
      responses:
        200:
          description: The record as a file, in the format asked for
          content:
            text/csv: {schema: {type: string}}
            application/json: {schema: {type: object}}
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
              {schema: {type: string, format: binary}}
            application/pdf: {schema: {type: string, format: binary}}
        404: {description: "Unknown poll, not visible, or not on its board"}
        409: {description: "poll_not_closed, or poll_not_counted"}
    """
    if fmt not in FORMATS:
        raise ApiError(404, "not_found", "unknown export format")
    poll = board_poll(g.api_member, poll_id)  # its 404 is JSON under /api/
    if status(poll) != CLOSED:
        raise ApiError(409, "poll_not_closed", "exports exist once the poll has closed")
    require_counted(poll)
    return render_export(g.api_member, poll, fmt)


def _period() -> tuple[date, date]:
    def parse(name: str, default: date) -> date:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return default

    today = datetime.now(BERLIN).date()  # the branch's day, not the server's
    return parse("from", date(today.year, 1, 1)), parse("to", today)


@bp.route("/report")
@member_required
def report():
    """The board's list of closed polls in a period, exportable as one file."""
    orgs = orgs_with_role(current_user, RoleName.BOARD)
    if not orgs:
        abort(404)
    start, end = _period()
    since = datetime.combine(start, time.min, BERLIN)
    until = datetime.combine(end, time.max, BERLIN)
    polls = db.session.scalars(
        select(Poll)
        .join(Organisation, Poll.organisation_id == Organisation.id)
        .where(
            subtree_clause(orgs),
            Poll.scheduled.is_(True),
            Poll.closes_at >= since,
            Poll.closes_at <= until,
            Poll.closes_at <= datetime.now(BERLIN),
        )
        .order_by(Poll.closes_at)
    ).all()
    rows = []
    for poll in polls:
        ensure_current(db.session, poll)
        result = stored_result(poll) or {}
        outcome = result.get("outcome")  # none for a poll not counted
        words = exports.OUTCOME_WORDS.get(outcome, "") if outcome is not None else ""
        rows.append((poll, result, words))
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        audit.record(
            db.session,
            current_user,
            "polls.report_exported",
            format=fmt,
            start=start.isoformat(),
            end=end.isoformat(),
            polls=len(rows),
        )
        db.session.commit()
        return report_file(rows, fmt, start, end)
    return render_template("polls/report.html", rows=rows, start=start, end=end)


def report_file(rows, fmt: str, start: date, end: date) -> Response:
    header = [
        "Nr.",
        "Gliederung",
        "Frage",
        "Ende",
        "Stimmberechtigte",
        "Stimmen",
        "Beteiligung (%)",
        "Quorum erreicht",
        "Regel",
        "Ergebnis",
        "Prüfsumme der Urne",
        "Prüfsumme der Quittungen",
    ]
    data = [
        [
            p.id,
            p.organisation.name,
            p.title,
            exports.local(p.closes_at),
            r.get("electorate"),
            r.get("ballots"),
            r.get("turnout_percent"),
            "ja" if r.get("quorum_met") else "nein",
            exports.rule_words(
                p.kind.value,
                p.majority.value,
                p.rule_name,
                p.statute_reference,
                p.quorum_percent,
            ),
            words,
            p.ballot_digest,
            p.receipts_digest,
        ]
        for p, r, words in rows
    ]
    name = f"Abstimmungen-{start.isoformat()}-bis-{end.isoformat()}"
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(csv_row(row) for row in data)
        return _download(out.getvalue(), FORMATS["csv"], f"{name}.csv")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Abstimmungen")
    sheet.append(header)
    for row in data:
        sheet.append(xlsx_row(sheet, row))
    binary = io.BytesIO()
    book.save(binary)
    return _download(binary.getvalue(), FORMATS["xlsx"], f"{name}.xlsx")


@bp.route("/<int:poll_id>/calendar.ics")
@member_required
def calendar_file(poll_id: int):
    """The poll's opening and closing for a calendar, for anyone who may see it."""
    try:
        poll = get_poll(db.session, current_user, poll_id)
    except NotFound:
        abort(404)
    body = calendar.poll_ics(poll, current_app.config["BASE_URL"])
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="abstimmung-{poll.id}.ics"'
        },
    )
