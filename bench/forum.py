"""Forum pages under load; prints numbers, never pass/fail.

Seeds 10 forums, 2,000 threads and 20,000 posts (bulk inserts, search index included),
serves the app as `ortsverein serve` does (gunicorn, one worker, production
configuration; only secure cookies are off, as this is plain http on loopback) and in
the same run measures requests/second and p50/p99 latency of the forum index, a forum
page and a thread page for a logged-in member, next to the ceiling: a minimal
Flask + SQLAlchemy + Jinja app in this file that selects the same 20 posts with their
authors' names from the same database and renders them, served by gunicorn with the
same settings on another port. Target: the thread page at 70 % or more of the
ceiling's throughput.

Then the saturation run (--saturation, default 8 and 64 connections): the thread
page with that many keep-alive connections, each sending its next request the
moment the answer arrives, as wrk does; against `serve`, `serve --no-fair-turns`
(production's gevent worker as it was before its fair turns, ortsverein/serving.py:
the baseline) and the ceiling. It prints p50/p90/p99 next to the fair share by
Little's law (connections / throughput: what every request would wait if all waited
alike) and the server's CPU per request. Targets at 64 connections: p99 under 1 s
and under 4x the fair share, p90 under 2x; throughput within 10 % of the baseline's.
This load generator is Python: a slow one sends the next request later than wrk
would, which hides part of the unfairness of the baseline (wrk showed more of it).

The load generator is this process (the servers are others): --clients threads, each
with one keep-alive connection, for --duration seconds per endpoint after --warmup
seconds, --rounds times interleaved (the median counts; per-round rates in brackets).
Thread pages rotate over full pages (20 posts) of the busiest threads; the ceiling
gets the same thread/page list, and before measuring the bench checks that both show
the same 20 posts and that the member sees every forum. The CPU columns are the
gunicorn processes' CPU (not the database server's) and the load generator's, over
the wall time (100 % = one core): a load generator near 100 % would mean the numbers
are its limit, not the server's. The machine's load average is printed, as other
processes skew every number.
Usage: python bench/forum.py [--database-url URL | --postgresql] [--duration S]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if os.environ.get("BENCH_BASELINE_GEVENT") == "1":
    # A baseline server (the ceiling here, bench/meeting.py's bare emitter) in
    # production's async mode: gevent patches the standard library first, as
    # importing the app does (ortsverein/__init__.py).
    from gevent import monkey

    monkey.patch_all()

import requests  # noqa: E402
from sqlalchemy import func, insert, select, text, update  # noqa: E402

from bench.import_members import machine as _machine  # noqa: E402
from models import (  # noqa: E402
    Forum,
    Member,
    Organisation,
    OrgLevel,
    Post,
    Thread,
    utcnow,
)
from tests.servers import (  # noqa: E402
    PostgresServer,
    free_port,
    lower_priority,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-passwort-lang-genug"  # noqa: S105  (a throwaway bench database)
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
POSTS_PER_PAGE = 20  # discussions.services.POSTS_PER_PAGE, checked in seed()
MAX_TARGETS = 200

WORDS = (
    "Ortsverein Antrag Wohnraum Infostand Kommunalwahl Mitglieder Haushalt Verkehr "
    "Radweg Schule Kita Klimaschutz Vorstand Sitzung Flyer Plakat Marktplatz Samstag "
    "Bürgerbeteiligung Satzung Kasse Beschluss Tagesordnung Protokoll Genossenschaft "
    "Stadtrat Ausschuss Bebauungsplan Nahverkehr Miete Ehrenamt Jugend Senioren "
    "Sommerfest Wahlkampf Haustür Gespräch Idee Vorschlag Zahlen Quelle Entwurf"
).split()


def machine() -> str:
    """bench/import_members.py's line, with the CPU model where Linux tells it."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    except OSError:
        model = None
    return (
        _machine()
        + (f", CPU model {model.group(1).strip()}" if model else "")
        + f"; {load()}"
    )


def load() -> str:
    """Other processes on the machine skew every number here: say how busy it is."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


# --- seeding ------------------------------------------------------------------------


@dataclass
class Seed:
    readers: list[str]  # emails of members with PASSWORD who can see every forum
    forum_ids: list[int]
    targets: list[tuple[int, int]]  # (thread id, page) of full thread pages
    threads: int = 0
    posts: int = 0
    seconds: float = 0.0
    busiest: tuple[int, int] = (0, 0)  # (thread id, posts)


def _bodies(rnd: random.Random, n: int) -> list[tuple[str, str]]:
    """n Markdown bodies of 2-4 paragraphs, each rendered once as the app would."""
    from ortsverein.markdown import render

    out = []
    for i in range(n):
        paragraphs = []
        for _ in range(rnd.randint(2, 4)):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(15, 45))]
            words[rnd.randrange(len(words))] = f"**{rnd.choice(WORDS)}**"
            paragraphs.append(" ".join(words) + ".")
        if i % 3 == 0:
            paragraphs.append(f"Mehr dazu: [Quelle](https://example.org/{i}).")
        if i % 5 == 0:
            paragraphs.append("\n".join(f"- {rnd.choice(WORDS)}" for _ in range(3)))
        body = "\n\n".join(paragraphs)
        out.append((body, render(body)))
    return out


def _org(session, name: str, slug: str, level, parent=None) -> Organisation:
    org = Organisation(name=name, slug=slug, level=level, parent=parent, path="/")
    session.add(org)
    session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    session.flush()
    return org


def seed(
    url: str,
    instance: Path,
    *,
    forums: int,
    threads: int,
    posts: int,
    authors: int = 500,
    readers: int = 1,
) -> Seed:
    """Migrate an empty database and fill it with bulk inserts (not the services):
    forums alternate between the federal level and the readers' branch, every thread
    has an opening post and the rest of the posts go to threads by a skewed (Pareto)
    draw, so some threads run to many pages. Counters, last-post ids and the search
    index (FTS5 / tsvector, as discussions.search.index_post writes them) are filled
    in SQL."""
    from argon2 import PasswordHasher

    from config import Production
    from discussions import services
    from ortsverein import create_app
    from ortsverein.db import db, write_intent
    from ortsverein.migrate import upgrade

    if services.POSTS_PER_PAGE != POSTS_PER_PAGE:
        raise SystemExit(f"the app shows {services.POSTS_PER_PAGE} posts a page now")
    if threads > posts:
        raise SystemExit("every thread needs an opening post: --posts >= --threads")
    t_start = time.perf_counter()
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(instance))
    rnd = random.Random(1)
    # The server's own password cost, so the first login does not rehash.
    hasher = PasswordHasher(
        time_cost=Production.ARGON2_TIME_COST,
        memory_cost=Production.ARGON2_MEMORY_COST,
        parallelism=Production.ARGON2_PARALLELISM,
    )
    try:
        with app.app_context(), write_intent():
            session = db.session
            if session.scalar(select(func.count()).select_from(Forum)):
                raise SystemExit(f"{url} already has forums; give an empty database")
            bund = _org(session, "Bund", "bund", OrgLevel.BUND)
            branch = _org(session, "OV Bench", "ov-bench", OrgLevel.ORTSVEREIN, bund)
            other = _org(session, "OV Andere", "ov-andere", OrgLevel.ORTSVEREIN, bund)
            now = utcnow()
            password_hash = hasher.hash(PASSWORD)
            emails = [f"leser{i}@example.org" for i in range(readers)]
            rows = [
                {
                    "membership_number": f"L-{i:05d}",
                    "first_name": "Lea",
                    "last_name": f"Leserin{i}",
                    "email": email,
                    "home_branch_id": branch.id,
                    "password_hash": password_hash,
                    "activated_at": now,
                    "active": True,
                    "session_version": 1,
                    "totp_enabled": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, email in enumerate(emails)
            ]
            first_names = ["Anna", "Ben", "Cem", "Dora", "Emil", "Fatma", "Gert"]
            rows += [
                {
                    "membership_number": f"A-{i:06d}",
                    "first_name": first_names[i % len(first_names)],
                    "last_name": f"Autor{i}",
                    "email": f"autor{i}@example.org",
                    "home_branch_id": (branch if i % 2 else other).id,
                    "active": True,
                    "session_version": 1,
                    "totp_enabled": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(authors)
            ]
            session.execute(insert(Member), rows)
            author_ids = list(
                session.scalars(
                    select(Member.id).where(Member.email.like("autor%@example.org"))
                )
            )
            forum_rows = [
                {
                    "organisation_id": (bund if f % 2 == 0 else branch).id,
                    "name": f"Forum {f + 1}: {WORDS[f % len(WORDS)]}",
                    "description": "Diskussionen rund um "
                    + " ".join(rnd.choice(WORDS) for _ in range(6)),
                    "position": f,
                    "archived": False,
                    "thread_count": 0,
                    "post_count": 0,
                    "created_at": now - timedelta(days=400),
                }
                for f in range(forums)
            ]
            session.execute(insert(Forum), forum_rows)
            forum_ids = list(session.scalars(select(Forum.id).order_by(Forum.id)))

            # Posts per thread: one each, the rest drawn with Pareto weights.
            weights = [rnd.paretovariate(1.1) for _ in range(threads)]
            counts = [1] * threads
            for t in rnd.choices(range(threads), weights, k=posts - threads):
                counts[t] += 1
            start = now - timedelta(days=365)
            thread_rows = []
            for t in range(threads):
                opened = start + timedelta(minutes=rnd.randrange(360 * 24 * 60))
                thread_rows.append(
                    {
                        "forum_id": forum_ids[t % forums],
                        "author_id": rnd.choice(author_ids),
                        "title": " ".join(rnd.choice(WORDS) for _ in range(5)),
                        "pinned": t < forums,  # one pinned thread per forum
                        "locked": False,
                        "post_count": counts[t],
                        "last_post_at": opened + timedelta(minutes=counts[t]),
                        "created_at": opened,
                    }
                )
            session.execute(insert(Thread), thread_rows)
            thread_ids = list(session.scalars(select(Thread.id).order_by(Thread.id)))
            bodies = _bodies(rnd, 64)
            batch: list[dict] = []
            for t, thread_id in enumerate(thread_ids):
                opened = thread_rows[t]["created_at"]
                for number in range(1, counts[t] + 1):
                    body, html = bodies[rnd.randrange(len(bodies))]
                    batch.append(
                        {
                            "thread_id": thread_id,
                            "number": number,
                            "author_id": rnd.choice(author_ids),
                            "body": body,
                            "body_html": html,
                            "created_at": opened + timedelta(minutes=number),
                            "agree_count": 0,
                        }
                    )
                if len(batch) >= 5000:
                    session.execute(insert(Post), batch)
                    batch = []
            if batch:
                session.execute(insert(Post), batch)
            last_post = (
                select(func.max(Post.id))
                .where(Post.thread_id == Thread.id)
                .scalar_subquery()
            )
            session.execute(update(Thread).values(last_post_id=last_post))
            session.execute(
                update(Forum).values(
                    thread_count=select(func.count())
                    .where(Thread.forum_id == Forum.id)
                    .scalar_subquery(),
                    post_count=select(func.coalesce(func.sum(Thread.post_count), 0))
                    .where(Thread.forum_id == Forum.id)
                    .scalar_subquery(),
                    last_post_at=select(func.max(Thread.last_post_at))
                    .where(Thread.forum_id == Forum.id)
                    .scalar_subquery(),
                )
            )
            # The search index as index_post() writes it: the opening post carries
            # the thread's title.
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text(
                        "INSERT INTO post_search (post_id, document)"
                        " SELECT p.id, setweight(to_tsvector('german',"
                        " CASE WHEN p.number = 1 THEN t.title ELSE '' END), 'A')"
                        " || to_tsvector('german', p.body)"
                        " FROM posts p JOIN threads t ON t.id = p.thread_id"
                    )
                )
            else:
                session.execute(
                    text(
                        "INSERT INTO posts_fts (rowid, title, body)"
                        " SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE ''"
                        " END, p.body FROM posts p JOIN threads t"
                        " ON t.id = p.thread_id"
                    )
                )
            session.commit()
            n_posts = session.scalar(select(func.count()).select_from(Post))
            indexed = session.scalar(
                text(
                    "SELECT count(*) FROM post_search"
                    if session.get_bind().dialect.name == "postgresql"
                    else "SELECT count(*) FROM posts_fts"
                )
            )
            assert n_posts == posts == indexed, (n_posts, posts, indexed)
        engine = app.extensions["ortsverein_db"][0]
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                # What autovacuum does soon after a bulk load in production.
                conn.execute(text("COMMIT"))
                conn.execute(text("ANALYZE"))
            else:  # fold the WAL into the file, so the servers start from it
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        app.extensions["ortsverein_db"][0].dispose()

    # Full pages (20 posts) of the busiest threads, spread over the list.
    by_size = sorted(zip(thread_ids, counts, strict=True), key=lambda tc: -tc[1])
    full = [(tid, page) for tid, c in by_size for page in range(1, c // 20 + 1)]
    if not full:
        raise SystemExit("no thread has 20 posts; raise --posts")
    step = max(1, len(full) // MAX_TARGETS)
    targets = full[::step][:MAX_TARGETS]
    return Seed(
        readers=emails,
        forum_ids=forum_ids,
        targets=targets,
        threads=threads,
        posts=posts,
        seconds=time.perf_counter() - t_start,
        busiest=by_size[0],
    )


# --- servers ------------------------------------------------------------------------


def serve_defaults() -> dict:
    """`ortsverein serve`'s own option defaults (threads), read from the command."""
    from ortsverein.cli import serve

    return {p.name: p.default for p in serve.params}


def server_env(url: str, port: int, instance: Path) -> dict:
    """The production configuration on plain-http loopback."""
    return {
        **os.environ,
        "ORTSVEREIN_CONFIG": "production",
        "ORTSVEREIN_SECRET_KEY": secrets.token_hex(32),
        "ORTSVEREIN_BASE_URL": f"http://127.0.0.1:{port}",
        "ORTSVEREIN_SECURE_COOKIES": "false",  # http on loopback, not https
        "ORTSVEREIN_DATABASE_URL": url,
        "ORTSVEREIN_INSTANCE_PATH": str(instance),
        "PORT": str(port),
        # Serve the code of this checkout, even where another one is installed.
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
        ),
    }


def start_app(
    url: str,
    port: int,
    threads: int,
    instance: Path,
    log=None,
    options: tuple[str, ...] = (),
    nice: int = 0,
    **extra_env,
):
    """`ortsverein serve` (with further `options`, at niceness `nice` as systemd's
    Nice= starts it); its access log and errors go to `log` (a file) or away, as
    in bench/polls.py."""
    cli = Path(sys.executable).with_name("ortsverein")
    env = {**server_env(url, port, instance), **extra_env}
    return subprocess.Popen(
        [str(cli), "serve", "--threads", str(threads), *options],
        env=env,
        preexec_fn=(lambda: lower_priority(nice)) if nice else None,  # noqa: PLW1509
        cwd=ROOT,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
    )


def production_async_mode() -> str:
    """The Socket.IO async mode of the servers the benches start (production's)."""
    from config import Production

    return os.environ.get(
        "ORTSVEREIN_SOCKETIO_ASYNC_MODE", Production.SOCKETIO_ASYNC_MODE
    )


def baseline_env() -> dict:
    """A baseline server's environment: patched for gevent where production is."""
    gevent = production_async_mode() == "gevent"
    return {**os.environ, "BENCH_BASELINE_GEVENT": "1" if gevent else "0"}


def start_ceiling(url: str, port: int, threads: int):
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve-ceiling",
            str(port),
            "--server-threads",
            str(threads),
            "--database-url",
            url,
        ],
        env=baseline_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(server) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


CEILING_TEMPLATE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% for p in posts %}<article class="post" id="post-{{ p.id }}">
<header><strong>{{ p.author }}</strong> #{{ p.number }}
<time datetime="{{ p.created_at.isoformat() }}">
{{- p.created_at.strftime("%d.%m.%Y %H:%M") }}</time></header>
<div class="prose">{{ p.body_html|safe }}</div></article>
{% endfor %}</main></body></html>
"""


def ceiling_app(url: str):
    """One route: 20 posts of a thread with their authors' names, one Jinja page."""
    from flask import Flask, abort, render_template, request
    from jinja2 import DictLoader
    from sqlalchemy.orm import sessionmaker

    from ortsverein.db import make_engine

    app = Flask("ceiling")
    app.jinja_loader = DictLoader({"thread.html": CEILING_TEMPLATE})
    factory = sessionmaker(make_engine(url))
    author = (Member.first_name + " " + Member.last_name).label("author")

    @app.route("/threads/<int:thread_id>")
    def thread(thread_id: int):
        page = max(1, request.args.get("page", 1, type=int))
        first = (page - 1) * POSTS_PER_PAGE + 1
        with factory() as session:
            title = session.scalar(select(Thread.title).where(Thread.id == thread_id))
            if title is None:
                abort(404)
            posts = session.execute(
                select(Post.id, Post.number, Post.body_html, Post.created_at, author)
                .outerjoin(Member, Post.author_id == Member.id)
                .where(
                    Post.thread_id == thread_id,
                    Post.number >= first,
                    Post.number < first + POSTS_PER_PAGE,
                )
                .order_by(Post.number)
            ).all()
        return render_template("thread.html", title=title, posts=posts)

    return app


def serve_ceiling(url: str, port: int, threads: int) -> None:
    serve_one_process(ceiling_app(url), port, threads)


def worker_class() -> str:
    """gunicorn's worker class for the production async mode, as `serve` picks it."""
    return "gevent" if production_async_mode() == "gevent" else "gthread"


def serve_one_process(flask_app, port: int, threads: int) -> None:
    """A baseline app on gunicorn with the settings of `ortsverein serve`
    (ortsverein/cli.py, ortsverein/serving.py): its worker class and, under gevent,
    its fair turns; gunicorn's default connection limit."""
    from gunicorn.app.base import BaseApplication

    from ortsverein.serving import worker_settings

    settings = worker_settings(
        worker_class() == "gevent", threads=threads, connections=1000
    )

    class OneProcess(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"127.0.0.1:{port}")
            self.cfg.set("workers", 1)
            for name, value in settings.items():
                self.cfg.set(name, value)
            self.cfg.set("accesslog", "-")

        def load(self):
            return flask_app

    OneProcess().run()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (the gunicorn worker)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if int(fields[1]) == pid:
                pids.append(int(entry))
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- load ---------------------------------------------------------------------------


# One browser: the same User-Agent at login and on every page. Flask-Login's
# session protection compares it with the one at login; a different one marks the
# session no longer fresh, which a browser would store once and the load generator,
# sending one fixed cookie, would make the app sign and send again on every page.
HEADERS = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) ortsverein-bench"}


def login(base: str, email: str, password: str = PASSWORD) -> str:
    """Log in through the form as a browser would; the Cookie header to send."""
    with requests.Session() as http:
        http.headers.update(HEADERS)
        page = http.get(f"{base}/reset", timeout=30)
        match = CSRF_RE.search(page.text)
        if not match:
            raise SystemExit(f"no CSRF token on /reset ({page.status_code})")
        r = http.post(
            f"{base}/login",
            data={"csrf_token": match.group(1), "email": email, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        if r.status_code != 302:
            raise SystemExit(f"login failed: {r.status_code} {r.text[:300]}")
        # The first page after login stores the session's form secret in a new
        # cookie (login starts a fresh session). A browser sends that cookie from
        # then on; the load generator sends one fixed cookie, so it takes the one
        # a browser holds after that first page, not the one from the login answer.
        home = http.get(f"{base}/", allow_redirects=False, timeout=30)
        if home.status_code != 200:
            raise SystemExit(f"home page after login: {home.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def fetch(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "GET", path, headers={**HEADERS, "Cookie": cookie} if cookie else HEADERS
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Run:
    label: str
    rps: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_cpu: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)
    size: int = 0


def hammer(
    port: int,
    paths: list[str],
    cookie: str,
    clients: int,
    duration: float,
    server_pid: int,
    run: Run | None = None,
    until: threading.Event | None = None,
) -> None:
    """`clients` threads, one keep-alive connection each, cycling through paths,
    for `duration` seconds or until `until` is set."""
    headers = {**HEADERS, "Cookie": cookie} if cookie else HEADERS
    results: list[tuple[list[float], int, int]] = []
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        latencies: list[float] = []
        errors = size = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = index
        barrier.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at[0] or (until is not None and until.is_set()):
                break
            path = paths[i % len(paths)]
            i += 1
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if response.status != 200:
                errors += 1
            size = len(body)
        conn.close()
        results.append((latencies, errors, size))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    cpu0, srv0 = time.process_time(), cpu_seconds(server_pid)
    t0 = time.perf_counter()
    stop_at[0] = t0 + duration
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu1, srv1 = time.process_time(), cpu_seconds(server_pid)
    if run is None:
        return  # warm-up
    lat = [x for r in results for x in r[0]]
    run.latencies += lat
    run.errors += sum(r[1] for r in results)
    run.rps.append(len(lat) / wall)
    run.server_cpu.append((srv1 - srv0) / wall)
    run.client_cpu.append((cpu1 - cpu0) / wall)
    run.size = max(r[2] for r in results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


@dataclass
class Endpoint:
    label: str
    port: int
    server: subprocess.Popen
    cookie: str
    paths: list[str]
    run: Run = field(init=False)

    def __post_init__(self):
        self.run = Run(self.label)


def post_ids(html: bytes) -> list[bytes]:
    return re.findall(rb'<article class="post[^"]*" id="post-(\d+)"', html)


def check(
    seeded: Seed, index: Endpoint, forum: Endpoint, thread: Endpoint, ceiling: Endpoint
) -> dict[str, str]:
    """The pages are what they claim: the member is logged in and sees every forum,
    and a thread page shows the same 20 posts as the ceiling. Label -> why not."""
    problems = {}
    status, body = fetch(index.port, index.paths[0], index.cookie)
    listed = sum(f'/forums/{f}"'.encode() in body for f in seeded.forum_ids)
    if status != 200 or listed != len(seeded.forum_ids):
        problems[index.label] = (
            f"answers {status}, lists {listed} of {len(seeded.forum_ids)} forums"
        )
    for path in forum.paths:
        status, body = fetch(forum.port, path, forum.cookie)
        if status != 200 or b"/forums/threads/" not in body:
            problems[forum.label] = f"{path} answers {status} without threads"
            break
    for app_path, ceiling_path in zip(thread.paths, ceiling.paths, strict=True):
        a_status, a_body = fetch(thread.port, app_path, thread.cookie)
        c_status, c_body = fetch(ceiling.port, ceiling_path)
        if c_status != 200 or len(post_ids(c_body)) != POSTS_PER_PAGE:
            problems[ceiling.label] = (
                f"{ceiling_path} answers {c_status} with {len(post_ids(c_body))} posts"
            )
        if a_status != 200 or post_ids(a_body) != post_ids(c_body):
            problems[thread.label] = (
                f"{app_path} answers {a_status} with {len(post_ids(a_body))} posts"
            )
        if problems:
            break
    return problems


def bench(kind: str, url: str, args, tmp: Path) -> None:
    seeded = seed(
        url,
        tmp / f"{kind}-seed",
        forums=args.forums,
        threads=args.threads,
        posts=args.posts,
    )
    print(
        f"{kind}: seeded {len(seeded.forum_ids)} forums, {seeded.threads} threads, "
        f"{seeded.posts} posts in {seeded.seconds:.1f} s; busiest thread "
        f"{seeded.busiest[1]} posts; {len(seeded.targets)} full thread pages in "
        "rotation",
        flush=True,
    )
    threads = args.server_threads or serve_defaults()["threads"]
    app_port, ceiling_port = free_port(), free_port()
    app_server = start_app(url, app_port, threads, tmp / f"{kind}-server")
    ceiling_server = start_ceiling(url, ceiling_port, threads)
    try:
        wait_for_port(app_port, 60)
        wait_for_port(ceiling_port, 60)
        cookie = login(f"http://127.0.0.1:{app_port}", seeded.readers[0])
        ceiling = Endpoint(
            "ceiling: minimal Flask page, 20 posts",
            ceiling_port,
            ceiling_server,
            "",
            [f"/threads/{t}?page={p}" for t, p in seeded.targets],
        )
        index = Endpoint(
            "forum index  /forums/", app_port, app_server, cookie, ["/forums/"]
        )
        forum = Endpoint(
            "forum page   /forums/<id>",
            app_port,
            app_server,
            cookie,
            [f"/forums/{f}" for f in seeded.forum_ids],
        )
        thread = Endpoint(
            "thread page  /forums/threads/<id>?page=N",
            app_port,
            app_server,
            cookie,
            [f"/forums/threads/{t}?page={p}" for t, p in seeded.targets],
        )
        endpoints = [ceiling, index, forum, thread]
        problems = check(seeded, index, forum, thread, ceiling)
        for label, problem in problems.items():
            print(f"{kind}: NOT MEASURED {label.strip()}: {problem}", flush=True)
        endpoints = [e for e in endpoints if e.label not in problems]
        for e in endpoints:  # warm both processes up
            hammer(e.port, e.paths, e.cookie, args.clients, args.warmup, e.server.pid)
        for _round in range(args.rounds):
            for e in endpoints:
                hammer(
                    e.port,
                    e.paths,
                    e.cookie,
                    args.clients,
                    args.duration,
                    e.server.pid,
                    e.run,
                )
        saturated = (
            saturation(kind, url, args, tmp, threads, seeded, thread, ceiling)
            if args.saturation and thread.label not in problems
            else []
        )
    finally:
        stop(app_server)
        stop(ceiling_server)

    print(
        f"{kind}: {args.clients} keep-alive clients, {args.duration:g} s per endpoint"
        f" x {args.rounds} round(s) after {args.warmup:g} s warm-up; gunicorn 1 "
        f"worker, {worker_class()}, {threads} threads or connections (both servers)"
    )
    header = (
        f"  {'endpoint':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'KiB':>6} {'srv CPU':>8} {'gen CPU':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for e in endpoints:
        run = e.run
        per_round = (
            " (" + ", ".join(f"{r:.0f}" for r in run.rps) + ")"
            if len(run.rps) > 1
            else ""
        )
        print(
            f"  {run.label:42} {statistics.median(run.rps):8.1f} "
            f"{1000 * percentile(run.latencies, 50):8.1f} "
            f"{1000 * percentile(run.latencies, 99):8.1f} {run.errors:7d} "
            f"{run.size / 1024:6.1f} {100 * statistics.median(run.server_cpu):7.0f}% "
            f"{100 * statistics.median(run.client_cpu):7.0f}%{per_round}"
        )
    if thread.label in problems or ceiling.label in problems:
        print(f"{kind}: thread page / ceiling throughput: not measured (see above)")
        return
    print(f"{kind}: after the run: {load()}")
    ratio = 100 * statistics.median(thread.run.rps) / statistics.median(ceiling.run.rps)
    verdict = "met" if ratio >= 70 else "MISSED"
    print(
        f"{kind}: thread page / ceiling throughput = {ratio:.0f} % "
        f"(target >= 70 %: {verdict})"
    )
    print_saturation(kind, args, saturated)


# --- saturation: is service fair? ----------------------------------------------------


def saturation(
    kind: str,
    url: str,
    args,
    tmp: Path,
    threads: int,
    seeded: Seed,
    thread: Endpoint,
    ceiling: Endpoint,
) -> list[tuple[int, list[Endpoint]]]:
    """The thread page at saturation: for each count of --saturation, that many
    keep-alive connections, each sending its next request the moment the answer
    arrives (as wrk does), against `serve` as it is, the same with its fair turns
    switched off (`--no-fair-turns`: the baseline of before, gevent only) and the
    ceiling (which `serve`'s settings give the same turns), interleaved --rounds
    times. Returns (connections, endpoints) pairs."""
    gevent = production_async_mode() == "gevent"
    unfair_server = None
    if gevent:
        port = free_port()
        unfair_server = start_app(
            url, port, threads, tmp / f"{kind}-unfair", options=("--no-fair-turns",)
        )
    try:
        servers = [(ceiling.label, ceiling.port, ceiling.server, "", ceiling.paths)]
        servers.append(
            (
                "serve (fair turns)",
                thread.port,
                thread.server,
                thread.cookie,
                thread.paths,
            )
        )
        if unfair_server is not None:
            wait_for_port(port, 60)
            cookie = login(f"http://127.0.0.1:{port}", seeded.readers[0])
            servers.append(
                (
                    "serve --no-fair-turns (before)",
                    port,
                    unfair_server,
                    cookie,
                    thread.paths,
                )
            )
        out = []
        for connections in args.saturation:
            endpoints = [Endpoint(*server) for server in servers]
            for e in endpoints:  # the first requests of as many new connections
                hammer(
                    e.port, e.paths, e.cookie, connections, args.warmup, e.server.pid
                )
            for _round in range(args.rounds):
                for e in endpoints:
                    hammer(
                        e.port,
                        e.paths,
                        e.cookie,
                        connections,
                        args.duration,
                        e.server.pid,
                        e.run,
                    )
            out.append((connections, endpoints))
        return out
    finally:
        if unfair_server is not None:
            stop(unfair_server)


def print_saturation(kind: str, args, saturated) -> None:
    """The table of saturation(): percentiles next to the fair share, which by
    Little's law is what every request would wait if all waited alike (connections
    / throughput). Targets at 64 connections: p99 under 1 s and under 4x the fair
    share, p90 under 2x."""
    if not saturated:
        return
    print(
        f"{kind}: saturation, thread page: N keep-alive connections, the next "
        f"request sent when the answer arrives; {args.duration:g} s x "
        f"{args.rounds} round(s) each; fair share = N / throughput (Little's law)"
    )
    header = (
        f"  {'server':32} {'N':>4} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'fair ms':>8} {'p90/fair':>8} {'p99/fair':>8} {'errors':>6} "
        f"{'srv CPU':>7} {'CPU/req':>7} {'gen CPU':>7}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    verdicts = []
    for connections, endpoints in saturated:
        for e in endpoints:
            run = e.run
            rps = statistics.median(run.rps)
            fair = connections / rps if rps else float("nan")
            p50, p90, p99 = (percentile(run.latencies, q) for q in (50, 90, 99))
            print(
                f"  {e.label[:32]:32} {connections:4d} {rps:7.1f} {1000 * p50:8.1f} "
                f"{1000 * p90:8.1f} {1000 * p99:8.1f} {1000 * fair:8.1f} "
                f"{p90 / fair:8.2f} {p99 / fair:8.2f} {run.errors:6d} "
                f"{100 * statistics.median(run.server_cpu):6.0f}% "
                f"{1000 * statistics.median(run.server_cpu) / rps:4.1f} ms "
                f"{100 * statistics.median(run.client_cpu):6.0f}%"
            )
            if connections == 64 and e.label.startswith("serve (fair"):
                met = p99 < 1.0 and p99 < 4 * fair and p90 < 2 * fair
                verdicts.append(
                    f"{kind}: serve at 64 connections: p99 {1000 * p99:.0f} ms, "
                    f"{p99 / fair:.1f}x and p90 {p90 / fair:.1f}x the fair share "
                    f"(targets p99 < 1000 ms and < 4x, p90 < 2x: "
                    f"{'met' if met else 'MISSED'})"
                )
        by_label = {e.label: statistics.median(e.run.rps) for e in endpoints}
        before = by_label.get("serve --no-fair-turns (before)")
        if before:
            verdicts.append(
                f"{kind}: throughput with fair turns / without at {connections} "
                f"connections = {100 * by_label['serve (fair turns)'] / before:.0f} %"
            )
    for line in verdicts:
        print(line)
    print(f"{kind}: after the saturation runs: {load()}")


def on_database(bench, args, sqlite_name: str) -> None:
    """Run `bench(kind, url, args, tmp)` on the database the arguments ask for: a
    PostgreSQL server of its own, a given URL, or a SQLite file in a temp folder."""
    tmp = Path(tempfile.mkdtemp(prefix="ortsverein-bench-"))
    try:
        if args.postgresql:
            server = PostgresServer()
            server.start()
            try:
                bench("postgresql", server.url(), args, tmp)
            finally:
                server.stop()
        elif args.database_url:
            kind = args.database_url.partition(":")[0].partition("+")[0]
            bench(kind, args.database_url, args, tmp)
        else:
            bench("sqlite", f"sqlite:///{tmp / sqlite_name}", args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite)")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="start a throwaway PostgreSQL server as the tests do and use it",
    )
    parser.add_argument("--forums", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=10.0, help="s per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="s per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds; the median counts"
    )
    parser.add_argument(
        "--server-threads",
        type=int,
        help="gunicorn threads (default: that of `ortsverein serve`)",
    )
    parser.add_argument(
        "--saturation",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[8, 64],
        help="keep-alive connection counts of the saturation run of the thread "
        "page (default 8,64; an empty string skips it)",
    )
    parser.add_argument("--serve-ceiling", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_ceiling:
        serve_ceiling(args.database_url, args.serve_ceiling, args.server_threads)
        return
    print(f"machine: {machine()}")
    on_database(bench, args, "forum.db")


if __name__ == "__main__":
    main()
