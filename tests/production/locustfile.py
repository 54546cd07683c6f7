"""Load on the production tier (run headless by test_faults.py): members reading
forum pages, posting, voting in the open poll, and Socket.IO clients in thread and
meeting rooms. Everything acknowledged or received is written to OUT/*.json when
locust quits, for the test to check against the database.

The plan comes from the file in ORTSVEREIN_LOAD_PLAN (JSON, written by the test).
Each user sends its own client address (X-Forwarded-For, which the site trusts from
127.0.0.1 only), so nginx's ip_hash spreads the users over the app processes as it
would spread members coming from many addresses.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path

import socketio
from locust import HttpUser, User, between, constant, events, task

PLAN = json.loads(Path(os.environ["ORTSVEREIN_LOAD_PLAN"]).read_text())
OUT = Path(PLAN["out"])
log = logging.getLogger("load")
CA = os.environ["REQUESTS_CA_BUNDLE"]  # the tier's self-signed certificate
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

posts: list[dict] = []  # every attempt: marker, status, id
ballots: list[dict] = []  # every attempt: member, status, receipt
watchers: list[dict] = []  # per socket client: room, thread, seen ids, connected
_lock = threading.Lock()
_numbers = itertools.count()


def address(n: int) -> str:
    # Distinct first three octets: ip_hash keys on those.
    return f"10.{n // 200 % 250}.{n % 200}.7"


def member(n: int) -> dict:
    return PLAN["members"][n % len(PLAN["members"])]


class Reader(HttpUser):
    """Browses the forum pages as a logged-in member (cookie, CSRF)."""

    fixed_count = PLAN["readers"]
    wait_time = between(0.5, 1.5)

    def on_start(self):
        n = next(_numbers)
        self.client.verify = CA
        self.client.headers["X-Forwarded-For"] = address(n)
        # An ordinary member: staff would be sent to set up two-factor first.
        who = PLAN["voters"][n % len(PLAN["voters"])]
        page = self.client.get("/login", name="/login")
        token = CSRF_RE.search(page.text)
        with self.client.post(
            "/login",
            data={
                "csrf_token": token.group(1) if token else "",
                "email": who["email"],
                "password": PLAN["password"],
            },
            headers={"Referer": f"{self.host}/login"},  # CSRF over https
            name="/login",
            catch_response=True,
        ) as response:
            if response.url.endswith("/login"):
                response.failure("not logged in")

    @task(1)
    def forums(self):
        self.client.get("/forums/", name="/forums/")

    @task(2)
    def forum(self):
        self.client.get(f"/forums/{PLAN['forum']}", name="/forums/[id]")

    @task(4)
    def thread(self):
        self.client.get(
            f"/forums/threads/{random.choice(PLAN['threads'])}",
            name="/forums/threads/[id]",
        )


class Poster(HttpUser):
    """Reads a thread over the API and posts to it, until the plan says stop."""

    fixed_count = PLAN["posters"]
    wait_time = between(0.8, 1.6)

    def on_start(self):
        n = next(_numbers)
        self.client.verify = CA
        self.client.headers["X-Forwarded-For"] = address(n)
        self.client.headers["Authorization"] = f"Bearer {member(n)['token']}"

    @task(1)
    def read(self):
        self.client.get(
            f"/api/v1/threads/{random.choice(PLAN['threads'])}/posts",
            name="/api/v1/threads/[id]/posts",
        )

    @task(2)
    def post(self):
        if time.time() > PLAN["post_until"]:
            return
        thread = random.choice(PLAN["threads"])
        marker = f"load-{uuid.uuid4().hex}"
        record = {"marker": marker, "thread": thread, "status": 0, "id": None}
        try:
            with self.client.post(
                f"/api/v1/threads/{thread}/posts",
                json={"body": f"Lastprobe {marker}"},
                name="POST /api/v1/threads/[id]/posts",
                catch_response=True,
            ) as response:
                record["status"] = response.status_code
                if response.status_code == 201:
                    record["id"] = response.json()["id"]
                    response.success()
        finally:
            record["at"] = time.time()
            with _lock:
                posts.append(record)


class Voter(HttpUser):
    """Casts the ballots of its share of the voters, each until it is acknowledged
    (201) or the server says it is already there (409: an earlier attempt whose
    answer was lost in a fault)."""

    fixed_count = PLAN["voter_users"]
    wait_time = between(0.5, 1.5)

    def on_start(self):
        n = next(_numbers)
        self.client.verify = CA
        self.client.headers["X-Forwarded-For"] = address(n)
        share = PLAN["voters"][n % self.fixed_count :: self.fixed_count]
        self.todo = list(share)

    @task
    def vote(self):
        if not self.todo:
            return
        who = self.todo[0]
        poll = PLAN["poll"]
        record = {"member": who["member_id"], "status": 0, "receipt": None}
        try:
            with self.client.post(
                f"/api/v1/polls/{poll['id']}/ballots",
                json={"choices": [random.choice(poll["options"])]},
                headers={"Authorization": f"Bearer {who['token']}"},
                name="POST /api/v1/polls/[id]/ballots",
                catch_response=True,
            ) as response:
                record["status"] = response.status_code
                if response.status_code == 201:
                    record["receipt"] = response.json()["receipt"]
                    response.success()
                    self.todo.pop(0)
                elif 400 <= response.status_code < 500:
                    # 409 already_voted: an earlier attempt whose answer was lost;
                    # another refusal (not eligible) is final too.
                    response.success()
                    self.todo.pop(0)
        finally:
            record["at"] = time.time()
            with _lock:
                ballots.append(record)


class Watcher(User):
    """A member's open page: a socket in a thread room, or in a meeting room and
    the thread of its current item, as forum.js and meeting.js do: on every
    (re)connect and `resync` it joins again with the last post it has and takes
    the catch-up."""

    fixed_count = PLAN["watchers"]
    wait_time = constant(1)

    def on_start(self):
        n = next(_numbers)
        self.n = n
        who = member(n)
        self.token = who["token"]
        self.addr = address(n)
        meeting = PLAN.get("meeting")
        self.meeting_room = (
            f"meeting:{meeting['id']}" if meeting and n % 4 == 0 else None
        )
        self.thread = (
            meeting["thread_id"]
            if self.meeting_room
            else PLAN["threads"][n % len(PLAN["threads"])]
        )
        self.after = PLAN["after"][str(self.thread)]
        self.seen: set[int] = set()
        self.joins = 0
        self.connects = 0
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=3,
        )
        self.resyncs = 0
        self.attempts = 0
        self.refused: list[str] = []
        self.sio.on("connect", self._connected)
        self.sio.on("resync", self._resync)
        self.sio.on("post_created", self._post)
        self._connect()

    def _connect(self):
        try:
            self.sio.connect(
                self.host,
                headers={"X-Forwarded-For": self.addr},
                auth={"token": self.token},
                # The client's address goes with the WebSocket handshake; the
                # engine.io client would not repeat it on long-polling requests.
                transports=["websocket"],
                wait_timeout=15,
            )
        except Exception as err:  # noqa: BLE001  (the task tries again)
            log.info("watcher %s: connect failed: %s", self.n, err)

    def _connected(self):
        self.connects += 1
        self._join()

    def _resync(self, payload=None):
        """The server lost events (Redis was away): join again and catch up, as
        forum.js and meeting.js do, without a reconnect (with the gap's start)."""
        self.resyncs += 1
        self._join(payload.get("since") if isinstance(payload, dict) else None)

    def _join(self, since=None):
        if self.meeting_room:
            self.sio.emit("join", {"room": self.meeting_room})
        self.attempts += 1
        room = f"thread:{self.thread}"
        last = max(self.seen, default=self.after)
        request = {"room": room, "after": last}
        if since:
            request["since"] = since
        self.sio.emit("join", request, callback=self._joined)

    def _joined(self, ack):
        if not isinstance(ack, dict) or not ack.get("ok"):
            self.refused.append(repr(ack)[:200])
            if isinstance(ack, dict) and ack.get("error") == "unavailable":
                # Database or Redis away for a moment: ask again, as forum.js.
                timer = threading.Timer(2 + random.random() * 3, self._join)
                timer.daemon = True
                timer.start()
            return
        self.joins += 1
        for post in ack.get("posts", []):
            self._add(post["id"])
        if ack.get("more"):
            self._fetch_rest()

    def _fetch_rest(self):
        """The page would say "more posts, reload": read them over the API."""
        import requests

        after = max(self.seen, default=self.after)
        url = f"{self.host}/api/v1/threads/{self.thread}/posts?after={after}"
        while url:
            body = requests.get(
                url,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "X-Forwarded-For": self.addr,
                },
                timeout=10,
            ).json()
            for post in body["items"]:
                self._add(post["id"])
            url = body.get("next")

    def _post(self, payload):
        if payload.get("thread_id") == self.thread:
            self._add(payload["post"]["id"])

    def _add(self, post_id: int):
        if post_id > self.after:
            self.seen.add(post_id)

    @task
    def stay(self):
        if not self.sio.connected and not getattr(self.sio, "_reconnect_task", None):
            self._connect()

    def on_stop(self):
        with _lock:
            watchers.append(
                {
                    "n": self.n,
                    "thread": self.thread,
                    "meeting": self.meeting_room,
                    "after": self.after,
                    "seen": sorted(self.seen),
                    "connected": self.sio.connected,
                    "connects": self.connects,
                    "resyncs": self.resyncs,
                    "joins": self.joins,
                    "join_attempts": self.attempts,
                    "refused": self.refused,
                }
            )
        # No goodbye: a clean disconnect waits for the read loop of every client
        # in turn (minutes for 200); the sockets close when locust exits.
        self.sio.reconnection = False


@events.quitting.add_listener
def _write_results(environment, **_kwargs):
    OUT.mkdir(parents=True, exist_ok=True)
    with _lock:
        (OUT / "posts.json").write_text(json.dumps(posts))
        (OUT / "ballots.json").write_text(json.dumps(ballots))
        (OUT / "watchers.json").write_text(json.dumps(watchers))
