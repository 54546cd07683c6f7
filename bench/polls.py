"""Poll benchmarks; prints numbers, never pass/fail.

(1) Casting over HTTP: 8 concurrent clients against `ortsverein serve` (gunicorn, as
    `make run` starts it) on SQLite and on PostgreSQL, ballots/second, next to a raw
    SQLAlchemy loop doing the same three inserts per transaction in the same database
    in the same run. Target: 50 % or more of the raw rate.
    Casting into a secret poll (ballots sealed to its public key) next to casting
    into the same kind of poll with plain ballots, same server, same run (plain,
    sealed, sealed, plain, each pair by half of the voters, so that neither kind
    always meets the fuller database). Target: sealed at 90 % or more of plain.
(2) A national member vote: freezing an electorate of 400,000 members, sealing a box
    of 400,000 sealed ballots (open, shuffle, write, scrub), then tallying 400,000
    ballots for yes/no/abstain and for a ranked poll of 6 options.
    Targets: snapshot under 5 s, sealing under 60 s on PostgreSQL, each tally under
    3 s.
Usage: python bench/polls.py [--voters N] [--national N] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from bench.forum import (  # noqa: E402
    cpu_seconds,
    production_async_mode,
    start_app,
    stop,
)
from bench.import_members import machine  # noqa: E402
from models import (  # noqa: E402
    BallotRecord,
    ElectorateEntry,
    Member,
    Organisation,
    OrgLevel,
    Participation,
    Poll,
    Receipt,
    SealedBallot,
    utcnow,
)
from ortsverein import create_app  # noqa: E402
from ortsverein.auth.tokens import create_api_token  # noqa: E402
from ortsverein.db import db, write_intent  # noqa: E402
from ortsverein.migrate import upgrade  # noqa: E402
from polls import ballot_keys  # noqa: E402
from polls.casting import receipt_hash  # noqa: E402
from polls.checksums import canonical  # noqa: E402
from polls.lifecycle import _freeze_electorate, ensure_current  # noqa: E402
from polls.rules import PollDefinition  # noqa: E402
from polls.services import PollInput, create_poll, schedule  # noqa: E402
from polls.state import in_own_transaction  # noqa: E402
from polls.tally import tally  # noqa: E402
from tests.servers import PostgresServer, free_port, wait_for_port  # noqa: E402


def _tree(session):
    root = Organisation(name="Bund", slug="bund", level=OrgLevel.BUND, path="/")
    session.add(root)
    session.flush()
    root.path = f"/{root.id}/"
    branch = Organisation(
        name="OV", slug="ov", level=OrgLevel.ORTSVEREIN, parent=root, path="/"
    )
    session.add(branch)
    session.flush()
    branch.path = f"{root.path}{branch.id}/"
    session.commit()
    return root, branch


def _members(session, branch, n, prefix):
    now = utcnow()
    rows = [
        {
            "membership_number": f"{prefix}{i:07d}",
            "first_name": "V",
            "last_name": str(i),
            "email": f"{prefix.lower()}{i}@example.org",
            "home_branch_id": branch.id,
            "active": True,
            "session_version": 1,
            "totp_enabled": False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    for start in range(0, n, 10_000):
        session.execute(insert(Member), rows[start : start + 10_000])
    session.commit()


def _poll(session, org, creator, kind="yes_no_abstain", options=()):
    now = utcnow()
    poll = create_poll(
        session,
        creator,
        PollInput(
            org_id=org.id,
            title="Bench",
            body="",
            kind=kind,
            options=list(options),
            secret=True,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
        ),
    )
    schedule(session, creator, poll)
    return poll


def http_casting(
    kind: str, url: str, voters: int, tmp: Path, clients: int = 8, processes: int = 1
) -> None:
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(tmp / kind))
    with app.test_request_context(), write_intent():
        session = db.session
        root, branch = _tree(session)
        _members(session, branch, voters + 1, "H")
        members = session.query(Member).order_by(Member.id).all()
        creator = members[0]
        from models import Role, RoleName

        session.add(Role(member=creator, organisation=root, role=RoleName.ADMIN))
        session.commit()
        tokens = [create_api_token(session, m, "bench") for m in members[1:]]
        session.commit()
        poll = _poll(session, branch, creator)
        ensure_current(session, poll)
        poll_id, yes = poll.id, poll.options[0].id
        # The same poll with plain ballots (as polls opened before sealing at rest),
        # and a second pair: measured plain, sealed, sealed, plain (each pair by half
        # of the voters), so that neither kind always meets the fuller database.
        sealed_late = _poll(session, branch, creator)
        ensure_current(session, sealed_late)
        plains = []
        for _i in range(2):
            plain = _poll(session, branch, creator)
            ensure_current(session, plain)
            plain.ballot_public_key = None
            plains.append(plain)
        session.commit()
        plain_id, plain_yes = plains[0].id, plains[0].options[0].id
        plain_late = (plains[1].id, plains[1].options[0].id)
        sealed_late_id = (sealed_late.id, sealed_late.options[0].id)
        warm = _poll(session, branch, creator)  # warms the server up, not measured
        ensure_current(session, warm)
        warm_id, warm_yes = warm.id, warm.options[0].id
        key_dir = app.config["BALLOT_KEY_DIR"]
        # Baseline: the same three inserts per transaction, a raw loop, one client.
        raw_poll = _poll(session, branch, creator)
        n_raw = min(voters, 2000)
        t0 = time.perf_counter()
        for member in members[1 : n_raw + 1]:
            session.execute(
                insert(Participation),
                [
                    {
                        "poll_id": raw_poll.id,
                        "member_id": member.id,
                        "voted_on": date.today(),
                    }
                ],
            )
            session.execute(
                insert(BallotRecord),
                [
                    {
                        "id": uuid.uuid4().hex,
                        "poll_id": raw_poll.id,
                        "choices": canonical([yes]),
                    }
                ],
            )
            session.execute(
                insert(Receipt),
                [{"hash": receipt_hash(uuid.uuid4().hex), "poll_id": raw_poll.id}],
            )
            session.commit()
        raw_rate = n_raw / (time.perf_counter() - t0)
    app.extensions["ortsverein_db"][0].dispose()

    # The production configuration (Socket.IO on gevent, so gunicorn's gevent
    # worker), as bench/forum.py and bench/live.py serve it; with processes > 1 the
    # README's production set-up of several single-worker processes, the clients
    # spread over them as a balancer would.
    ports = [free_port() for _ in range(processes)]
    # Every process of an instance reads the one key folder.
    servers = [
        start_app(
            url,
            port,
            16,
            tmp / f"{kind}-server-{port}",
            ORTSVEREIN_BALLOT_KEY_DIR=key_dir,
        )
        for port in ports
    ]

    def storm(target_poll: int, options: int, voters=None, start=0) -> tuple:
        targets = [
            f"http://127.0.0.1:{port}/api/v1/polls/{target_poll}/ballots"
            for port in ports
        ]
        voting = tokens[start:] if voters is None else tokens[start : start + voters]
        shares = [(i, voting[i::clients]) for i in range(clients)]
        codes: list[int] = []

        def client(numbered):
            i, share = numbered
            with requests.Session() as http:
                for token in share:
                    r = http.post(
                        targets[i % processes],
                        json={"choices": [options]},
                        timeout=60,
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    codes.append(r.status_code)

        t0 = time.perf_counter()
        cpu0 = sum(cpu_seconds(server.pid) for server in servers)
        own0 = time.process_time()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, shares))
        elapsed = time.perf_counter() - t0
        server_cpu = sum(cpu_seconds(server.pid) for server in servers) - cpu0
        return codes, elapsed, server_cpu, time.process_time() - own0

    try:
        for port in ports:
            wait_for_port(port, 30)
        storm(warm_id, warm_yes, voters=min(300, len(tokens)))
        half = len(tokens) // 2
        runs = [
            storm(plain_id, plain_yes, voters=half),
            storm(poll_id, yes, voters=half),
            storm(*sealed_late_id, start=half),
            storm(*plain_late, start=half),
        ]

        def both(first, second) -> tuple:
            return (
                first[0] + second[0],
                *(a + b for a, b in zip(first[1:], second[1:], strict=True)),
            )

        plain_codes, plain_elapsed, plain_cpu, _own = both(runs[0], runs[3])
        codes, elapsed, server_cpu, own_cpu = both(runs[1], runs[2])
    finally:
        for server in servers:
            stop(server)
    ok = codes.count(201)
    http_rate = ok / elapsed
    plain_rate = plain_codes.count(201) / plain_elapsed
    print(
        f"{kind:10} HTTP casting, {clients} clients, {processes} x gunicorn "
        f"({production_async_mode()}, production configuration): {ok} ballots in "
        f"{elapsed:.1f} s = {http_rate:7.0f} ballots/s (others: {len(codes) - ok})"
    )
    print(
        f"{kind:10}   server CPU {1000 * server_cpu / max(ok, 1):.2f} ms/ballot "
        f"({100 * server_cpu / elapsed:.0f} % of a core, all processes); the "
        f"{clients} clients (this process) {100 * own_cpu / elapsed:.0f} % of a core"
    )
    print(
        f"{kind:10}   the same with plain ballots (no sealing): {plain_rate:7.0f} "
        f"ballots/s; sealed/plain = {100 * http_rate / plain_rate:.0f} % "
        f"(target >= 90 %); server CPU "
        f"{1000 * plain_cpu / max(plain_codes.count(201), 1):.2f} ms/ballot"
    )
    print(
        f"{kind:10} raw SQLAlchemy loop, same inserts:        {raw_rate:7.0f} "
        f"ballots/s; HTTP/raw = {100 * http_rate / raw_rate:.0f} % (target >= 50 %)"
    )


def national(kind: str, url: str, n: int, tmp: Path) -> None:
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(tmp / f"n{kind}"))
    with app.test_request_context(), write_intent():
        session = db.session
        root, branch = _tree(session)
        _members(session, branch, n, "N")
        creator = session.query(Member).first()
        from models import Role, RoleName

        session.add(Role(member=creator, organisation=root, role=RoleName.ADMIN))
        session.commit()
        poll = _poll(session, root, creator)
        # The opening's two steps, as ensure_current runs them on first access:
        # freezing the register (the snapshot), then telling every voter.
        t0 = time.perf_counter()
        in_own_transaction(session, poll, _freeze_electorate)
        snapshot = time.perf_counter() - t0
        assert session.get(Poll, poll.id).electorate_size == n
        t0 = time.perf_counter()
        ensure_current(session, poll)
        announced = time.perf_counter() - t0
        assert session.get(Poll, poll.id).announced_at is not None
        _fill_sealed_box(session, poll)
        session.execute(
            update(Poll)
            .where(Poll.id == poll.id)
            .values(closes_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
        t0 = time.perf_counter()
        ensure_current(session, poll)  # opens, shuffles, writes, counts, scrubs
        sealing = time.perf_counter() - t0
        sealed = session.get(Poll, poll.id)
        assert sealed.closed_at is not None and sealed.scrubbed_at is not None
        assert not ballot_keys.key_path(poll.id).exists()
    app.extensions["ortsverein_db"][0].dispose()
    print(
        f"{kind:10} electorate snapshot of {n} members: {snapshot:5.2f} s "
        f"(target < 5 s); then the opening's notification to each: "
        f"{announced:5.2f} s"
    )
    print(
        f"{kind:10} sealing a box of {n} sealed ballots (open, shuffle, write, "
        f"count, destroy the key, scrub): {sealing:5.2f} s (target < 60 s on "
        f"PostgreSQL)"
    )


def _fill_sealed_box(session, poll) -> None:
    """Every member of the electorate has voted: participations, receipts and
    ballots sealed to the poll's key, written in bulk (not measured)."""
    members = session.scalars(
        select(ElectorateEntry.member_id).where(ElectorateEntry.poll_id == poll.id)
    ).all()
    options = [o.id for o in poll.options]
    rnd = random.Random(2)
    today = date.today()
    for start in range(0, len(members), 20_000):
        chunk = members[start : start + 20_000]
        session.execute(
            insert(Participation),
            [{"poll_id": poll.id, "member_id": m, "voted_on": today} for m in chunk],
        )
        session.execute(
            insert(SealedBallot),
            [
                {
                    "id": uuid.uuid4().hex,
                    "poll_id": poll.id,
                    "box": ballot_keys.seal(
                        poll.ballot_public_key, canonical([rnd.choice(options)])
                    ),
                }
                for _m in chunk
            ],
        )
        session.execute(
            insert(Receipt),
            [
                {"hash": receipt_hash(uuid.uuid4().hex), "poll_id": poll.id}
                for _m in chunk
            ],
        )
        session.commit()


def tallies(n: int) -> None:
    rnd = random.Random(1)
    yes_no = [[rnd.choice((1, 2, 3))] for _ in range(n)]
    t0 = time.perf_counter()
    tally(PollDefinition("yes_no_abstain", (1, 2, 3), n), yes_no)
    t1 = time.perf_counter()
    options = (1, 2, 3, 4, 5, 6)
    ranked = []
    for _ in range(n):
        order = list(options)
        rnd.shuffle(order)
        ranked.append(order[: rnd.randint(1, 6)])
    t2 = time.perf_counter()
    result = tally(PollDefinition("ranked", options, n, tie_seed="00"), ranked)
    t3 = time.perf_counter()
    print(f"tally of {n} yes/no/abstain ballots: {t1 - t0:5.2f} s (target < 3 s)")
    print(
        f"tally of {n} ranked ballots, 6 options (Schulze): {t3 - t2:5.2f} s "
        f"(target < 3 s); ranking {result.ranking}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--national", type=int, default=400_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--pg-processes",
        default="1,2",
        help="server processes for PostgreSQL casting, comma-separated (production "
        "runs one per core; SQLite, the one-process embedded tier, always gets one)",
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="ortsverein-bench-"))
    try:
        tallies(args.national)
        if args.only in (None, "sqlite"):
            http_casting(
                "sqlite", f"sqlite:///{tmp / 'cast.db'}", args.voters, tmp, args.clients
            )
            national("sqlite", f"sqlite:///{tmp / 'national.db'}", args.national, tmp)
        if args.only in (None, "postgresql"):
            server = PostgresServer()
            server.start()
            try:
                from sqlalchemy import create_engine, text

                admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
                counts = [int(n) for n in args.pg_processes.split(",") if n.strip()]
                with admin.connect() as conn:
                    for n in counts:
                        conn.execute(text(f"CREATE DATABASE bench_cast_{n}"))
                    conn.execute(text("CREATE DATABASE bench_national"))
                admin.dispose()
                for n in counts:
                    http_casting(
                        "postgresql",
                        server.url(f"bench_cast_{n}"),
                        args.voters,
                        tmp,
                        args.clients,
                        processes=n,
                    )
                national("postgresql", server.url("bench_national"), args.national, tmp)
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
