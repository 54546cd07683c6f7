"""The Socket.IO message queue on Redis, with a resync after an outage.

While Redis is away (restarted, failed over, the link dropped) every event that a
process publishes is lost for the sockets of the other processes, and every
process's subscription is broken, so it misses what the others publish. The events
of the gap are gone for good; the database still has what they announced. So every
process tells its own sockets to `resync` once its subscription is back (the
clients join their rooms again with the last post they have, and the join's
catch-up sends what they missed: forum.js, meeting.js, docs/architecture.md).

A subscription comes back in two ways, and both count:

- redis-py's PubSub reconnects and subscribes again by itself (its connection's
  retries outlast a short restart) and says nothing to its caller; a callback on
  the connection notices it (`_subscription_restored`);
- or the connection gives up, python-socketio's listening loop catches the error
  and subscribes anew (`_redis_listen_with_retries`).

A publish that python-socketio gives up on (its two attempts failed) lost an event
for every other process, even when their subscriptions never broke (a dropped
publishing connection): the process then announces a `resync` to every process over
the queue as soon as Redis takes a message again (`_announce_resync`).
"""

from __future__ import annotations

import logging
import time

import socketio

log = logging.getLogger("ortsverein.realtime")
RESYNC_EVENT = "resync"


class ResyncingRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager that tells clients to catch up after a gap."""

    _announcing = False

    def _redis_listen_with_retries(self):  # pragma: no cover (only under faults)
        # The library's loop, with the resync after a failure and the callback that
        # notices redis-py's silent resubscription.
        retry_sleep = 1
        subscribed = False
        failed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    pubsub = self.pubsub
                    pubsub.subscribe(self.channel)
                    # Registered after the first connect, so it runs on reconnects
                    # only, after redis-py's own callback has subscribed again.
                    pubsub.connection.register_connect_callback(
                        self._subscription_restored
                    )
                    subscribed = True
                    retry_sleep = 1
                    if failed:
                        failed = False
                        self.resync("subscribed again")
                yield from pubsub.listen()
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

    def _subscription_restored(self, _connection) -> None:
        """redis-py reconnected the subscription by itself (inside its read, under
        its lock): tell the sockets from a task of their own."""
        if self.server is not None:
            self.server.start_background_task(self.resync, "resubscribed by redis-py")

    def _publish(self, data):
        result = super()._publish(data)
        # RedisManager answers Redis' receiver count, or None when it gave up.
        if result is None and self.server is not None and not self._announcing:
            self._announcing = True
            self.server.start_background_task(self._announce_resync)
        return result

    def _announce_resync(self) -> None:  # pragma: no cover (only under faults)
        """An event of ours never reached the queue: once Redis takes a message
        again, every process (this one too) tells its sockets to resync."""
        message = {
            "method": "emit",
            "event": RESYNC_EVENT,
            "data": [{"reason": "message_queue"}],
            "binary": False,
            "namespace": "/",
            "room": None,
            "skip_sid": None,
            "callback": None,
            "host_id": self.host_id,
        }
        delay = 1.0
        try:
            while True:
                self.server.sleep(delay)
                if super()._publish(message) is not None:
                    log.warning("message queue: a publish was lost; resync announced")
                    self._handle_emit(message)  # the queue skips our own messages
                    return
                delay = min(delay * 2, 10.0)
        finally:
            self._announcing = False

    def resync(self, why: str = "") -> None:
        """Tell this process's sockets that events may have been lost: each client
        joins its rooms again and takes the catch-up (INTERFACES: `resync`)."""
        if self.server is None:
            return
        count = sum(1 for _ in self.get_participants("/", None))
        log.warning(
            "message queue: Redis is back (%s); %d socket(s) told to resync",
            why,
            count,
        )
        self.emit(
            RESYNC_EVENT, {"reason": "message_queue"}, namespace="/", ignore_queue=True
        )
