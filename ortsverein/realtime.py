"""Socket.IO: authenticated connections, permission-checked rooms, publish()."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, current_app, request
from flask import session as flask_session
from flask_login import current_user
from flask_socketio import SocketIO, disconnect, join_room, leave_room
from sqlalchemy.orm import Session

from models import Member

from .db import db

socketio = SocketIO()
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Room kind -> check(session, member, object_id) -> bool. Features register their rooms
# ("thread", "meeting", "poll"); joining runs the same check as loading the page.
RoomCheck = Callable[[Session, Member, int], bool]
_room_checks: dict[str, RoomCheck] = {}


def register_room(kind: str, check: RoomCheck) -> None:
    _room_checks[kind] = check


def member_room(member_id: int) -> str:
    return f"member:{member_id}"


def publish(event: str, payload: dict, room: str) -> None:
    """Emit to a room. Services call this only after their transaction has committed."""
    socketio.emit(event, payload, to=room)


def socket_member() -> Member | None:
    """The member behind the current socket: login cookie or API token, re-checked on
    every event so that deactivation and logout take effect at once."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    token = flask_session.get("socket_token")
    if token:
        from .auth.tokens import member_for_token

        return member_for_token(db.session, token)
    return None


def disconnect_member(member_id: int) -> None:
    """End a member's sockets: those on this process at once; clients elsewhere are told
    and every further event from them is refused by socket_member()."""
    room = member_room(member_id)
    server = socketio.server
    if server is None:
        return
    try:
        participants = list(server.manager.get_participants("/", room))
    except (KeyError, ValueError):
        participants = []
    socketio.emit("session_ended", {}, to=room)
    for participant in participants:
        sid = participant[0] if isinstance(participant, tuple) else participant
        server.disconnect(sid, namespace="/")


def _on_connect(auth=None):
    member = None
    if current_user.is_authenticated:
        member = current_user._get_current_object()
        from .permissions import staff_requires_2fa

        if not member.totp_enabled and staff_requires_2fa(db.session, member):
            return False  # the same rule as every page: set up 2FA first
    elif isinstance(auth, dict) and auth.get("token"):
        from .auth.tokens import member_for_token

        member = member_for_token(db.session, str(auth["token"]))
        if member is not None:
            flask_session["socket_token"] = str(auth["token"])
    if member is None or not member.active:
        return False  # refuses the connection
    join_room(member_room(member.id))
    # Announcements to an organisation reach every member of its subtree.
    for org_id in member.home_branch.ancestor_ids():
        join_room(f"org:{org_id}")
    current_app.logger.debug("socket %s connected", request.sid)
    return True


ROOM_RE = re.compile(r"([a-z]{1,20}):([0-9]{1,10})")


def _parse_room(value) -> tuple[str, int] | None:
    match = ROOM_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match.group(2)) > MAX_ID:
        return None
    return match.group(1), int(match.group(2))


def _on_join(data=None):
    member = socket_member()
    if member is None:
        disconnect()
        return {"ok": False, "error": "unauthenticated"}
    parsed = _parse_room((data or {}).get("room") if isinstance(data, dict) else None)
    if parsed is None:
        return {"ok": False, "error": "bad_room"}
    kind, object_id = parsed
    check = _room_checks.get(kind)
    # An unknown kind and a forbidden room answer alike, so ids leak nothing.
    if check is None or not check(db.session, member, object_id):
        return {"ok": False, "error": "not_found"}
    join_room(f"{kind}:{object_id}")
    return {"ok": True}


def _on_leave(data=None):
    parsed = _parse_room((data or {}).get("room") if isinstance(data, dict) else None)
    if parsed is None:
        return {"ok": False, "error": "bad_room"}
    leave_room(f"{parsed[0]}:{parsed[1]}")
    return {"ok": True}


def init_app(app: Flask) -> None:
    # Default CORS policy: only the page's own origin may open a socket.
    kwargs = {"async_mode": app.config["SOCKETIO_ASYNC_MODE"]}
    # Always say which queue (or none), and drop the client manager an earlier app
    # left behind: Flask-SocketIO keeps its options across init_app calls.
    kwargs["message_queue"] = app.config.get("REDIS_URL") or None
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(app, **kwargs)
    socketio.on_event("connect", _on_connect)
    socketio.on_event("join", _on_join)
    socketio.on_event("leave", _on_leave)
