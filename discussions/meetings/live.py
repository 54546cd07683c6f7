"""The state of a meeting room as one JSON document, and its events: every change
pushes the public state to `meeting:ID` after the commit; joining (or rejoining
after a dropped link) returns it with the member's own part and recent posts."""

from __future__ import annotations

import threading

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import AgendaItem, Meeting, Member, Post
from ortsverein.db import read_intent
from ortsverein.realtime import publish, socketio

from ..live import post_payload
from .access import can_attend, is_chair, status

RECENT_POSTS = 30
ATTENDANCE_DELAY = 1.0  # seconds: a burst of check-ins becomes one event


def room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def item_json(item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "position": item.position + 1,
        "title": item.title,
        "html": item.body_html,
        "thread_id": item.thread_id,
        "opened": item.opened_at is not None,
    }


def public_state(
    session: Session, meeting: Meeting, member: Member | None = None
) -> dict:
    """What everyone in the room sees (with `member`, the vote says whether they
    may vote and have voted)."""
    from . import attendance, speakers, votes

    current = next((i for i in meeting.items if i.id == meeting.current_item_id), None)
    return {
        "meeting_id": meeting.id,
        "title": meeting.title,
        "status": status(meeting),
        "speaking_seconds": meeting.speaking_seconds,
        "alternating": meeting.alternating,
        "item": item_json(current) if current else None,
        "items": [item_json(i) for i in meeting.items],
        "speakers": speakers.state(session, meeting),
        "vote": votes.current_vote(session, meeting, member),
        "attendance": attendance.summary(session, meeting),
    }


def member_state(session: Session, meeting: Meeting, member: Member) -> dict:
    """The public state plus the member's own part and the recent discussion."""
    from . import attendance

    state = public_state(session, meeting, member)
    state["me"] = {
        "id": member.id,
        "chair": is_chair(member, meeting),
        "can_attend": can_attend(member, meeting),
        "present": attendance.is_present(session, meeting.id, member.id),
        "on_list": any(
            q["member"]["id"] == member.id for q in state["speakers"]["queue"]
        ),
    }
    thread_id = state["item"]["thread_id"] if state["item"] else None
    state["posts"] = recent_posts(session, thread_id) if thread_id else []
    return state


def recent_posts(session: Session, thread_id: int) -> list[dict]:
    posts = session.scalars(
        select(Post)
        .where(Post.thread_id == thread_id)
        .options(joinedload(Post.author))
        .order_by(Post.id.desc())
        .limit(RECENT_POSTS)
    ).all()
    return [post_payload(p)["post"] for p in reversed(posts)]


def publish_meeting(session: Session, meeting: Meeting, event: str) -> None:
    """After a commit: the new public state to everyone in the room. It is read in
    a reader's transaction of its own, ended before the emit."""
    with read_intent():
        state = public_state(session, meeting)
        session.commit()
    publish(event, state, room(meeting.id))


_pending: set[int] = set()
_pending_lock = threading.Lock()


def attendance_changed(meeting: Meeting) -> None:
    """Check-ins come in bursts (a meeting starting, a reconnect wave): coalesce
    them into at most one `attendance_changed` per meeting and second per process."""
    with _pending_lock:
        if meeting.id in _pending:
            return
        _pending.add(meeting.id)
    app = current_app._get_current_object()
    socketio.start_background_task(_send_attendance, app, meeting.id, meeting.quorum)


def _send_attendance(app, meeting_id: int, quorum: int) -> None:
    from .attendance import present_count

    socketio.sleep(ATTENDANCE_DELAY)
    with _pending_lock:
        _pending.discard(meeting_id)
    with app.app_context():
        from ortsverein.db import db

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
