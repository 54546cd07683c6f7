"""Who is in a room, across worker processes: in process memory on the embedded
default, in Redis hashes when REDIS_URL is set. Also which socket ids belong to a
member, so that access changes reach their sockets on every worker."""

from __future__ import annotations

import threading

from flask import current_app

KEY = "ortsverein:presence:"
TTL = 24 * 3600  # a crashed worker's entries vanish within a day

_lock = threading.Lock()
_local: dict[str, dict[str, int]] = {}


def shared_redis():
    """The process's Redis client for presence and small shared state, or None
    without REDIS_URL. Its pool makes callers wait for a free connection rather
    than fail: under gevent a wave of reconnecting sockets asks all at once."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("ortsverein_presence_redis")
    if client is None:
        import redis

        pool = redis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=200, timeout=20
        )
        client = redis.Redis(connection_pool=pool)
        current_app.extensions["ortsverein_presence_redis"] = client
    return client


def enter(room: str, sid: str, member_id: int) -> None:
    client = shared_redis()
    if client is None:
        with _lock:
            _local.setdefault(room, {})[sid] = member_id
        return
    pipe = client.pipeline()
    pipe.hset(KEY + room, sid, member_id)
    pipe.expire(KEY + room, TTL)
    pipe.execute()


def leave(room: str, sid: str) -> None:
    client = shared_redis()
    if client is None:
        with _lock:
            members = _local.get(room)
            if members is not None:
                members.pop(sid, None)
                if not members:
                    del _local[room]
        return
    client.hdel(KEY + room, sid)


def entries(room: str) -> dict[str, int]:
    """sid -> member id of everyone in the room."""
    client = shared_redis()
    if client is None:
        with _lock:
            return dict(_local.get(room, {}))
    return {sid: int(m) for sid, m in client.hgetall(KEY + room).items()}


def member_ids(room: str) -> set[int]:
    return set(entries(room).values())


def member_sids(member_id: int) -> list[str]:
    return [sid for sid, _m in entries(f"member:{member_id}").items()]
