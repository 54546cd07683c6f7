"""Downloads of an election's record for its board and organisers: the
Wahlprotokoll as PDF and the result per candidate per round as CSV or XLSX,
under German file names, on the page and in the API; every download is
audit-logged; others get a 404."""

from __future__ import annotations

from flask import Response, abort, g, request
from flask_login import current_user

from models import Election, Member
from ortsverein import audit
from ortsverein.api import ApiError, token_required
from ortsverein.auth.decorators import member_required
from ortsverein.db import db, write_intent
from ortsverein.errors import NotFound
from ortsverein.web import load

from . import bp, exports, protocol, protocol_pdf, services
from .api import bp as api_bp

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What a board member finds again in the downloads folder.
FILE_NAMES = {
    "pdf": "Wahlprotokoll-Wahl-{id}.pdf",
    "csv": "Wahl-{id}-Ergebnis.csv",
    "xlsx": "Wahl-{id}-Ergebnis.xlsx",
}


def render_export(member: Member, election: Election, fmt: str) -> Response:
    """Build one format; every download writes an audit entry (who, what, when)."""
    services.refresh(db.session, election)
    rec = protocol.record(db.session, election, member)
    if fmt == "pdf":
        body: bytes | str = protocol_pdf.as_pdf(rec)
    elif fmt == "xlsx":
        body = exports.result_xlsx(rec)
    else:
        delimiter = "," if request.args.get("delimiter") == "comma" else ";"
        body = exports.result_csv(rec, delimiter)
    # A GET reads in a plain transaction; the audit entry is written in one of
    # its own that takes the write lock up front (BEGIN IMMEDIATE on SQLite).
    db.session.rollback()
    with write_intent():
        audit.record(
            db.session,
            member,
            "election.exported",
            organisation=election.organisation,
            target=election,
            format=fmt,
        )
        db.session.commit()
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers.set(
        "Content-Disposition",
        "attachment",
        filename=FILE_NAMES[fmt].format(id=election.id),
    )
    return response


@bp.route("/<int:election_id>/export.<any(pdf,csv,xlsx):fmt>")
@member_required
def export(election_id: int, fmt: str):
    election = load(services.get_election, election_id)
    if not protocol.may_download(current_user, election):
        abort(404)
    return render_export(current_user, election, fmt)


@api_bp.route("/elections/<int:election_id>/export.<fmt>")
@token_required
def api_export(election_id: int, fmt: str):
    """The election's record (board and organisers).
    ---
    get:
      summary: Download the Wahlprotokoll (pdf) or the result per round (csv, xlsx)
      tags: [elections]
      parameters:
        - {in: path, name: election_id, required: true, schema: {type: integer}}
        - {in: path, name: fmt, required: true,
           schema: {type: string, enum: [pdf, csv, xlsx]}}
      responses:
        200:
          description: The record as a file, in the format asked for
          content:
            application/pdf: {schema: {type: string, format: binary}}
            text/csv: {schema: {type: string}}
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
              {schema: {type: string, format: binary}}
        404: {description: "Unknown election, not visible, or not its board/organiser"}
    """
    if fmt not in FORMATS:
        raise ApiError(404, "not_found", "unknown export format")
    try:
        election = services.get_election(db.session, g.api_member, election_id)
    except NotFound:
        raise ApiError(404, "not_found", "no such election") from None
    if not protocol.may_download(g.api_member, election):
        raise ApiError(404, "not_found", "no such election")
    return render_export(g.api_member, election, fmt)
