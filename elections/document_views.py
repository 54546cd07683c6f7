"""Downloads of an election's record for its board and organisers: the
Wahlprotokoll as PDF and the result per candidate per round as CSV or XLSX,
under German file names; every download is audit-logged; others get a 404."""

from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from ortsverein import audit
from ortsverein.auth.decorators import member_required
from ortsverein.db import db, write_intent
from ortsverein.web import load

from . import bp, exports, protocol, protocol_pdf, services

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


@bp.route("/<int:election_id>/export.<any(pdf,csv,xlsx):fmt>")
@member_required
def export(election_id: int, fmt: str):
    election = load(services.get_election, election_id)
    if not protocol.may_download(current_user, election):
        abort(404)
    services.refresh(db.session, election)
    rec = protocol.record(db.session, election, current_user)
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
            current_user,
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
