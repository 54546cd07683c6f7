"""Downloads for a meeting: the minutes for the board (audit-logged), the calendar
entry for members; and the organisers' button that sends the invitations."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_login import current_user

from models import Meeting
from ortsverein import audit
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db, write_intent
from ortsverein.i18n import _
from ortsverein.web import back_to, load

from . import bp, invitations, minutes
from .access import can_organise, get_meeting

MINUTES = {
    "md": ("text/markdown; charset=utf-8", minutes.as_markdown),
    "json": ("application/json", minutes.as_json),
    "pdf": ("application/pdf", minutes.as_pdf),
}


def _meeting(meeting_id: int) -> Meeting:
    return load(get_meeting, meeting_id)


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<int:meeting_id>/minutes.<any(md,json,pdf):fmt>")
@member_required
def minutes_download(meeting_id: int, fmt: str):
    """The minutes of an ended meeting, for its board; every download is audited."""
    meeting = _meeting(meeting_id)
    try:
        rec = minutes.for_board(db.session, current_user, meeting)
    except minutes.MinutesNotReady as err:
        flash(err.message, "info")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    mimetype, render = MINUTES[fmt]
    body = render(rec)
    # A GET reads in a plain transaction; the audit entry is written in one of its
    # own that takes the write lock up front (BEGIN IMMEDIATE on SQLite).
    db.session.rollback()
    with write_intent():
        audit.record(
            db.session,
            current_user,
            "meeting.minutes_exported",
            organisation=meeting.organisation,
            target=meeting,
            format=fmt,
        )
        db.session.commit()
    return _download(body, mimetype, f"protokoll-sitzung-{meeting.id}.{fmt}")


@bp.route("/<int:meeting_id>/calendar.ics")
@member_required
def calendar(meeting_id: int):
    meeting = _meeting(meeting_id)
    body = invitations.ics(meeting, current_app.config["BASE_URL"])
    return _download(body, "text/calendar; charset=utf-8", f"sitzung-{meeting.id}.ics")


@bp.route("/<int:meeting_id>/invite", methods=["POST"])
@member_required
def invite(meeting_id: int):
    """The organiser sends the invitations (once)."""
    meeting = _meeting(meeting_id)
    if not can_organise(current_user, meeting.organisation):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = url_for("meetings.detail", meeting_id=meeting.id)
    back_to(target)
    count = invitations.send_invitations(db.session, current_user, meeting)
    flash(_("Die Einladung ist an %(n)d Mitglieder verschickt.", n=count), "success")
    return redirect(target)
