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
publishing connection): the process keeps it and publishes it again as soon as
Redis takes a message (`_publish_lost`); only if more than LOST_KEPT were lost does
it announce a `resync` to every process instead.
"""

from __future__ import annotations

import collections
import logging
import time
from datetime import UTC, datetime

import socketio

log = logging.getLogger("ortsverein.realtime")
RESYNC_EVENT = "resync"
LOST_KEPT = 1000  # events kept to publish again after Redis is back


class ResyncingRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager that tells clients to catch up after a gap."""

    _announcing = False
    _overflowed = False
    _last_heard = 0.0  # when the subscription last brought a message

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lost: collections.deque = collections.deque()

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

    def _listen(self):  # pragma: no cover (the queue's own loop)
        for data in super()._listen():
            self._last_heard = time.time()
            yield data

    def _subscription_restored(self, _connection) -> None:
        """redis-py reconnected the subscription by itself (inside its read, under
        its lock): tell the sockets from a task of their own."""
        if self.server is not None:
            self.server.start_background_task(self.resync, "resubscribed by redis-py")

    def _publish(self, data):
        result = super()._publish(data)
        # RedisManager answers Redis' receiver count, or None when it gave up.
        if result is None and self.server is not None:
            if len(self._lost) < LOST_KEPT:
                self._lost.append(data)
            else:
                self._overflowed = True
            if not self._announcing:
                self._announcing = True
                self.server.start_background_task(self._publish_lost)
        return result

    def _publish_lost(self) -> None:  # pragma: no cover (only under faults)
        """Events of ours that never reached the queue (our own sockets had them):
        once Redis takes a message again, publish them after all, in order, so the
        other processes' clients get them late rather than never. (A catch-up after
        `resync` could not be trusted with them: it asks for posts after the last
        id a client has, and a post numbered before one it has already seen would
        stay missing.) Beyond LOST_KEPT of them every process is told to resync."""
        delay = 1.0
        try:
            while True:
                self.server.sleep(delay)
                delay = min(delay * 2, 10.0)
                while self._lost:
                    if super()._publish(self._lost[0]) is None:
                        break
                    self._lost.popleft()
                if self._lost:
                    continue
                log.warning("message queue: lost events published again")
                if self._overflowed:
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
                    if super()._publish(message) is None:
                        continue
                    self._overflowed = False
                    log.warning("message queue: too many lost events; resync sent")
                    self._handle_emit(message)  # the queue skips our own messages
                return
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
        # The gap began after the last message heard (at most an hour ago): the
        # client asks for what was written since then too, as a post published
        # by another process in the gap may be numbered before one that this
        # process delivered meanwhile.
        since = max(self._last_heard or 0.0, time.time() - 3600) - 2
        payload = {
            "reason": "message_queue",
            "since": datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds"),
        }
        self.emit(RESYNC_EVENT, payload, namespace="/", ignore_queue=True)
