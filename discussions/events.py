"""Socket.IO for threads: catch-up on (re)joining, and a throttled typing indicator.
Joining runs the page's permission check (ortsverein.realtime); presence is counted
there too."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_socketio import rooms
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from models import Member, Post, utcnow
from ortsverein.realtime import MAX_ID, socket_member, socket_sid, socketio

from .live import post_payload

CATCH_UP_LIMIT = 200  # a longer gap is better read on the page (the client is told)
SHOWN_LIMIT = 100  # posts a reconnecting client may ask the current state of
TYPING_INTERVAL = 3.0  # seconds between typing events of one socket in one room
_last_typing: dict[tuple[str, str], float] = {}


def _is_post_id(value) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID
    )


def _since(value) -> datetime | None:
    """A `resync`'s `since` (ISO time, at most a day back), else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when.astimezone(UTC), utcnow() - timedelta(days=1))


def on_join_thread(session: Session, member: Member, thread_id: int, data: dict):
    """With `after` (the last post id the client has), send what it missed (and,
    with a `resync`'s `since`, what was written since then); with
    `shown` (the ids of the posts it shows, on a reconnect), their current state:
    an edit, a hide or a deletion made meanwhile is not lost either."""
    after = data.get("after")
    if not _is_post_id(after):
        return None
    newer = Post.id > after
    since = _since(data.get("since"))
    if since is not None:  # after a `resync`: what was written in the gap, too
        newer = or_(newer, Post.created_at >= since)
    posts = session.scalars(
        select(Post)
        .where(Post.thread_id == thread_id, newer)
        .options(joinedload(Post.author))
        .order_by(Post.id)
        .limit(CATCH_UP_LIMIT + 1)
    ).all()
    ack = {
        "posts": [post_payload(p)["post"] for p in posts[:CATCH_UP_LIMIT]],
        "more": len(posts) > CATCH_UP_LIMIT,
    }
    shown = data.get("shown")
    if isinstance(shown, list):
        ids = sorted({i for i in shown[:SHOWN_LIMIT] if _is_post_id(i) and i <= after})
        current = session.scalars(
            select(Post)
            .where(Post.thread_id == thread_id, Post.id.in_(ids))
            .options(joinedload(Post.author))
            .order_by(Post.id)
        ).all()
        ack["current"] = [post_payload(p)["post"] for p in current]
    return ack


def _on_typing(data=None):
    member = socket_member()
    room = data.get("room") if isinstance(data, dict) else None
    if member is None or not isinstance(room, str) or not room.startswith("thread:"):
        return {"ok": False, "error": "bad_room"}
    if room not in rooms():
        return {"ok": False, "error": "not_joined"}  # joined means permission checked
    now = time.monotonic()
    key = (socket_sid(), room)
    if now - _last_typing.get(key, 0.0) < TYPING_INTERVAL:
        return {"ok": True, "throttled": True}
    _last_typing[key] = now
    if len(_last_typing) > 10_000:
        _last_typing.clear()
    socketio.emit(
        "typing",
        {"room": room, "members": [member.name]},
        to=room,
        skip_sid=socket_sid(),
    )
    return {"ok": True}


def init_app(app: Flask) -> None:
    socketio.on_event("typing", _on_typing)
