"""Delivery latency of a new post to many live readers; prints numbers, never
pass/fail.

For each size of --clients (default 500, then 1,000) on freshly started servers:
connects that many real Socket.IO clients (python-socketio's AsyncClient over aiohttp,
WebSocket transport, one connection each, authenticated with API tokens of --members
members) to one thread; each joins the thread's room and waits for the `{"ok": true}`
acknowledgement. Every join pushes `presence` to the whole room, so the bench waits
until that has died down. Then it sends --posts replies over HTTP
(POST /api/v1/threads/<id>/posts), one after the other, and records per client when
`post_created` arrived, relative to the moment the POST was sent (one machine, one
monotonic clock). Targets: p99 under 100 ms for 500 clients, under 150 ms for 1,000.

The server is `ortsverein serve` (gunicorn, one worker) with the production
configuration; the Socket.IO async mode it uses (config.py, SOCKETIO_ASYNC_MODE:
gevent, so a gevent worker) is printed. With threading, a gthread worker holds one
thread per open socket, so the servers get
--server-threads (default: their share of the clients plus headroom; serve's own
default is 50). With --processes N > 1 it is the README's production set-up: N such
processes on their own ports sharing a (throwaway) Redis message queue, the clients
spread over them, the posts sent to the first.
This process is the load generator: its CPU share is printed, and near 100 % it
would be adding its own delay to the latencies.
With --page-load N (comma-separated), each size runs again while N keep-alive
connections load the thread page (logged in, 20 posts) as bench/forum.py's
saturation run does, from a process of their own: the live post under page load.
In one process (no --page-processes) the POST then waits its turn among the page
requests (ortsverein/serving.py), so its own response time (POST ms) is part of
every latency. With --page-processes P, P more processes take the page load and
nothing else, at niceness --page-nice: the production set-up of deploy/, where
nginx sends the reads to page processes at a lower CPU priority and the sockets
and writes to live processes.
Needs aiohttp (pip install aiohttp), which the app itself does not.
Usage: python bench/live.py [--clients 500,1000] [--posts 10] [--processes N]
       [--page-load 0,8,64] [--page-processes P] [--page-nice 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.forum import (  # noqa: E402
    PASSWORD,
    Run,
    cpu_seconds,
    hammer,
    load,
    login,
    machine,
    on_database,
    percentile,
    production_async_mode,
    seed,
    start_app,
    stop,
    worker_class,
)
from ortsverein.cli import allow_open_files  # noqa: E402
from tests.servers import (  # noqa: E402
    RedisServer,
    free_port,
    wait_for_port,
)

TARGETS_MS = {500: 100.0, 1000: 150.0}  # the targets: p99 per client count


class LogCounter(logging.Handler):
    """Counts what the client library warns about (why sockets end) instead of
    printing it once per socket."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.counts: Counter = Counter()

    def emit(self, record) -> None:
        self.counts[f"{record.name}: {record.getMessage()[:70]}"] += 1

    def install(self) -> LogCounter:
        for name in ("engineio.client", "socketio.client"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.WARNING)  # a level set: the library adds none
            logger.propagate = False
            logger.addHandler(self)
        return self

    def remove(self) -> None:
        for name in ("engineio.client", "socketio.client"):
            logging.getLogger(name).removeHandler(self)


@dataclass
class Fleet:
    """The clients and what they received."""

    room: str
    clients: list = field(default_factory=list)
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    presence_events: int = 0
    last_presence: float = 0.0
    dropped: Counter = field(default_factory=Counter)  # (reason, process) -> n
    connect_errors: Counter = field(default_factory=Counter)
    closing: bool = False

    def on_post(self, data) -> None:
        now = time.monotonic()
        self.arrivals.setdefault(data["post"]["id"], []).append(now)

    def on_presence(self, _data=None) -> None:
        self.presence_events += 1
        self.last_presence = time.monotonic()

    def on_disconnect(self, process: int, reason=None) -> None:
        if not self.closing:
            self.dropped[(str(reason), process)] += 1


async def connect_one(fleet: Fleet, base: str, process: int, token: str, args):
    import socketio

    client = socketio.AsyncClient(reconnection=False, request_timeout=60)
    client.on("post_created", fleet.on_post)
    client.on("presence", fleet.on_presence)
    client.on("disconnect", lambda reason=None: fleet.on_disconnect(process, reason))
    try:
        async with args.gate:
            await client.connect(
                base,
                auth={"token": token},
                transports=["websocket"],
                wait_timeout=args.connect_timeout,
            )
            ack = await client.call(
                "join", {"room": fleet.room}, timeout=args.connect_timeout
            )
        if not (isinstance(ack, dict) and ack.get("ok") is True):
            raise RuntimeError(f"join refused: {ack!r}")
    except Exception as err:  # noqa: BLE001  (counted and reported)
        fleet.connect_errors[f"{type(err).__name__} {err}"[:80]] += 1
        with contextlib.suppress(Exception):
            await client.disconnect()
        return
    fleet.clients.append(client)


async def settle(fleet: Fleet, quiet: float, limit: float) -> float:
    """Wait until no presence event came for `quiet` seconds; seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        await asyncio.sleep(0.2)
        if time.monotonic() - max(fleet.last_presence, t0) >= quiet:
            break
    return time.monotonic() - t0


@dataclass
class Measured:
    clients: int
    joined: int = 0
    joined_in: float = 0.0
    presence_events: int = 0
    latencies: list[float] = field(default_factory=list)
    post_times: list[float] = field(default_factory=list)
    spreads: list[float] = field(default_factory=list)
    slowest: list[float] = field(default_factory=list)  # per post: its last arrival
    missing: int = 0
    posts: int = 0
    failure: str = ""
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    dropped: int = 0  # sockets closed by the server or the network before the end
    notes: list[str] = field(default_factory=list)
    page_load: int = 0  # keep-alive connections loading a thread page meanwhile
    pages: list = field(default_factory=list)  # per page process: req/s, p50, p99


async def post_and_collect(fleet: Fleet, http, post_url: str, token: str, m, args):
    """Send the posts one after the other; collect every client's arrival time."""
    import aiohttp

    n = len(fleet.clients)
    servers = args.server_pids
    cpu0, srv0, t0 = time.process_time(), sum(map(cpu_seconds, servers)), time.time()
    for i in range(args.posts):
        sent = time.monotonic()
        try:
            async with http.post(
                post_url,
                json={"body": f"Beitrag {i + 1} für **{n}** Lesende."},
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientTimeout(total=args.post_timeout),
            ) as response:
                payload = await response.json(content_type=None)
                answered = time.monotonic()
                if response.status != 201:
                    m.failure = f"POST answered {response.status}: {payload}"
                    break
        except (TimeoutError, aiohttp.ClientError) as err:
            m.failure = (
                f"POST not answered within {args.post_timeout:g} s "
                f"({type(err).__name__}) with {n} sockets open"
            )
            break
        post_id = payload["id"]
        deadline = answered + args.delivery_timeout
        while len(fleet.arrivals.get(post_id, ())) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        times = fleet.arrivals.pop(post_id, [])
        m.posts += 1
        m.post_times.append(answered - sent)
        m.latencies += [t - sent for t in times]
        m.missing += n - len(times)
        if times:
            m.spreads.append(max(times) - min(times))
            m.slowest.append(max(times) - sent)
        await asyncio.sleep(args.pause)
    wall = time.time() - t0
    m.client_cpu = (time.process_time() - cpu0) / wall
    m.server_cpu = (sum(map(cpu_seconds, servers)) - srv0) / wall


def start_page_load(base: str, cookie: str, path: str, connections: int, server_pid):
    """The saturation load of bench/forum.py in a process of its own (its threads
    must not slow this one's clients): `connections` keep-alive connections
    loading the thread page, each sending the next request when the answer
    arrives, until its stdin closes; it then prints its numbers as JSON."""
    job = {
        "port": int(base.rpartition(":")[2]),
        "path": path,
        "cookie": cookie,
        "connections": connections,
        "server_pid": server_pid,
    }
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--page-load-worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ), json.dumps(job)


def page_load_worker() -> None:
    job = json.loads(sys.stdin.readline())
    until = threading.Event()

    def wait_for_eof():
        sys.stdin.read()
        until.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    run = Run("page load")
    hammer(
        job["port"],
        [job["path"]],
        job["cookie"],
        job["connections"],
        3600.0,
        job["server_pid"],
        run,
        until,
    )
    print(
        json.dumps(
            {
                "rps": run.rps[0],
                "p50": 1000 * percentile(run.latencies, 50),
                "p99": 1000 * percentile(run.latencies, 99),
                "errors": run.errors,
            }
        )
    )


async def one_size(size: int, bases, tokens, thread_id: int, stop_servers, args):
    """Connect `size` clients, post, measure; then stop the servers and let go."""
    import aiohttp

    m = Measured(size)
    log = LogCounter().install()
    fleet = Fleet(room=f"thread:{thread_id}")
    args.gate = asyncio.Semaphore(args.connect_concurrency)
    try:
        t0 = time.monotonic()
        await asyncio.gather(
            *(
                connect_one(
                    fleet,
                    bases[i % len(bases)],
                    i % len(bases) + 1,
                    tokens[i % len(tokens)],
                    args,
                )
                for i in range(size)
            )
        )
        m.joined, m.joined_in = len(fleet.clients), time.monotonic() - t0
        await settle(fleet, args.quiet, args.settle_limit)
        m.presence_events = fleet.presence_events
        if fleet.clients:
            # The load generator's own garbage collection (a full pass over 1,000
            # clients' objects) must not show up as the server's latency.
            gc.collect()
            gc.freeze()
            gc.disable()
            loaders = []
            if args.page_load_now:
                m.page_load = args.page_load_now
                # Pages go to the page processes when there are any (nginx's
                # split), else to process 1, which also takes the posts.
                targets = list(zip(args.page_bases, args.page_pids, strict=True)) or [
                    (bases[0], args.server_pids[0])
                ]
                for i, (base, pid) in enumerate(targets):
                    share = len(range(i, args.page_load_now, len(targets)))
                    loader, job = start_page_load(
                        base,
                        args.cookie,
                        f"/forums/threads/{thread_id}?page=1",
                        share,
                        pid,
                    )
                    assert loader.stdin is not None  # noqa: S101  (a pipe)
                    loader.stdin.write(job + "\n")
                    loader.stdin.flush()
                    loaders.append(loader)
                await asyncio.sleep(args.page_load_warmup)
            try:
                async with aiohttp.ClientSession() as http:
                    post_url = f"{bases[0]}/api/v1/threads/{thread_id}/posts"
                    await post_and_collect(fleet, http, post_url, tokens[0], m, args)
            finally:
                for loader in loaders:
                    out, _ = await asyncio.get_running_loop().run_in_executor(
                        None, loader.communicate
                    )
                    with contextlib.suppress(ValueError, IndexError):
                        m.pages.append(json.loads(out.strip().splitlines()[-1]))
        m.dropped = sum(fleet.dropped.values())
        for err, n in fleet.connect_errors.most_common(3):
            m.notes.append(f"{n} clients could not connect and join: {err}")
        for (reason, process), n in sorted(fleet.dropped.items()):
            m.notes.append(f"{n} sockets on process {process} ended: {reason}")
        for message, n in log.counts.most_common(3):
            m.notes.append(f"client library, {n} x: {message}")
    finally:
        gc.enable()
        gc.unfreeze()
        fleet.closing = True
        log.setLevel(logging.CRITICAL + 1)  # sockets of a stopped server complain
        await asyncio.get_running_loop().run_in_executor(None, stop_servers)

        async def close(client):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 10)

        await asyncio.gather(*(close(c) for c in fleet.clients))
        log.remove()
    return m


HEADER = (
    f"  {'pages':>5} {'clients':>7} {'joined':>6} {'in s':>5} {'presence':>8} "
    f"{'posts':>5} "
    f"{'delivered':>9} {'missing':>7} {'dropped':>7} {'p50 ms':>7} {'p99 ms':>7} "
    f"{'max ms':>7} {'POST ms':>7} {'spread':>7} {'srv CPU':>7} {'gen CPU':>7}  target"
)


def report(m: Measured) -> None:
    start = (
        f"  {m.page_load:>5} {m.clients:>7} {m.joined:>6} {m.joined_in:5.1f} "
        f"{m.presence_events:8d} {m.posts:5d} "
    )
    if not m.posts:
        print(start + (m.failure or "no clients joined"), flush=True)
    else:
        p99 = 1000 * percentile(m.latencies, 99)
        target = TARGETS_MS.get(m.clients)
        ok = p99 < (target or 0) and not m.missing and m.joined == m.clients
        verdict = f"p99 < {target:g} ms: {'met' if ok else 'MISSED'}" if target else ""
        print(
            start + f"{len(m.latencies):9d} {m.missing:7d} {m.dropped:7d} "
            f"{1000 * percentile(m.latencies, 50):7.1f} {p99:7.1f} "
            f"{1000 * max(m.latencies, default=float('nan')):7.1f} "
            f"{1000 * statistics.median(m.post_times):7.1f} "
            f"{1000 * statistics.median(m.spreads or [float('nan')]):7.1f} "
            f"{100 * m.server_cpu:6.0f}% {100 * m.client_cpu:6.0f}%  {verdict}",
            flush=True,
        )
        m.notes.insert(
            0,
            "last arrival per post, ms: "
            + " ".join(f"{1000 * t:.0f}" for t in m.slowest),
        )
        if m.failure:
            m.notes.insert(0, f"then {m.failure}")
    if m.page_load:
        where = f" on {len(m.pages)} page processes" if len(m.pages) > 1 else ""
        m.notes.insert(
            0,
            f"page load meanwhile: {m.page_load} keep-alive connections{where}, "
            + (
                "; ".join(
                    f"{pages['rps']:.0f} req/s, p50 {pages['p50']:.0f} ms, p99 "
                    f"{pages['p99']:.0f} ms, {pages['errors']} errors"
                    for pages in m.pages
                )
                if m.pages
                else "no numbers (the load process failed)"
            ),
        )
    for note in m.notes:
        print(f"  {'':>13} {note}", flush=True)


def raise_fd_limit(needed: int) -> int:
    """Sockets are files: raise the soft limit as `serve` does (the servers
    inherit it)."""
    limit = allow_open_files(needed)
    if limit < needed:
        raise SystemExit(f"open-file limit {limit} < {needed} needed; raise ulimit -n")
    return limit


def get_tokens(base: str, emails: list[str]) -> list[str]:
    """API tokens the way an app gets them (rate-limited: a few members only)."""
    tokens = []
    for email in emails:
        r = requests.post(
            f"{base}/api/v1/auth/token",
            json={"email": email, "password": PASSWORD, "name": "bench"},
            timeout=60,
        )
        if r.status_code != 201:
            raise SystemExit(f"token for {email}: {r.status_code} {r.text[:300]}")
        tokens.append(r.json()["token"])
    return tokens


def bench(kind: str, url: str, args, tmp: Path) -> None:

    seeded = seed(
        url,
        tmp / f"{kind}-seed",
        forums=1,
        threads=1,
        posts=20,
        authors=10,
        readers=args.members,
    )
    thread_id = seeded.targets[0][0]
    per_process = -(-max(args.sizes) // args.processes)
    threads = args.server_threads or per_process + 64
    use_redis = args.processes + args.page_processes > 1 or args.redis
    mode = production_async_mode()
    print(
        f"{kind}: Socket.IO async mode {mode!r}; {args.processes} x `"
        + " ".join(["ortsverein serve", *args.serve_options.split()])
        + f"` (gunicorn, 1 {worker_class()} worker, --threads {threads}, "
        "worker_connections as serve sets them)"
        + (
            f", and {args.page_processes} page processes that serve the page load "
            "only (no sockets, no posts)"
            if args.page_processes
            else ""
        )
        + (" sharing a Redis message queue" if use_redis else "")
        + f"; {args.members} members' API tokens; WebSocket transport; "
        f"{args.posts} posts per size, sent to process 1; fresh servers per size",
        flush=True,
    )
    print(HEADER, flush=True)
    tokens: list[str] = []
    for size, page_load in [(s, p) for p in args.page_loads for s in args.sizes]:
        args.page_load_now = page_load
        redis = RedisServer() if use_redis else None
        # One secret key for all processes, as production's one environment file
        # gives them: the page processes accept each other's session cookies.
        extra = {"ORTSVEREIN_SECRET_KEY": secrets.token_hex(32)}
        if redis is not None:
            redis.start()
            extra["ORTSVEREIN_REDIS_URL"] = redis.url
        servers, bases = [], []
        logs = contextlib.ExitStack()

        def stop_servers(servers=servers, redis=redis, logs=logs):
            while servers:
                stop(servers.pop())
            if redis is not None and redis.proc is not None:
                redis.stop()
                redis.proc = None
            logs.close()

        try:
            for i in range(args.processes + args.page_processes):
                port = free_port()
                log = None
                if args.server_log:
                    name = f"{args.server_log}.{kind}.{size}.{i + 1}"
                    log = logs.enter_context(open(name, "w"))  # noqa: SIM115
                instance = tmp / f"{kind}-{size}-{i}"
                servers.append(
                    start_app(
                        url,
                        port,
                        threads,
                        instance,
                        log,
                        options=tuple(args.serve_options.split()),
                        nice=args.page_nice if i >= args.processes else 0,
                        **extra,
                    )
                )
                bases.append(f"http://127.0.0.1:{port}")
            for base in bases:
                wait_for_port(int(base.rpartition(":")[2]), 60)
            bases, args.page_bases = bases[: args.processes], bases[args.processes :]
            args.server_pids = [s.pid for s in servers[: args.processes]]
            args.page_pids = [s.pid for s in servers[args.processes :]]
            tokens = tokens or get_tokens(bases[0], seeded.readers)
            if page_load:
                args.cookie = login((args.page_bases or bases)[0], seeded.readers[0])
            m = asyncio.run(
                one_size(size, bases, tokens, thread_id, stop_servers, args)
            )
        finally:
            stop_servers()
        report(m)
    print(f"{kind}: after the run: {load()}")
    print(
        "  joined: clients connected and in the room, in s seconds; presence: "
        "presence events the joins pushed to the clients; delivered/missing: "
        "post_created events received/not received within "
        f"{args.delivery_timeout:g} s; dropped: sockets ended by the server or the "
        "network; POST ms: the POST's own response time (median); spread: first to "
        "last client of a post (median); CPU: the servers' and this process's CPU "
        "while posting (100 % = one core); pages: keep-alive connections loading "
        "the thread page (logged in) meanwhile, from another process."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        default="500,1000",
        help="client counts, comma-separated (default: 500,1000)",
    )
    parser.add_argument("--posts", type=int, default=10, help="posts per size")
    parser.add_argument("--members", type=int, default=5, help="members (tokens)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes that hold the sockets and take the posts",
    )
    parser.add_argument(
        "--page-processes",
        type=int,
        default=0,
        help="further server processes that take the page load only, as nginx "
        "splits them in deploy/ (default 0: the pages go to process 1 too)",
    )
    parser.add_argument(
        "--redis", action="store_true", help="Redis message queue with one process too"
    )
    parser.add_argument("--server-threads", type=int, help="gunicorn threads")
    parser.add_argument(
        "--server-log", help="write each server's output to SERVER_LOG.<db>.<size>.<n>"
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=10,
        help="clients connecting at once (default 10; with 50, the presence storm of "
        "1,000 joins made the servers drop sockets on this 2-core machine)",
    )
    parser.add_argument("--connect-timeout", type=float, default=120.0)
    parser.add_argument("--pause", type=float, default=0.3, help="s between posts")
    parser.add_argument("--quiet", type=float, default=2.0, help="presence-free s")
    parser.add_argument("--settle-limit", type=float, default=300.0)
    parser.add_argument("--post-timeout", type=float, default=30.0)
    parser.add_argument("--delivery-timeout", type=float, default=10.0)
    parser.add_argument(
        "--page-nice",
        type=int,
        default=10,
        help="niceness of the page processes (default 10, as Nice= in "
        "deploy/systemd/ortsverein@.service; 0: no priority for the live process)",
    )
    parser.add_argument(
        "--page-load",
        default="0",
        help="keep-alive connections loading the thread page while posting, "
        "comma-separated, each a run of every size (default 0; the issue's "
        "under-load run: 0,8,64)",
    )
    parser.add_argument(
        "--serve-options",
        default="",
        help="further options of `ortsverein serve` (--no-fair-turns: the "
        "baseline before its fair turns)",
    )
    parser.add_argument(
        "--page-load-warmup", type=float, default=2.0, help="s before posting"
    )
    parser.add_argument(
        "--page-load-worker", action="store_true", help=argparse.SUPPRESS
    )
    parser.add_argument("--database-url", help="an empty database (default: SQLite)")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="start a throwaway PostgreSQL server as the tests do and use it",
    )
    args = parser.parse_args()
    if args.page_load_worker:
        page_load_worker()
        return
    args.sizes = [int(x) for x in args.clients.split(",") if x.strip()]
    args.page_loads = [int(x) for x in args.page_load.split(",") if x.strip()]
    if (
        not args.sizes
        or min(args.sizes) < 1
        or args.processes < 1
        or args.page_processes < 0
    ):
        parser.error("--clients and --processes must be positive")
    if not 1 <= args.members <= 10:
        parser.error("--members: 1 to 10 (token logins are rate-limited per minute)")
    try:
        import aiohttp  # noqa: F401
        import socketio  # noqa: F401
    except ImportError as err:
        raise SystemExit(
            f"{err}: pip install aiohttp (python-socketio's async client)"
        ) from None
    print(f"machine: {machine()}")
    limit = raise_fd_limit(3 * max(args.sizes) + 1024)
    print(f"open-file limit: {limit}")
    on_database(bench, args, "live.db")


if __name__ == "__main__":
    main()
