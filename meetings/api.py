"""Meeting endpoints of the JSON API: schedule and follow meetings, attend, ask to
speak, run them as chair, with live votes (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from flask import g, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Meeting
from ortsverein.api import (
    ApiError,
    load_json,
    paginated,
    token_required,
)
from ortsverein.db import db
from ortsverein.pagination import Page, parse_page_args

from . import agenda, attendance, services, speakers
from .access import require_chair, status
from .actions import ACTIONS, Action
from .api_common import api_doc, bp, load_meeting, state_json
from .api_schemas import (
    CurrentItemSchema,
    ItemAddSchema,
    MeetingCreateSchema,
    RoomAttendanceSchema,
)
from .live import attendance_changed
from .room_state import item_json


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def meeting_json(meeting: Meeting) -> dict:
    org = meeting.organisation
    return {
        "id": meeting.id,
        "title": meeting.title,
        "organisation": {"id": org.id, "name": org.name, "slug": org.slug},
        "starts_at": _iso(meeting.starts_at),
        "ends_at": _iso(meeting.ends_at),
        "status": status(meeting),
        "quorum": meeting.quorum,
        "speaking_seconds": meeting.speaking_seconds,
        "alternating": meeting.alternating,
        "items": [item_json(i) for i in meeting.items],
        "chairs": sorted(c.member_id for c in meeting.chairs),
    }


def _attendance_json(meeting: Meeting) -> dict:
    present = attendance.present_members(db.session, meeting)
    return {
        "present": [{**p, "since": _iso(p["since"])} for p in present],
        "stretches": [
            {
                "member": {"id": a.member_id, "name": a.member.name},
                "in_room": a.in_room,
                "joined_at": _iso(a.joined_at),
                "left_at": _iso(a.left_at),
            }
            for a in attendance.attendance_list(db.session, meeting)
        ],
    }


@bp.route("/meetings", methods=["GET", "POST"])
@token_required
def meetings():
    """Meetings the member may see; a new meeting.
    ---
    get:
      summary: Upcoming (running or planned, soonest first) or past meetings
      tags: [meetings]
      parameters:
        - {in: query, name: when, schema: {type: string, enum: [upcoming, past]}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: MeetingPage}}}
        422: {description: validation_error}
    post:
      summary: Schedule a meeting with its agenda (organisers of org_id)
      tags: [meetings]
      requestBody: {content: {application/json: {schema: MeetingCreate}}}
      responses:
        201: {description: created, content: {application/json: {schema: Meeting}}}
        404: {description: unknown organisation or not its organiser}
        422: {description: "validation_error; error.fields names the fields"}
    """
    if request.method == "POST":
        data = load_json(MeetingCreateSchema())
        data["items"] = [services.ItemInput(**i) for i in data["items"]]
        data["chair_emails"] = data.pop("chairs")
        created = services.create_meeting(
            db.session, g.api_member, services.MeetingInput(**data)
        )
        return jsonify(meeting_json(created)), 201
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        raise ApiError(
            422,
            "validation_error",
            "when is upcoming or past",
            fields={"when": ["upcoming or past"]},
        )
    page, per_page = parse_page_args(request.args, 20)
    result = services.list_meetings(
        db.session, g.api_member, when=when, page=page, per_page=per_page
    )
    if result.items:  # the agendas and chairs of the whole page in two queries
        db.session.scalars(
            select(Meeting)
            .where(Meeting.id.in_([m.id for m in result.items]))
            .options(selectinload(Meeting.items), selectinload(Meeting.chairs))
        ).all()
    items = [meeting_json(m) for m in result.items]
    return jsonify(
        paginated(
            Page(items, result.page, result.per_page, result.total),
            lambda n: url_for(
                "meetings_api.meetings", when=when, page=n, per_page=per_page
            ),
        )
    )


@bp.route("/meetings/<int:meeting_id>")
@token_required
@api_doc("""The meeting room's state for the asking member.
    ---
    get:
      summary: "The document a socket join returns: agenda and current item,
        speakers' list with the countdown (speakers.current.ends_at), the current
        vote (with eligible and voted for you), attendance, your part (me) and
        the recent posts of the current item's thread"
      tags: [meetings]
      parameters: [$ID]
      responses: {200: $STATE, 404: $NF}
    """)
def meeting_state(meeting_id: int):
    return state_json(load_meeting(meeting_id))


def _action_route(action: Action, path: str) -> None:
    """POST /meetings/ID/<api_path>: the room's action (actions.py) over the API."""

    def view(meeting_id: int):
        meeting = load_meeting(meeting_id)
        action.run(db.session, g.api_member, meeting, {})
        return state_json(meeting)

    summary, conflict = action.api_summary, action.api_conflict
    view.__name__ = "meeting_" + path.replace("-", "_").replace("/", "_")
    view = api_doc(f"""{summary}.
    ---
    post:
      summary: "{summary}"
      tags: [meetings]
      parameters: [$ID]
      responses: {{200: $STATE, 404: $NF, 409: {{description: "{conflict}"}}}}
    """)(view)
    bp.add_url_rule(
        f"/meetings/<int:meeting_id>/{path}",
        view_func=token_required(view),
        methods=["POST"],
    )


for _action in ACTIONS.values():
    if _action.api_path:
        _action_route(_action, _action.api_path)


@bp.route("/meetings/<int:meeting_id>/speakers", methods=["POST", "DELETE"])
@token_required
@api_doc("""Raise or lower your hand on the current item.
    ---
    post:
      summary: Ask to speak on the current item (members present)
      tags: [meetings]
      parameters: [$ID]
      responses: {200: $STATE, 404: $NF, 409: {description: "not present or
        running, or already on the list"}}
    delete:
      summary: Withdraw from the speakers' list before being called
      tags: [meetings]
      parameters: [$ID]
      responses: {200: $STATE, 404: $NF, 409: {description: not on the list}}
    """)
def speakers_list(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if request.method == "POST":
        speakers.raise_hand(db.session, g.api_member, meeting)
    else:
        speakers.withdraw(db.session, g.api_member, meeting)
    return state_json(meeting)


@bp.route("/meetings/<int:meeting_id>/current-item", methods=["PUT"])
@token_required
@api_doc("""Move the agenda.
    ---
    put:
      summary: Call an agenda item (chair); everyone in the room sees it
      tags: [meetings]
      parameters: [$ID]
      requestBody: {content: {application/json: {schema: CurrentItem}}}
      responses: {200: $STATE, 404: $NF, 409: {description: not running}}
    """)
def current_item(meeting_id: int):
    item_id = load_json(CurrentItemSchema())["item_id"]
    meeting = load_meeting(meeting_id)
    agenda.set_current_item(db.session, g.api_member, meeting, item_id)
    return state_json(meeting)


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@token_required
@api_doc("""Add an agenda item.
    ---
    post:
      summary: Add an item at the end of the agenda (chair), also while running
      tags: [meetings]
      parameters: [$ID]
      requestBody: {content: {application/json: {schema: ItemAdd}}}
      responses:
        201: {description: created, content: {application/json:
              {schema: AgendaItem}}}
        404: $NF
        409: {description: the meeting is over}
        422: {description: "validation_error, or the agenda is full"}
    """)
def add_item(meeting_id: int):
    data = load_json(ItemAddSchema())
    meeting = load_meeting(meeting_id)
    item = agenda.add_item(db.session, g.api_member, meeting, **data)
    return jsonify(item_json(item)), 201


@bp.route("/meetings/<int:meeting_id>/attendance")
@token_required
@api_doc("""The attendance list.
    ---
    get:
      summary: Who is present now, and every stretch of attendance (chair)
      tags: [meetings]
      parameters: [$ID]
      responses: {200: $LIST, 404: $NF}
    """)
def attendance_list(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require_chair(g.api_member, meeting)
    return jsonify(_attendance_json(meeting))


@bp.route("/meetings/<int:meeting_id>/room-attendance", methods=["POST"])
@token_required
@api_doc("""Record a member sitting in the room.
    ---
    post:
      summary: Check in a member sitting in the room (chair; hybrid meetings)
      tags: [meetings]
      parameters: [$ID]
      requestBody: {content: {application/json: {schema: RoomAttendance}}}
      responses: {200: $LIST, 404: $NF, 409: {description: not running}}
    """)
def room_check_in(meeting_id: int):
    member_id = load_json(RoomAttendanceSchema())["member_id"]
    meeting = load_meeting(meeting_id)
    attendance.room_check_in(db.session, g.api_member, meeting, member_id)
    attendance_changed(meeting)
    return jsonify(_attendance_json(meeting))


@bp.route(
    "/meetings/<int:meeting_id>/room-attendance/<int:member_id>", methods=["DELETE"]
)
@token_required
@api_doc("""A member leaves the room.
    ---
    delete:
      summary: End a member's attendance in the room (chair)
      tags: [meetings]
      parameters:
        - $ID
        - {in: path, name: member_id, required: true, schema: {type: integer}}
      responses: {200: $LIST, 404: $NF}
    """)
def room_check_out(meeting_id: int, member_id: int):
    meeting = load_meeting(meeting_id)
    attendance.room_check_out(db.session, g.api_member, meeting, member_id)
    attendance_changed(meeting)
    return jsonify(_attendance_json(meeting))
