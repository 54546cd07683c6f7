"""Socket.IO for meeting rooms: joining checks the member in (when asked) and
returns the whole state, so a reconnect catches up; leaving with the last socket
ends online attendance; `meeting` carries the members' and the chair's actions."""

from __future__ import annotations

from flask import Flask
from flask_socketio import rooms
from sqlalchemy.orm import Session

from models import Meeting, Member
from ortsverein import presence
from ortsverein.app_object import app_object
from ortsverein.db import db, write_intent
from ortsverein.errors import DomainError
from ortsverein.realtime import socket_member, socketio

from . import attendance
from .access import RUNNING, can_attend, get_meeting, status
from .actions import perform
from .live import attendance_changed
from .room_state import member_state


def on_join_meeting(session: Session, member: Member, meeting_id: int, data: dict):
    """`{"room": "meeting:ID", "check_in": true}` checks a member of the
    organisation in while the meeting runs; the ack carries the state."""
    meeting = get_meeting(session, member, meeting_id)
    if (
        data.get("check_in") is True
        and status(meeting) == RUNNING
        and can_attend(member, meeting)
    ):
        with write_intent():
            session.rollback()  # a writer's transaction of its own
            if attendance.check_in(session, member, meeting):
                attendance_changed(meeting)
    return {"state": member_state(session, meeting, member)}


def on_leave_meeting(session: Session, member_id: int, meeting_id: int) -> None:
    """The member's last connection to the room is gone. Online presence ends
    unless they are back within the grace time: voting on the ballot page, a
    reload or a short drop of the link does not make them absent."""
    app = app_object()
    socketio.start_background_task(_left_for_good, app, member_id, meeting_id)


def _left_for_good(app, member_id: int, meeting_id: int) -> None:
    socketio.sleep(app.config["MEETING_LEAVE_GRACE"])
    with app.app_context():
        if member_id in presence.member_ids(f"meeting:{meeting_id}"):
            return  # back in the room
        try:
            with write_intent():
                db.session.rollback()
                closed = attendance.connection_lost(db.session, meeting_id, member_id)
        except Exception:  # noqa: BLE001  (say, the database went away meanwhile)
            db.session.rollback()
            app.logger.warning("ending the presence of %s failed", member_id)
            return
        meeting = db.session.get(Meeting, meeting_id) if closed else None
        if meeting is not None:
            attendance_changed(meeting)


def _on_meeting(data=None):
    """`emit("meeting", {"meeting_id": ID, "action": ..., "item_id": ...})`, acked
    with {"ok": true} or {"ok": false, "error": CODE, "message": ...}. Only for
    sockets that joined the room (which ran the page's permission check)."""
    member = socket_member()
    if member is None:
        return {"ok": False, "error": "unauthenticated"}
    data = data if isinstance(data, dict) else {}
    meeting_id, action = data.get("meeting_id"), data.get("action")
    if not isinstance(meeting_id, int) or not isinstance(action, str):
        return {"ok": False, "error": "bad_request"}
    if f"meeting:{meeting_id}" not in rooms():
        return {"ok": False, "error": "not_joined"}
    try:
        with write_intent():
            db.session.rollback()
            meeting = get_meeting(db.session, member, meeting_id)
            return perform(db.session, member, meeting, action, data)
    except DomainError as err:
        db.session.rollback()
        return {"ok": False, "error": err.code, "message": err.message}


def init_app(app: Flask) -> None:
    socketio.on_event("meeting", _on_meeting)
