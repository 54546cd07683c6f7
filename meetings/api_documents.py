"""A meeting's documents in the JSON API: the minutes for the board (audited, as
on the page) and the calendar entry of the invitation."""

from __future__ import annotations

from flask import Response, current_app, g, jsonify
from marshmallow import Schema, fields

from ortsverein import audit
from ortsverein.api import token_required
from ortsverein.db import db, write_intent

from . import invitations, minutes
from .api_common import api_doc, bp, load_meeting


def _part(description: str) -> fields.Dict:
    return fields.Dict(metadata={"description": description})


class MinutesSchema(Schema):
    meeting = _part(
        "{id, title, body, organisation: {id, name, slug}, planned_start, "
        "planned_end, started_at, ended_at, quorum, chairs: [names]}"
    )
    attendance = _part(
        "{stretches: [{name, in_room, joined_at, left_at}], distinct, max_present}"
    )
    items = fields.List(
        _part(
            "{id, number, title, body, opened_at, thread_url, speakers: [{name, "
            "called_at, finished_at, duration_seconds}]}, in the order called"
        )
    )
    decisions = fields.List(
        _part(
            "{poll_id, agenda_item_id, title, kind, secret, status, electorate, "
            "ballots, paper_ballots, counts: {label: n}, blank, (for "
            "yes_no_abstain_each votes) answers: {label: {yes, no, abstain}}, outcome, "
            "outcome_words, majority_words, rule_name, statute_reference, "
            "quorum_met, ballot_digest}"
        )
    )
    exported_at = fields.DateTime()
    exported_by = _part("{id, name}")


SCHEMAS = [MinutesSchema]


@bp.route("/meetings/<int:meeting_id>/minutes")
@token_required
@api_doc("""The minutes of an ended meeting.
    ---
    get:
      summary: "The minutes (board of the organisation): attendance, agenda items
        with their speakers, decisions with rule and ballot-box digest; every
        download is recorded in the audit log"
      tags: [meetings]
      parameters: [$ID]
      responses:
        200: {description: the minutes, content: {application/json:
              {schema: Minutes}}}
        404: {description: "unknown, not visible, or not on its board"}
        409: {description: "meeting_not_ended"}
    """)
def meeting_minutes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    record = minutes.for_board(db.session, g.api_member, meeting)
    # Read in a plain transaction; the audit entry is written in one of its own
    # that takes the write lock up front (BEGIN IMMEDIATE on SQLite).
    db.session.rollback()
    with write_intent():
        audit.record(
            db.session,
            g.api_member,
            "meeting.minutes_exported",
            organisation=meeting.organisation,
            target=meeting,
            format="json",
            via="api",
        )
        db.session.commit()
    return jsonify(record)


@bp.route("/meetings/<int:meeting_id>/calendar.ics")
@token_required
@api_doc("""The meeting as a calendar entry.
    ---
    get:
      summary: The invitation's calendar entry (iCalendar), for every member who
        sees the meeting
      tags: [meetings]
      parameters: [$ID]
      responses:
        200: {description: "an iCalendar file", content: {text/calendar:
              {schema: {type: string}}}}
        404: {description: unknown or not visible}
    """)
def meeting_calendar(meeting_id: int):
    meeting = load_meeting(meeting_id)
    body = invitations.ics(meeting, current_app.config["BASE_URL"])
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sitzung-{meeting.id}.ics"'
    )
    return response
