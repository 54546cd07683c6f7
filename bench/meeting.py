"""A live meeting of one branch with --members members in the room; prints numbers,
never pass/fail.

Seeds one branch with --members members (default 300) and a chair (the branch's
organiser), a meeting with --moves + 1 agenda items, started; API tokens are written
to the database (token logins are rate-limited). Serves the app as bench/live.py does
(`ortsverein serve`: gunicorn, one worker, production configuration) and
connects one real Socket.IO client per member (python-socketio's AsyncClient over
aiohttp, WebSocket transport) that joins `meeting:ID` with `check_in: true`, plus the
chair's client, which joins without checking in. Every join pushes `presence` to the
room and check-ins a coalesced `attendance_changed`, so the bench waits until both
have died down and then checks the chair's attendance list. Then, on one monotonic
clock in this process:

(1) the chair moves the agenda --moves times (socket action `next_item`): time from
    the chair's emit to each member receiving `agenda_changed` with the new item;
(2) the chair starts a live vote (POST /api/v1/meetings/ID/votes): time from the
    POST to each member's `vote_started`; the electorate must be the members present;
(3) every member casts a ballot over HTTP (POST /api/v1/polls/ID/ballots),
    --concurrency at a time: ballots/second;
(4) the chair closes the vote (POST .../votes/ID/close): time to each member's
    `vote_closed`, whose counts are checked against the ballots cast, in every
    member's payload.

Baseline in the same run: a minimal Flask-SocketIO app in this file (no database, no
permission checks), served by gunicorn with the same settings, to which the same
number of clients connect and join one room; a sender asks it to emit the very
payloads the app sent (same event names, same sizes) with a bare `socketio.emit` to
the room, and the same latencies are measured. "last" is the time to the last member
of a round (median over the rounds), what a chair waits for before everyone sees it.
This process is the load generator for all clients: its CPU share is printed, and
near 100 % it would be adding its own delay to the latencies.
Needs aiohttp (pip install aiohttp), which the app itself does not.
Usage: python bench/meeting.py [--members 300] [--moves 10] [--concurrency 16]
       [--postgresql | --database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.forum import (  # noqa: E402
    cpu_seconds,
    load,
    machine,
    on_database,
    percentile,
    production_async_mode,
    serve_one_process,
    start_app,
    stop,
    worker_class,
)
from bench.live import LogCounter, raise_fd_limit, settle  # noqa: E402
from models import (  # noqa: E402
    Member,
    Organisation,
    OrgLevel,
    Role,
    RoleName,
    utcnow,
)
from tests.servers import free_port, wait_for_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ("agenda_changed", "vote_started", "vote_closed")

# --- seeding ------------------------------------------------------------------------


@dataclass
class Seeded:
    meeting_id: int
    items: list[int]  # agenda item ids in order; the first is current
    chair_token: str
    tokens: list[str]  # one per member, in member order
    seconds: float


def seed(url: str, instance: Path, members: int, moves: int) -> Seeded:
    """Migrate an empty database; the members by bulk insert, the meeting through
    the services (created and started by the chair)."""
    from meetings.services import (
        ItemInput,
        MeetingInput,
        create_meeting,
        start,
    )
    from ortsverein import create_app
    from ortsverein.auth.tokens import create_api_token
    from ortsverein.db import db, write_intent
    from ortsverein.migrate import upgrade

    t0 = time.perf_counter()
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(instance))
    try:
        with app.test_request_context(), write_intent():
            session = db.session
            if session.scalar(select(Member.id).limit(1)) is not None:
                raise SystemExit(f"{url} already has members; give an empty database")
            bund = Organisation(name="Bund", slug="bund", level=OrgLevel.BUND, path="/")
            session.add(bund)
            session.flush()
            bund.path = f"/{bund.id}/"
            branch = Organisation(
                name="OV Sitzung",
                slug="ov-sitzung",
                level=OrgLevel.ORTSVEREIN,
                parent=bund,
                path="/",
            )
            session.add(branch)
            session.flush()
            branch.path = f"{bund.path}{branch.id}/"
            now = utcnow()
            common = {
                "home_branch_id": branch.id,
                "active": True,
                "activated_at": now,
                "session_version": 1,
                "totp_enabled": False,
                "created_at": now,
                "updated_at": now,
            }
            session.execute(
                insert(Member),
                [
                    {
                        "membership_number": "S-CHAIR",
                        "first_name": "Clara",
                        "last_name": "Vorsitz",
                        "email": "vorsitz@example.org",
                        **common,
                    }
                ]
                + [
                    {
                        "membership_number": f"S-{i:06d}",
                        "first_name": "Mitglied",
                        "last_name": f"Nummer {i}",
                        "email": f"mitglied{i}@example.org",
                        **common,
                    }
                    for i in range(members)
                ],
            )
            chair = session.scalar(
                select(Member).where(Member.membership_number == "S-CHAIR")
            )
            session.add(
                Role(member=chair, organisation=branch, role=RoleName.ORGANISER)
            )
            session.commit()
            rows = session.scalars(
                select(Member)
                .where(Member.membership_number.like("S-0%"))
                .order_by(Member.membership_number)
            ).all()
            chair_token = create_api_token(session, chair, "bench")
            tokens = [create_api_token(session, m, "bench") for m in rows]
            session.commit()
            starts = now + timedelta(minutes=5)
            meeting = create_meeting(
                session,
                chair,
                MeetingInput(
                    org_id=branch.id,
                    title="Mitgliederversammlung (Bench)",
                    body="Tagesordnung siehe unten.",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    quorum=members // 2,
                    items=[
                        ItemInput(
                            title=f"TOP {n + 1}: Bericht und Aussprache",
                            body="Ein Absatz **Text** zum Tagesordnungspunkt. " * 4,
                        )
                        for n in range(moves + 1)
                    ],
                ),
            )
            start(session, chair, meeting)
            items = [i.id for i in meeting.items]
            meeting_id = meeting.id
        engine = app.extensions["ortsverein_db"][0]
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("COMMIT"))
                conn.execute(text("ANALYZE"))
            else:  # fold the WAL into the file, so the server starts from it
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        app.extensions["ortsverein_db"][0].dispose()
    return Seeded(meeting_id, items, chair_token, tokens, time.perf_counter() - t0)


# --- the baseline server ------------------------------------------------------------


def baseline_app(async_mode: str):
    """Join any room; `go` {room, event, payload} emits payload to the room."""
    from flask import Flask
    from flask_socketio import SocketIO, join_room

    app = Flask("baseline")
    socketio = SocketIO(app, async_mode=async_mode)

    @socketio.on("join")
    def join(data):
        join_room(data["room"])
        return {"ok": True}

    @socketio.on("go")
    def go(data):
        socketio.emit(data["event"], data["payload"], to=data["room"])
        return {"ok": True}

    return app


def serve_baseline(port: int, threads: int, async_mode: str) -> None:
    serve_one_process(baseline_app(async_mode), port, threads)


def start_baseline(port: int, threads: int, async_mode: str, log=None):
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve-baseline",
            str(port),
            "--server-threads",
            str(threads),
            "--async-mode",
            async_mode,
        ],
        env={**os.environ, "BENCH_BASELINE_GEVENT": str(int(async_mode == "gevent"))},
        cwd=ROOT,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
    )


# --- clients ------------------------------------------------------------------------


@dataclass
class Room:
    """The members' clients and what they received."""

    name: str
    clients: list = field(default_factory=list)
    arrivals: dict = field(default_factory=lambda: defaultdict(list))
    samples: dict = field(default_factory=dict)  # (event, key) -> one payload
    closed_votes: list = field(default_factory=list)  # every member's vote_closed
    presence_events: int = 0
    attendance_events: int = 0
    last_present: int | None = None
    last_presence: float = 0.0  # presence or attendance: what settle() waits out
    dropped: Counter = field(default_factory=Counter)
    connect_errors: Counter = field(default_factory=Counter)
    closing: bool = False

    def on_event(self, event: str, data) -> None:
        now = time.monotonic()
        if event == "agenda_changed":
            key = data["item"]["id"]
        else:
            key = data["vote"]["poll_id"] if data.get("vote") else None
            if event == "vote_closed":
                self.closed_votes.append(data["vote"])
        self.arrivals[(event, key)].append(now)
        self.samples.setdefault((event, key), data)

    def on_presence(self, _data=None) -> None:
        self.presence_events += 1
        self.last_presence = time.monotonic()

    def on_attendance(self, data) -> None:
        self.attendance_events += 1
        self.last_present = data.get("present")
        self.last_presence = time.monotonic()

    def on_disconnect(self, reason=None) -> None:
        if not self.closing:
            self.dropped[str(reason)] += 1


async def connect_one(room: Room, base: str, auth, join: dict, args) -> None:
    import socketio

    client = socketio.AsyncClient(reconnection=False, request_timeout=60)
    for event in EVENTS:
        client.on(event, lambda data, event=event: room.on_event(event, data))
    client.on("presence", room.on_presence)
    client.on("attendance_changed", room.on_attendance)
    client.on("disconnect", lambda reason=None: room.on_disconnect(reason))
    try:
        async with args.gate:
            await client.connect(
                base,
                auth=auth,
                transports=["websocket"],
                wait_timeout=args.connect_timeout,
            )
            ack = await client.call("join", join, timeout=args.connect_timeout)
        ok = isinstance(ack, dict) and ack.get("ok") is True
        if ok and join.get("check_in"):
            ok = ack.get("state", {}).get("me", {}).get("present") is True
        if not ok:
            raise RuntimeError(f"join refused: {str(ack)[:60]}")
    except Exception as err:  # noqa: BLE001  (counted and reported)
        room.connect_errors[f"{type(err).__name__} {err}"[:80]] += 1
        with contextlib.suppress(Exception):
            await client.disconnect()
        return
    room.clients.append(client)


async def connect_all(room: Room, base: str, auths: list, join: dict, args) -> float:
    args.gate = asyncio.Semaphore(args.connect_concurrency)
    t0 = time.monotonic()
    await asyncio.gather(*(connect_one(room, base, a, join, args) for a in auths))
    return time.monotonic() - t0


async def close_all(clients: list) -> None:
    async def close(client):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), 10)

    await asyncio.gather(*(close(c) for c in clients))


@dataclass
class Series:
    """Deliveries of one event kind: every member's latency, per round."""

    label: str
    latencies: list[float] = field(default_factory=list)
    lasts: list[float] = field(default_factory=list)
    sends: list[float] = field(default_factory=list)  # ack or HTTP response time
    rounds: int = 0
    missing: int = 0
    payload_bytes: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def add(self, sent: float, times: list[float], expected: int) -> None:
        self.rounds += 1
        self.latencies += [t - sent for t in times]
        self.missing += expected - len(times)
        if times and len(times) == expected:
            self.lasts.append(max(times) - sent)


class Cpu:
    """CPU of the server process and of this one over a stretch of wall time."""

    def __init__(self, pid: int):
        self.pid = pid
        self.cpu0, self.srv0 = time.process_time(), cpu_seconds(pid)
        self.t0 = time.time()

    def into(self, series: Series) -> None:
        wall = max(time.time() - self.t0, 1e-9)
        series.client_cpu = (time.process_time() - self.cpu0) / wall
        series.server_cpu = (cpu_seconds(self.pid) - self.srv0) / wall


async def wait_for(room: Room, key, n: int, timeout: float) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(room.arrivals.get(key, ())) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.002)
    return room.arrivals.pop(key, [])


# --- the meeting --------------------------------------------------------------------


@dataclass
class Outcome:
    members: int
    joined: int = 0
    joined_in: float = 0.0
    settled_in: float = 0.0
    presence_events: int = 0
    attendance_events: int = 0
    last_present: int | None = None
    present_listed: int | None = None
    series: dict = field(default_factory=dict)  # event -> Series
    electorate: int | None = None
    ballots_ok: int = 0
    ballot_codes: Counter = field(default_factory=Counter)
    ballot_seconds: float = 0.0
    ballot_times: list[float] = field(default_factory=list)
    ballot_cpu: tuple[float, float] = (0.0, 0.0)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str = ""
    payloads: list = field(default_factory=list)  # (event, key, payload) in order


async def run_meeting(base: str, seeded: Seeded, server, args) -> Outcome:
    import aiohttp
    import socketio

    out = Outcome(len(seeded.tokens))
    room = Room(name=f"meeting:{seeded.meeting_id}")
    log = LogCounter().install()
    chair = socketio.AsyncClient(reconnection=False, request_timeout=60)
    headers = {"Authorization": f"Bearer {seeded.chair_token}"}
    api = f"{base}/api/v1"
    timeout = aiohttp.ClientTimeout(total=args.http_timeout)
    try:
        out.joined_in = await connect_all(
            room,
            base,
            [{"token": t} for t in seeded.tokens],
            {"room": room.name, "check_in": True},
            args,
        )
        out.joined = len(room.clients)
        await chair.connect(
            base, auth={"token": seeded.chair_token}, transports=["websocket"]
        )
        ack = await chair.call("join", {"room": room.name}, timeout=60)
        if not ack.get("ok"):
            raise RuntimeError(f"the chair's join was refused: {ack}")
        out.settled_in = await settle(room, args.quiet, args.settle_limit)
        out.presence_events = room.presence_events
        out.attendance_events = room.attendance_events
        out.last_present = room.last_present
        n = out.joined
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=args.concurrency)
        ) as http:
            async with http.get(
                f"{api}/meetings/{seeded.meeting_id}/attendance",
                headers=headers,
                timeout=timeout,
            ) as r:
                out.present_listed = len((await r.json())["present"])

            # (1) the agenda
            agenda = out.series["agenda_changed"] = Series("agenda_changed")
            cpu = Cpu(server.pid)
            for move in range(args.moves):
                item_id = seeded.items[move + 1]
                sent = time.monotonic()
                ack = await chair.call(
                    "meeting",
                    {"meeting_id": seeded.meeting_id, "action": "next_item"},
                    timeout=args.http_timeout,
                )
                agenda.sends.append(time.monotonic() - sent)
                if not (isinstance(ack, dict) and ack.get("ok") is True):
                    out.failure = f"next_item answered {ack}"
                    break
                key = ("agenda_changed", item_id)
                agenda.add(sent, await wait_for(room, key, n, args.delivery_timeout), n)
                out.payloads.append((key, room.samples.get(key)))
                await asyncio.sleep(args.pause)
            cpu.into(agenda)

            # (2) a live vote starts
            started = out.series["vote_started"] = Series("vote_started")
            cpu = Cpu(server.pid)
            sent = time.monotonic()
            async with http.post(
                f"{api}/meetings/{seeded.meeting_id}/votes",
                json={
                    "title": "Antrag 1: Lastenrad für den Ortsverein",
                    "body": "Der Ortsverein schafft ein Lastenrad an.",
                    "kind": "yes_no_abstain",
                    "secret": True,
                },
                headers=headers,
                timeout=timeout,
            ) as r:
                vote = await r.json()
                started.sends.append(time.monotonic() - sent)
                if r.status != 201:
                    raise RuntimeError(f"starting the vote: {r.status} {vote}")
            poll_id, options = vote["poll_id"], [o["id"] for o in vote["options"]]
            out.electorate = vote["electorate"]
            key = ("vote_started", poll_id)
            started.add(sent, await wait_for(room, key, n, args.delivery_timeout), n)
            out.payloads.append((key, room.samples.get(key)))
            cpu.into(started)
            sample = room.samples.get(key, {}).get("vote") or {}
            counts_seen = any("count" in o for o in sample.get("options", []))
            out.checks.append(
                f"vote_started: electorate {out.electorate} (members present "
                f"{out.present_listed}); counts in the open vote's payload: "
                f"{'YES (wrong)' if counts_seen else 'none'}"
            )

            # (3) everyone votes over HTTP
            expected: Counter = Counter()
            gate = asyncio.Semaphore(args.concurrency)

            async def cast(i: int, token: str) -> None:
                choice = options[i % len(options)]
                async with gate:
                    t = time.monotonic()
                    try:
                        async with http.post(
                            f"{api}/polls/{poll_id}/ballots",
                            json={"choices": [choice]},
                            headers={"Authorization": f"Bearer {token}"},
                            timeout=timeout,
                        ) as r:
                            await r.read()
                            status = r.status
                    except (TimeoutError, aiohttp.ClientError) as err:
                        status = type(err).__name__
                    out.ballot_times.append(time.monotonic() - t)
                out.ballot_codes[status] += 1
                if status == 201:
                    expected[choice] += 1

            cpu0, srv0 = time.process_time(), cpu_seconds(server.pid)
            t0 = time.monotonic()
            await asyncio.gather(*(cast(i, t) for i, t in enumerate(seeded.tokens)))
            out.ballot_seconds = time.monotonic() - t0
            out.ballot_cpu = (
                (cpu_seconds(server.pid) - srv0) / out.ballot_seconds,
                (time.process_time() - cpu0) / out.ballot_seconds,
            )
            out.ballots_ok = out.ballot_codes.get(201, 0)
            await asyncio.sleep(args.pause)

            # (4) the chair closes the vote
            closed = out.series["vote_closed"] = Series("vote_closed")
            cpu = Cpu(server.pid)
            sent = time.monotonic()
            async with http.post(
                f"{api}/meetings/{seeded.meeting_id}/votes/{poll_id}/close",
                headers=headers,
                timeout=timeout,
            ) as r:
                summary = await r.json()
                closed.sends.append(time.monotonic() - sent)
                if r.status != 200:
                    raise RuntimeError(f"closing the vote: {r.status} {summary}")
            key = ("vote_closed", poll_id)
            closed.add(sent, await wait_for(room, key, n, args.delivery_timeout), n)
            out.payloads.append((key, room.samples.get(key)))
            cpu.into(closed)
            out.checks += verify(summary, room.closed_votes, expected, out.ballots_ok)
        for series in out.series.values():
            sample = next((p for k, p in out.payloads if k[0] == series.label), None)
            series.payload_bytes = len(json.dumps(sample)) if sample else 0
        for err, count in room.connect_errors.most_common(3):
            out.notes.append(f"{count} clients could not connect and join: {err}")
        for reason, count in room.dropped.most_common(3):
            out.notes.append(f"{count} sockets ended early: {reason}")
        for message, count in log.counts.most_common(3):
            out.notes.append(f"client library, {count} x: {message}")
    except Exception as err:  # noqa: BLE001  (printed with what was measured)
        out.failure = f"{type(err).__name__}: {err}"[:300]
    finally:
        room.closing = True
        log.setLevel(logging.CRITICAL + 1)  # sockets of a stopped server complain
        await asyncio.get_running_loop().run_in_executor(None, stop, server)
        await close_all([*room.clients, chair])
        log.remove()
    return out


def verify(summary: dict, payloads: list, expected: Counter, cast: int) -> list[str]:
    """The closed vote's counts against the ballots the server accepted."""
    want = {o: expected.get(o, 0) for o in (opt["id"] for opt in summary["options"])}
    got = {o["id"]: o.get("count") for o in summary["options"]}
    ballots = summary.get("result", {}).get("ballots")
    lines = [
        f"close response: counts {got}, ballots {ballots} == ballots cast {want}, "
        f"{cast}: {'yes' if got == want and ballots == cast else 'NO'}"
    ]
    agree = sum(
        1
        for vote in payloads
        if vote
        and {o["id"]: o.get("count") for o in vote["options"]} == want
        and vote.get("result", {}).get("ballots") == cast
    )
    lines.append(
        f"vote_closed payloads with exactly these counts: {agree} of {len(payloads)}"
    )
    return lines


# --- the baseline -------------------------------------------------------------------


async def run_baseline(base: str, server, n: int, payloads: list, args) -> dict:
    """The same payloads, in the same order, from a bare emit to n clients."""
    import socketio

    room = Room(name="meeting:1")
    sender = socketio.AsyncClient(reconnection=False, request_timeout=60)
    result: dict = {}  # event -> Series, and "_notes"
    log = LogCounter().install()
    try:
        await connect_all(room, base, [None] * n, {"room": room.name}, args)
        await sender.connect(base, transports=["websocket"])
        joined = len(room.clients)
        for (event, key), payload in payloads:
            if payload is None:
                continue
            series = result.setdefault(event, Series(event))
            cpu = Cpu(server.pid)
            sent = time.monotonic()
            await sender.call(
                "go", {"room": room.name, "event": event, "payload": payload}
            )
            series.sends.append(time.monotonic() - sent)
            times = await wait_for(room, (event, key), joined, args.delivery_timeout)
            series.add(sent, times, joined)
            series.payload_bytes = len(json.dumps(payload))
            cpu.into(series)  # the last round's share (rounds are alike)
            await asyncio.sleep(args.pause)
        notes = result["_notes"] = []
        if joined < n:
            notes.append(f"only {joined} of {n} baseline clients connected")
        for message, count in log.counts.most_common(3):
            notes.append(f"baseline client library, {count} x: {message}")
    finally:
        room.closing = True
        log.setLevel(logging.CRITICAL + 1)  # sockets of a stopped server complain
        await asyncio.get_running_loop().run_in_executor(None, stop, server)
        await close_all([*room.clients, sender])
        log.remove()
    return result


# --- report -------------------------------------------------------------------------

HEADER = (
    f"  {'event':<15} {'server':<9} {'rounds':>6} {'bytes':>6} {'deliv.':>6} "
    f"{'miss':>4} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'last ms':>7} "
    f"{'send ms':>7} {'srv CPU':>7} {'gen CPU':>7}"
)


def row(event: str, server: str, s: Series | None) -> str:
    if s is None or not s.rounds:
        return f"  {event:<15} {server:<9} (not measured)"
    ms = [1000 * x for x in s.latencies]
    return (
        f"  {event:<15} {server:<9} {s.rounds:6d} {s.payload_bytes:6d} "
        f"{len(ms):6d} {s.missing:4d} {percentile(ms, 50):7.1f} "
        f"{percentile(ms, 99):7.1f} {max(ms, default=float('nan')):7.1f} "
        f"{1000 * statistics.median(s.lasts or [float('nan')]):7.1f} "
        f"{1000 * statistics.median(s.sends or [float('nan')]):7.1f} "
        f"{100 * s.server_cpu:6.0f}% {100 * s.client_cpu:6.0f}%"
    )


def report(kind: str, out: Outcome, baseline: dict, args) -> None:
    print(
        f"{kind}: {out.joined} of {out.members} members connected and checked in, in "
        f"{out.joined_in:.1f} s; room quiet after {out.settled_in:.1f} s more "
        f"({out.presence_events} presence and {out.attendance_events} "
        f"attendance_changed events received, the last saying present="
        f"{out.last_present}); the chair's attendance list: {out.present_listed} "
        "present",
        flush=True,
    )
    print(HEADER)
    for event in EVENTS:
        print(row(event, "app", out.series.get(event)))
        print(row(event, "bare emit", baseline.get(event)))
    if out.ballot_codes:
        ms = [1000 * t for t in out.ballot_times]
        codes = ", ".join(f"{n} x {c}" for c, n in sorted(out.ballot_codes.items()))
        print(
            f"  ballots over HTTP, {args.concurrency} concurrent: {codes} in "
            f"{out.ballot_seconds:.2f} s = {out.ballots_ok / out.ballot_seconds:.0f} "
            f"ballots/s; per ballot p50 {percentile(ms, 50):.0f} ms, p90 "
            f"{percentile(ms, 90):.0f} ms, p99 {percentile(ms, 99):.0f} ms, max "
            f"{max(ms):.0f} ms; srv CPU {100 * out.ballot_cpu[0]:.0f}%, "
            f"gen CPU {100 * out.ballot_cpu[1]:.0f}%"
        )
    for line in out.checks:
        print(f"  check: {line}")
    if out.failure:
        print(f"  FAILED: {out.failure}")
    for note in out.notes + baseline.get("_notes", []):
        print(f"  note: {note}")
    print(f"{kind}: after the run: {load()}")
    print(
        "  deliv./miss: events received/not received within "
        f"{args.delivery_timeout:g} s over all rounds; p50/p99/max: every member's "
        "time from the chair's emit (agenda) or POST (votes) to the event; last: to "
        "the last member of a round (median of rounds); send: the chair's ack or the "
        "POST's response time (median); bytes: the payload as JSON; CPU: the server "
        "process's and this process's CPU during the rounds (100 % = one core)."
    )


def bench(kind: str, url: str, args, tmp: Path) -> None:
    from gunicorn.config import Config

    seeded = seed(url, tmp / f"{kind}-seed", args.members, args.moves)
    threads = args.server_threads or args.members + 1 + args.concurrency + 64
    mode = production_async_mode()
    print(
        f"{kind}: seeded {args.members} members, a chair and a running meeting of "
        f"{args.moves + 1} items in {seeded.seconds:.1f} s. Socket.IO async mode "
        f"{mode!r}; `ortsverein serve` (gunicorn, 1 {worker_class()} worker, {threads} "
        f"threads, worker_connections {threads + 100} as serve sets them); WebSocket "
        f"transport; the baseline on gunicorn with {threads} threads and its default "
        f"{Config().worker_connections} connections",
        flush=True,
    )
    logs = contextlib.ExitStack()
    try:
        log = (
            logs.enter_context(open(f"{args.server_log}.{kind}.app", "w"))  # noqa: SIM115
            if args.server_log
            else None
        )
        port = free_port()
        server = start_app(url, port, threads, tmp / f"{kind}-app", log)
        try:
            wait_for_port(port, 60)
            out = asyncio.run(
                run_meeting(f"http://127.0.0.1:{port}", seeded, server, args)
            )
        finally:
            stop(server)
        log = (
            logs.enter_context(open(f"{args.server_log}.{kind}.baseline", "w"))  # noqa: SIM115
            if args.server_log
            else None
        )
        port = free_port()
        server = start_baseline(port, threads, mode, log)
        try:
            wait_for_port(port, 60)
            baseline = asyncio.run(
                run_baseline(
                    f"http://127.0.0.1:{port}",
                    server,
                    out.joined or args.members,
                    out.payloads,
                    args,
                )
            )
        finally:
            stop(server)
    finally:
        logs.close()
    report(kind, out, baseline, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300, help="members in the room")
    parser.add_argument("--moves", type=int, default=10, help="agenda moves")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="ballots in flight at once"
    )
    parser.add_argument("--server-threads", type=int, help="gunicorn threads")
    parser.add_argument("--server-log", help="write the servers' output to LOG.<db>.*")
    parser.add_argument("--connect-concurrency", type=int, default=10)
    parser.add_argument("--connect-timeout", type=float, default=120.0)
    parser.add_argument("--pause", type=float, default=0.3, help="s between rounds")
    parser.add_argument("--quiet", type=float, default=2.0, help="event-free s")
    parser.add_argument("--settle-limit", type=float, default=300.0)
    parser.add_argument("--http-timeout", type=float, default=60.0)
    parser.add_argument("--delivery-timeout", type=float, default=10.0)
    parser.add_argument("--database-url", help="an empty database (default: SQLite)")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="start a throwaway PostgreSQL server as the tests do and use it",
    )
    parser.add_argument("--serve-baseline", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--async-mode", default="threading", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline, args.server_threads, args.async_mode)
        return
    if args.members < 3 or args.moves < 1 or args.concurrency < 1:
        parser.error("--members >= 3, --moves >= 1, --concurrency >= 1")
    try:
        import aiohttp  # noqa: F401
        import socketio  # noqa: F401
    except ImportError as err:
        raise SystemExit(
            f"{err}: pip install aiohttp (python-socketio's async client)"
        ) from None
    print(f"machine: {machine()}")
    print(f"open-file limit: {raise_fd_limit(4 * args.members + 1024)}")
    on_database(bench, args, "meeting.db")


if __name__ == "__main__":
    main()
