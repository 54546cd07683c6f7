"""Socket.IO: authenticated connections, permission-checked rooms, publish()."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from typing import cast

import socketio as python_socketio
from flask import Flask, current_app, request
from flask import session as flask_session
from flask_login import current_user
from flask_socketio import SocketIO, disconnect, join_room, leave_room, rooms
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.orm import Session

from models import Member

from . import metrics, presence
from .app_object import app_object
from .db import db
from .db_outage import unavailable as database_unavailable

socketio = SocketIO()
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Room kind -> check(session, member, object_id) -> bool. Features register their rooms
# ("thread", "meeting", "poll"); joining runs the same check as loading the page.
RoomCheck = Callable[[Session, Member, int], bool]
# on_join(session, member, object_id, data) -> extra fields for the acknowledgement
JoinHook = Callable[[Session, Member, int, dict], dict | None]
# on_leave(session, member_id, object_id) when a member's last socket left the room
LeaveHook = Callable[[Session, int, int], None]
_room_checks: dict[str, RoomCheck] = {}
_join_hooks: dict[str, JoinHook] = {}
_leave_hooks: dict[str, LeaveHook] = {}
# Room kinds whose presence is counted and published as `presence` events.
PRESENCE_KINDS = {"thread", "meeting"}


def socket_sid() -> str:
    """The Socket.IO session id of the event being handled."""
    # Flask-SocketIO sets it on the request; Flask's Request type does not know it.
    return cast(str, request.sid)  # type: ignore[attr-defined]


def register_room(
    kind: str,
    check: RoomCheck,
    on_join: JoinHook | None = None,
    on_leave: LeaveHook | None = None,
) -> None:
    _room_checks[kind] = check
    if on_join is not None:
        _join_hooks[kind] = on_join
    if on_leave is not None:
        _leave_hooks[kind] = on_leave


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


def disconnect_member(member_id: int, event: str = "session_ended") -> None:
    """End a member's sockets on every worker (the message queue carries the
    disconnect to the worker that holds the socket). `session_ended` tells the
    client to stay away; `access_changed` that it may reconnect and join again,
    which re-runs every room's permission check."""
    room = member_room(member_id)
    # Set by init_app(); missing from the Flask-SocketIO stubs.
    server = socketio.server  # type: ignore[attr-defined]
    if server is None:
        return
    socketio.emit(event, {}, to=room)
    for sid in presence.member_sids(member_id):
        try:
            server.disconnect(sid, namespace="/")
        except (KeyError, ValueError):
            pass


PRESENCE_DELAY = 0.5  # seconds: a burst of joins and leaves becomes one event
_presence_pending: set[str] = set()
_presence_lock = threading.Lock()


def publish_presence(room: str) -> None:
    """Tell the room how many members are in it, at most once per PRESENCE_DELAY and
    process: when a meeting starts, hundreds join within seconds, and an event per
    join to everyone already there would cost O(n²) messages."""
    with _presence_lock:
        if room in _presence_pending:
            return
        _presence_pending.add(room)
    socketio.start_background_task(_send_presence, app_object(), room)


def _send_presence(app: Flask, room: str) -> None:
    # The stubs say int; it passes seconds on to time/eventlet/gevent sleep.
    socketio.sleep(PRESENCE_DELAY)  # type: ignore[arg-type]
    with _presence_lock:
        _presence_pending.discard(room)
    with app.app_context():
        try:
            count = len(presence.member_ids(room))
        except Exception:  # noqa: BLE001  (Redis away: the next change tells)
            app.logger.warning("presence count of %s failed", room)
            return
        socketio.emit("presence", {"room": room, "count": count}, to=room)


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
    presence.enter(member_room(member.id), socket_sid(), member.id)
    metrics.socket_opened()
    # Announcements to an organisation reach every member of its subtree.
    for org_id in member.home.ancestor_ids():
        join_room(f"org:{org_id}")
    current_app.logger.debug("socket %s connected", socket_sid())
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
    room = f"{kind}:{object_id}"
    try:
        join_room(room)
    except KeyError:  # the socket closed while its join was being checked
        return {"ok": False, "error": "disconnected"}
    ack = {"ok": True}
    hook = _join_hooks.get(kind)
    if hook is not None:
        ack.update(hook(db.session, member, object_id, data) or {})
    if kind in PRESENCE_KINDS:
        presence.enter(room, socket_sid(), member.id)
        publish_presence(room)
    return ack


def _on_leave(data=None):
    parsed = _parse_room((data or {}).get("room") if isinstance(data, dict) else None)
    if parsed is None:
        return {"ok": False, "error": "bad_room"}
    room = f"{parsed[0]}:{parsed[1]}"
    leave_room(room)
    if parsed[0] in PRESENCE_KINDS:
        _left(room, socket_sid())
    return {"ok": True}


def _left(room: str, sid: str) -> None:
    """A socket left a presence room: count again, and tell the room's feature when
    the member's last socket has gone (a meeting ends their online attendance)."""
    kind, _sep, object_id = room.partition(":")
    hook = _leave_hooks.get(kind)
    member_id = presence.entries(room).get(sid) if hook is not None else None
    presence.leave(room, sid)
    publish_presence(room)
    # member_id is only looked up when there is a hook
    if (
        hook is not None
        and member_id is not None
        and member_id not in presence.member_ids(room)
    ):
        try:
            hook(db.session, member_id, int(object_id))
        except Exception:  # noqa: BLE001  (a failed hook must not stop the cleanup)
            db.session.rollback()
            current_app.logger.exception("leave hook for %s failed", room)


def _on_disconnect(reason=None):
    metrics.socket_closed()
    for room in list(rooms()):  # the server drops rooms while we iterate
        kind = room.partition(":")[0]
        if kind == "member":
            presence.leave(room, socket_sid())
        elif kind in PRESENCE_KINDS:
            _left(room, socket_sid())


UNAVAILABLE = "unavailable"  # the ack's error (and connect refusal) in an outage


def unavailable(err: BaseException) -> bool:
    """Whether the database or Redis cannot be reached (restarted, failed over)."""
    return database_unavailable(err) or isinstance(
        err, (RedisConnectionError, RedisTimeoutError)
    )


def _on_error(err: BaseException):
    """Any socket handler that raised: the client gets an answer instead of none.
    While the database or Redis is away a join answers `{"ok": false, "error":
    "unavailable"}` (forum.js and meeting.js try again a little later: it may have
    put the socket into the room without its catch-up) and a connection is refused
    with the message "unavailable" (live.js connects again later)."""
    with contextlib.suppress(Exception):  # the connection may be gone
        db.session.rollback()
    event = getattr(request, "event", None) or {}
    name = event.get("message") if isinstance(event, dict) else None
    if unavailable(err):
        current_app.logger.warning("socket %s: %s (%s)", name, UNAVAILABLE, err)
        if name == "connect":
            raise python_socketio.exceptions.ConnectionRefusedError(UNAVAILABLE)
        return {"ok": False, "error": UNAVAILABLE}
    current_app.logger.error("socket %s failed", name, exc_info=err)
    if name == "connect":
        return False
    return {"ok": False, "error": "internal_error"}


def init_app(app: Flask) -> None:
    # Default CORS policy: only the page's own origin may open a socket.
    kwargs = {"async_mode": app.config["SOCKETIO_ASYNC_MODE"]}
    # Always say which queue (or none), and drop the client manager an earlier app
    # left behind: Flask-SocketIO keeps its options across init_app calls.
    url = app.config.get("REDIS_URL") or None
    kwargs["message_queue"] = url
    # Flask-SocketIO keeps it on the instance; missing from its stubs.
    socketio.server_options.pop("client_manager", None)  # type: ignore[attr-defined]
    if url:
        from .message_queue import ResyncingRedisManager

        # Every emit borrows a Redis connection. redis-py's pool refuses the 101st
        # at once, and under gevent hundreds of greenlets may emit together. After
        # a Redis outage the process's sockets reconnect and catch up.
        kwargs["client_manager"] = ResyncingRedisManager(
            url, channel="flask-socketio", redis_options={"max_connections": 2000}
        )
    socketio.init_app(app, **kwargs)
    socketio.on_event("connect", _on_connect)
    socketio.on_event("join", _on_join)
    socketio.on_event("leave", _on_leave)
    socketio.on_event("disconnect", _on_disconnect)
    socketio.on_error_default(_on_error)
