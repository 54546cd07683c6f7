"""The Socket.IO message queue on Redis, with a resync after an outage.

While Redis is away (restarted, failed over, the link dropped) every event that
a process publishes is lost for the sockets of every process, and every process's
subscription is broken. python-socketio's RedisManager reconnects and subscribes
again, but the events of the gap are gone. So once a process has subscribed again
after a failure, it drops its sockets (without the Socket.IO goodbye, as a dropped
link looks): the clients reconnect on their own, join their rooms again with the
last post they have, and the join's catch-up sends what they missed (forum.js,
meeting.js; INTERFACES.md). Nothing is lost, nothing is shown twice.
"""

from __future__ import annotations

import logging
import time

import socketio

log = logging.getLogger("ortsverein.realtime")


class ResyncingRedisManager(socketio.RedisManager):
    def _redis_listen_with_retries(self):  # pragma: no cover (only under faults)
        retry_sleep = 1
        subscribed = False
        failed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry_sleep = 1
                    if failed:
                        failed = False
                        self.resync()
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001  (as the library's own loop)
                log.error(
                    "message queue: cannot receive from Redis (%s); retrying in %s s",
                    exc,
                    retry_sleep,
                )
                subscribed = False
                failed = True
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 10)

    def resync(self) -> None:
        """Drop this process's sockets so that their clients reconnect and catch up
        on what the queue lost."""
        eio = getattr(self.server, "eio", None)
        if eio is None:
            return
        sockets = list(eio.sockets.values())
        log.warning(
            "message queue: Redis is back; %d socket(s) reconnect to catch up",
            len(sockets),
        )
        for sock in sockets:
            try:
                sock.close(wait=False, abort=True)
            except Exception:  # noqa: BLE001  (one broken socket must not stop it)
                log.exception("message queue: closing a socket failed")
