"""The production tier as deploy/ sets it up (nginx with ip_hash, gevent app
processes, PostgreSQL, Redis; tests/production/tier.py starts it), with ONE and
TWO app processes of each kind (page processes for the reads, live processes for
the writes and sockets) behind nginx in the same run, in rounds that alternate which
goes first (1, 2, then 2, 1, ...; the rows add the rounds up): throughput,
p50/p99 latency and the app processes' CPU time per request (from /proc before and
after) for

  - the thread page (GET /forums/threads/ID, logged in with a cookie), and
  - casting a ballot (POST /api/v1/polls/ID/ballots, bearer token; fresh polls are
    opened for each phase, as every member has one vote per poll).

The load generator (threads in this process) shares the machine's cores with nginx,
the app processes and the databases, so throughput says little about scaling here;
CPU per request does: with two processes it should stay within 10 % of one process
(target: ratio two/one <= 1.10), as the processes share nothing but PostgreSQL and
Redis. Each client sends an address of its own (X-Forwarded-For, trusted from
127.0.0.1 only), so ip_hash spreads the clients as it spreads members.

With --rate N the clients together send N requests a second, evenly spaced, to
either tier: both then do the same work per second, and CPU per request compares
like with like. Without it (a closed loop) the one-process tier is saturated and
the two-process tier serves more on the same two cores, so the ratio also measures
how hard the cores are contended (docs/performance.md). For the ratio, run
`--rate 80 --rounds 6`: single rounds vary by 15 % on a 2-core machine.

With --saturation 8,64 it instead runs bench/forum.py's saturation run through
the whole tier (nginx with upstream keep-alive, both page processes): that many
keep-alive connections load the thread page, each sending its next request when
the answer arrives, and it prints p50/p90/p99 beside the fair share (issue 21's
targets at 64 connections: p99 under 1 s and under 4x the fair share, p90 under 2x).

Usage: python bench/production.py [--duration S] [--clients N] [--rounds R]
       [--rate N] [--saturation 8,64]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.production.tier import TICK_UNIT, ProductionTier, render_site  # noqa: E402

PASSWORD = "demo-passwort"
NORD = ["mitglied@example.org", "orga@example.org", "vorstand@example.org"] + [
    f"mitglied{i:02d}@example.org" for i in range(1, 41)
]
POLLS_PER_PHASE = 90  # x 43 voters: 3,870 ballots, 250 a second for 15 s
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def address(n: int) -> str:
    return f"10.{n // 200}.{n % 200}.7"


def set_upstreams(tier: ProductionTier, count: int) -> None:
    """nginx with the first `count` page processes and as many live processes (a
    reload, as an operator would)."""
    site = render_site(
        [a.port for a in tier.pages[:count]],
        [a.port for a in tier.live[:count]],
        tier.http_port,
        tier.https_port,
        tier.tmp,
    )
    (tier.tmp / "site.conf").write_text(site)
    assert tier.nginx_proc is not None
    tier.nginx_proc.send_signal(1)  # SIGHUP: reload
    time.sleep(2)


def session(tier: ProductionTier, n: int) -> requests.Session:
    s = requests.Session()
    s.verify = tier.ca
    s.headers["X-Forwarded-For"] = address(n)
    return s


def logged_in(tier: ProductionTier, n: int) -> requests.Session:
    s = session(tier, n)
    page = s.get(f"{tier.url}/login")
    token = CSRF_RE.search(page.text)
    assert token, page.status_code
    r = s.post(
        f"{tier.url}/login",
        data={
            "csrf_token": token.group(1),
            "email": NORD[n % len(NORD)],
            "password": PASSWORD,
        },
        headers={"Referer": f"{tier.url}/login"},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text[:300]
    return s


def api_token(tier: ProductionTier, n: int) -> str:
    r = session(tier, 1000 + n).post(
        f"{tier.url}/api/v1/auth/token", json={"email": NORD[n], "password": PASSWORD}
    )
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def run(
    worker, clients: int, duration: float, rate: float | None = None
) -> tuple[list[float], int, float]:
    """`clients` threads call worker(i, k) until time is up; returns the latencies of
    the successful calls, the failures and the wall time. With `rate`, the clients
    together send that many requests a second, evenly spaced (a client that falls
    behind sends at once, without catching up in a burst); without it, each sends
    its next request as soon as the answer is in."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    started = time.monotonic()
    stop = started + duration
    gap = clients / rate if rate else 0.0

    def loop(i: int) -> None:
        nonlocal failures
        k = 0
        due = started + gap * i / clients
        while time.monotonic() < stop:
            if gap:
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                due = max(due + gap, time.monotonic() - gap)
            t0 = time.perf_counter()
            ok = worker(i, k)
            dt = time.perf_counter() - t0
            k += 1
            with lock:
                if ok is None:
                    return  # nothing left to do
                if ok:
                    latencies.append(dt)
                else:
                    failures += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(loop, range(clients)))
    return latencies, failures, time.monotonic() - started


def measure(tier, name, processes, worker, clients, duration, rate) -> dict:
    """One phase: its latencies, failures, wall time and the app processes' CPU."""
    cpu0 = tier.app_cpu_seconds()
    latencies, failures, wall = run(worker, clients, duration, rate)
    return {
        "scenario": name,
        "processes": processes,
        "latencies": latencies,
        "failures": failures,
        "wall": wall,
        "cpu": tier.app_cpu_seconds() - cpu0,
    }


def summary(phases: list[dict]) -> dict:
    """The phases of one scenario and process count, taken together: a change in
    the machine's load during the run falls on both process counts alike, as the
    rounds alternate which goes first."""
    latencies = sorted(x for p in phases for x in p["latencies"])
    n = len(latencies)
    wall = sum(p["wall"] for p in phases)
    return {
        "scenario": phases[0]["scenario"],
        "processes": phases[0]["processes"],
        "requests": n,
        "failures": sum(p["failures"] for p in phases),
        "rps": n / wall,
        "p50": latencies[n // 2] * 1000 if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
        "cpu_ms": sum(p["cpu"] for p in phases) / n * 1000 if n else float("nan"),
        "by_round": [
            p["cpu"] / len(p["latencies"]) * 1000 if p["latencies"] else float("nan")
            for p in phases
        ],
    }


def open_polls(tier: ProductionTier, organiser: str, org_id: int, count: int):
    now = datetime.now(UTC)
    ids = []
    for i in range(count):
        r = session(tier, 2000 + i).post(
            f"{tier.url}/api/v1/polls",
            headers={"Authorization": f"Bearer {organiser}"},
            json={
                "org_id": org_id,
                "title": f"Bench {time.time():.0f}-{i}",
                "kind": "yes_no_abstain",
                "secret": True,
                "opens_at": (now - timedelta(seconds=5)).isoformat(),
                "closes_at": (now + timedelta(hours=2)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        ids.append((r.json()["id"], r.json()["options"][0]["id"]))
    tier.run_unit(TICK_UNIT)  # opens them, as the minutely timer would
    return ids


def saturate(tier, thread_page, counts: list[int], duration: float, rounds: int):
    """The saturation run of bench/forum.py through the whole tier: nginx (with
    upstream keep-alive) in front of both page processes, every connection a member
    of its own address. Fair share = connections / throughput (Little's law): what
    every request would wait if all waited alike."""
    set_upstreams(tier, len(tier.pages))
    run(thread_page, max(counts), 3)  # warm-up
    print(
        f"\nmachine: {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; {len(tier.pages)} page processes behind nginx, "
        f"{rounds} rounds of {duration:.0f} s per row (interleaved)\n"
    )
    print(
        f"{'connections':>11} {'req/s':>7} {'fail':>5} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'fair ms':>7} {'p90/fair':>8} {'p99/fair':>8}  target"
    )
    results: dict[int, list] = {c: [] for c in counts}
    for _ in range(rounds):
        for c in counts:
            results[c].append(run(thread_page, c, duration))
    for c in counts:
        latencies = sorted(x for r in results[c] for x in r[0])
        failures = sum(r[1] for r in results[c])
        wall = sum(r[2] for r in results[c])
        n = len(latencies)
        if not n:
            print(f"{c:>11} no answers ({failures} failures)")
            continue
        rps = n / wall
        fair = c / rps
        p50, p90, p99 = (latencies[min(n - 1, int(n * q))] for q in (0.5, 0.9, 0.99))
        met = p99 < 1.0 and p99 < 4 * fair and p90 < 2 * fair
        print(
            f"{c:>11} {rps:>7.1f} {failures:>5} {p50 * 1000:>7.0f} {p90 * 1000:>7.0f} "
            f"{p99 * 1000:>7.0f} {fair * 1000:>7.0f} {p90 / fair:>8.2f} "
            f"{p99 / fair:>8.2f}  "
            + ("met" if met else "MISSED")
            + " (p99 < 1 s and < 4x fair, p90 < 2x fair)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of one and two processes, alternating which goes first",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="requests a second in all, evenly spaced (default: as fast as answered)",
    )
    parser.add_argument(
        "--saturation",
        default="",
        help="instead: keep-alive connections (comma-separated, e.g. 8,64) loading "
        "the thread page through nginx, each sending its next request when the "
        "answer arrives; prints p50/p90/p99 beside the fair share",
    )
    args = parser.parse_args()
    saturation = [int(x) for x in args.saturation.split(",") if x.strip()]

    tier = ProductionTier(pages=2, live=2).start()
    # requests lets REQUESTS_CA_BUNDLE (set on many machines) win over a session's
    # own `verify`: trust the tier's self-signed certificate process-wide.
    os.environ["REQUESTS_CA_BUNDLE"] = tier.ca
    try:
        threads = [1, 2, 4]
        print("logging in ...", flush=True)
        with ThreadPoolExecutor(4) as pool:
            members = max(args.clients, *saturation)
            pages = list(pool.map(lambda n: logged_in(tier, n), range(members)))
            tokens = list(pool.map(lambda n: api_token(tier, n), range(len(NORD))))
        me = requests.get(
            f"{tier.url}/api/v1/me",
            headers={"Authorization": f"Bearer {tokens[1]}"},
            verify=tier.ca,
            timeout=30,
        ).json()
        org_id = me["home_branch"]["id"]
        voters = [session(tier, 3000 + n) for n in range(len(NORD))]

        def thread_page(i: int, k: int):
            url = f"{tier.url}/forums/threads/{threads[k % len(threads)]}"
            r = pages[i].get(url, allow_redirects=False)
            # Only the thread page counts: a redirect to the login page (a session
            # the process refuses) is a failure, not a cheap request.
            return r.status_code == 200 and 'class="post' in r.text

        if saturation:
            saturate(tier, thread_page, saturation, args.duration, args.rounds)
            return
        phases = []
        orders = [(1, 2) if r % 2 == 0 else (2, 1) for r in range(args.rounds)]
        for processes in (p for order in orders for p in order):
            set_upstreams(tier, processes)
            # warm-up: caches and connection pools of the processes in use
            run(thread_page, args.clients, 3)
            phases.append(
                measure(
                    tier,
                    "thread page",
                    processes,
                    thread_page,
                    args.clients,
                    args.duration,
                    args.rate,
                )
            )
            # Ballots for longer than the phase at any rate seen here: a phase that
            # runs out of ballots ends in a tail with fewer clients than
            # `--clients`, and its CPU per request is then not comparable.
            polls = open_polls(tier, tokens[1], org_id, POLLS_PER_PHASE)
            todo = [(p, v) for p in polls for v in range(len(NORD))]
            cursor = iter(todo)
            cursor_lock = threading.Lock()

            def cast(i: int, k: int, cursor=cursor, cursor_lock=cursor_lock):
                with cursor_lock:
                    job = next(cursor, None)
                if job is None:
                    return None
                (poll, option), v = job
                r = voters[v].post(
                    f"{tier.url}/api/v1/polls/{poll}/ballots",
                    headers={"Authorization": f"Bearer {tokens[v]}"},
                    json={"choices": [option]},
                )
                return r.status_code == 201

            phases.append(
                measure(
                    tier,
                    "cast",
                    processes,
                    cast,
                    args.clients,
                    args.duration,
                    args.rate,
                )
            )
            done = len(phases[-1]["latencies"]) + phases[-1]["failures"]
            if done >= len(todo):
                print(
                    f"note: casting with {processes} process(es) ran out of ballots "
                    "before the time was up; its CPU per request includes the tail"
                )
        rows = [
            summary([p for p in phases if (p["scenario"], p["processes"]) == (name, n)])
            for name in ("thread page", "cast")
            for n in (1, 2)
        ]
        load = os.getloadavg()
        print(
            f"\nmachine: {os.cpu_count()} cores, load average {load[0]:.1f} "
            f"{load[1]:.1f}; {args.clients} clients, {args.duration:.0f} s per row, "
            + (f"{args.rate:g} requests a second\n" if args.rate else "closed loop\n")
        )
        print(
            f"{'scenario':<12} {'procs':>5} {'req':>6} {'fail':>5} {'req/s':>7} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'app CPU ms/req':>15}  by round"
        )
        for r in rows:
            print(
                f"{r['scenario']:<12} {r['processes']:>5} {r['requests']:>6} "
                f"{r['failures']:>5} {r['rps']:>7.1f} {r['p50']:>7.1f} "
                f"{r['p99']:>7.1f} {r['cpu_ms']:>15.2f}  "
                + ", ".join(f"{x:.2f}" for x in r["by_round"])
            )
        for scenario in ("thread page", "cast"):
            one, two = (r for r in rows if r["scenario"] == scenario)
            ratio = two["cpu_ms"] / one["cpu_ms"]
            verdict = "ok" if ratio <= 1.10 else "ABOVE TARGET"
            print(
                f"{scenario}: CPU per request two/one = {ratio:.2f} "
                f"(target <= 1.10: {verdict}); throughput two/one = "
                f"{two['rps'] / one['rps']:.2f}"
            )
    finally:
        tier.stop()


if __name__ == "__main__":
    main()
