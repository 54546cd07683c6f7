"""A meeting room's events: the modules that change a meeting announce it on
`meeting_changed` after their commit, and the room's state module (connected to it
by meetings.init_app) sends the new state to `meeting:ID`; a signal, so those
modules need not import the state they make up. Check-ins are coalesced here."""

from __future__ import annotations

import threading

from blinker import Namespace
from sqlalchemy.orm import Session

from models import Meeting
from ortsverein.app_object import app_object
from ortsverein.db import db
from ortsverein.realtime import publish, socketio

from .attendance import present_count

ATTENDANCE_DELAY = 1.0  # seconds: a burst of check-ins becomes one event

meeting_changed = Namespace().signal("meeting-changed")


def room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def publish_meeting(session: Session, meeting: Meeting, event: str) -> None:
    """After a commit: tell the room that `meeting` changed (`event` names how)."""
    if not meeting_changed.receivers:
        raise RuntimeError("meetings.init_app connects the room state first")
    meeting_changed.send(meeting, session=session, event=event)


_pending: set[int] = set()
_pending_lock = threading.Lock()


def attendance_changed(meeting: Meeting) -> None:
    """Check-ins come in bursts (a meeting starting, a reconnect wave): coalesce
    them into at most one `attendance_changed` per meeting and second per process."""
    with _pending_lock:
        if meeting.id in _pending:
            return
        _pending.add(meeting.id)
    app = app_object()
    socketio.start_background_task(_send_attendance, app, meeting.id, meeting.quorum)


def _send_attendance(app, meeting_id: int, quorum: int) -> None:
    # The stubs say int; it passes seconds on to time/eventlet/gevent sleep.
    socketio.sleep(ATTENDANCE_DELAY)  # type: ignore[arg-type]
    with _pending_lock:
        _pending.discard(meeting_id)
    with app.app_context():
        try:
            present = present_count(db.session, meeting_id)
        except Exception:  # noqa: BLE001  (say, the database went away meanwhile)
            app.logger.warning("attendance count of meeting %s failed", meeting_id)
            return
        publish(
            "attendance_changed",
            {
                "meeting_id": meeting_id,
                "present": present,
                "quorum": quorum,
                "quorum_met": present >= quorum,
            },
            room(meeting_id),
        )
