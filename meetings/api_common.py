"""What the meeting endpoints of the JSON API share: the blueprint, the meeting
as the asking member may load it, and the YAML parts of their OpenAPI docstrings."""

from __future__ import annotations

from string import Template

from flask import g, jsonify

from models import Meeting
from ortsverein.api import make_blueprint
from ortsverein.db import db
from polls import services as polls

from .access import get_meeting
from .room_state import member_state

bp = make_blueprint("meetings_api", __name__)


def load_meeting(meeting_id: int) -> Meeting:
    return get_meeting(db.session, g.api_member, meeting_id)


def state_json(meeting: Meeting):
    return jsonify(member_state(db.session, meeting, g.api_member))


def vote_json(poll):
    return jsonify(polls.vote_summary(db.session, poll, g.api_member))


def _response(description: str, schema: str) -> str:
    body = f"{{application/json: {{schema: {schema}}}}}"
    return f'{{description: "{description}", content: {body}}}'


# Shared YAML of the docstrings below, filled in by api_doc.
PARTS = {
    "ID": "{in: path, name: meeting_id, required: true, schema: {type: integer}}",
    "POLL": "{in: path, name: poll_id, required: true, schema: {type: integer}}",
    "STATE": _response("the new state", "MeetingState"),
    "VOTE": _response("the vote", "VoteSummary"),
    "LIST": '{description: "{present: [{id, name, since, in_room, online}], '
    'stretches: [{member: {id, name}, in_room, joined_at, left_at}]}"}',
    "NF": '{description: "unknown or not visible; a chair\'s action: not a chair"}',
}


def api_doc(text: str):
    def set_doc(view):
        view.__doc__ = Template(text).substitute(PARTS)
        return view

    return set_doc
