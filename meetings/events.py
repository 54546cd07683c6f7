"""Socket.IO for meeting rooms: joining checks the member in (when asked) and
returns the whole state, so a reconnect catches up; leaving with the last socket
ends online attendance; `meeting` carries the members' and the chair's actions."""

from __future__ import annotations

from flask import Flask, current_app
from flask_socketio import rooms
from sqlalchemy.orm import Session

from models import Meeting, Member
from ortsverein import presence
from ortsverein.db import db, write_intent
from ortsverein.errors_domain import DomainError, NotFound
from ortsverein.i18n import _l
from ortsverein.realtime import MAX_ID, socket_member, socketio

from . import agenda, attendance, services, speakers
from .access import RUNNING, can_attend, get_meeting, status
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
    app = current_app._get_current_object()
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


DONE = {
    "start": _l("Die Sitzung ist eröffnet."),
    "end": _l("Die Sitzung ist geschlossen."),
    "check_in": _l("Du bist als anwesend eingetragen."),
    "check_out": _l("Du bist als abwesend eingetragen."),
    "raise_hand": _l("Du stehst auf der Redeliste."),
    "withdraw": _l("Deine Wortmeldung ist zurückgezogen."),
    "next_speaker": _l("Das Wort ist erteilt."),
    "finish_speaker": _l("Der Redebeitrag ist beendet."),
    "next_item": _l("Der nächste Punkt ist aufgerufen."),
    "set_item": _l("Der Punkt ist aufgerufen."),
}


def _expected(data: dict, key: str) -> int | None:
    """What the chair saw when clicking (0: nothing): a second click, or a second
    chair, then finds the state moved on and changes nothing."""
    value = data.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value > MAX_ID:
        return None
    return value


def perform(member: Member, meeting, action: str, data: dict) -> dict:
    """One action of a member or the chair, for the socket event and the forms."""
    session = db.session
    if action == "check_in":
        if attendance.check_in(session, member, meeting):
            attendance_changed(meeting)
    elif action == "check_out":
        if attendance.check_out(session, member, meeting):
            attendance_changed(meeting)
    elif action == "raise_hand":
        speakers.raise_hand(session, member, meeting)
    elif action == "withdraw":
        speakers.withdraw(session, member, meeting)
    elif action == "next_speaker":
        speakers.call_next(
            session, member, meeting, expected=_expected(data, "speaker_request_id")
        )
    elif action == "finish_speaker":
        speakers.finish(session, member, meeting)
    elif action == "next_item":
        agenda.next_item(
            session, member, meeting, expected=_expected(data, "from_item_id")
        )
    elif action == "set_item":
        item_id = data.get("item_id")
        if not isinstance(item_id, int) or not 0 < item_id <= MAX_ID:
            raise NotFound()
        agenda.set_current_item(session, member, meeting, item_id)
    elif action == "start":
        services.start(session, member, meeting)
    elif action == "end":
        services.end(session, member, meeting)
    else:
        return {"ok": False, "error": "unknown_action"}
    return {"ok": True, "message": str(DONE[action])}


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
            return perform(member, meeting, action, data)
    except DomainError as err:
        db.session.rollback()
        return {"ok": False, "error": err.code, "message": err.message}


def init_app(app: Flask) -> None:
    socketio.on_event("meeting", _on_meeting)
