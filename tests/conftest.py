"""Fixtures: an app on SQLite and on a real PostgreSQL server, clients, a logged-in
helper, Socket.IO test clients and a live server for real clients and the browser."""

from __future__ import annotations

import gc
import re
import shutil
import threading
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text

from ortsverein import create_app
from ortsverein.db import make_engine
from ortsverein.migrate import upgrade
from ortsverein.template_texts import _language

from .factories import PASSWORD, make_world
from .servers import PostgresServer, RedisServer, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_sessionstart(session):
    """Compile the message catalogues, so English works without `make` first."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "ortsverein" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


def pytest_configure(config):
    _share_url_builders()
    _share_rule_parsing()


def pytest_collection_finish(session):
    """Collected, the suite's own objects (thousands of test items, every module
    imported) live to the end; Python's cycle collector would walk them again at
    each full collection, and the tests allocate enough (an app, an engine, pages
    rendered) to start one every few tests. Frozen, they are left out; collecting
    young objects less often lets each test's garbage go in fewer, larger rounds.
    A fifth less CPU for a typical test, with coverage, on Python 3.11 (2026-12-04)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _share_url_builders() -> None:
    """Every test builds an app, and werkzeug compiles two URL builders from
    generated Python code for each of its 230 rules: 60 of the 75 ms create_app
    takes. A builder's code depends only on the rule (the rule object comes in as
    `self` when it is called), so the suite compiles each once per process. A
    served app builds its rules once; this is for the tests alone. It leans on
    werkzeug's private Rule._compile_builder (werkzeug 3.1): if that goes, this
    fails loudly instead of the suite silently getting slower."""
    from werkzeug.routing import Rule

    original = Rule._compile_builder
    assert callable(original), "werkzeug.routing.Rule._compile_builder is gone"
    built: dict[tuple, object] = {}

    def compile_builder(self, append_unknown=True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            # A default for a part of the path is compiled in as a constant.
            return original(self, append_unknown)
        key = (self.rule, append_unknown, tuple(self._trace), tuple(defaults))
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder


def _share_rule_parsing() -> None:
    """With the builders shared, parsing each rule's string into its parts (the
    regular expressions and weights the matcher is built from) was a third of what
    create_app took. The parts depend only on the rule string and the map's
    converter classes, and nothing changes them once made, so the suite parses each
    rule once per process; every rule still gets converters of its own map. Leans
    on werkzeug's private Rule._parse_rule (werkzeug 3.1), which fills the rule's
    _trace, _converters and arguments as it yields the parts: if that goes, this
    fails loudly, and tests/unit/test_dependency_werkzeug_internals.py by name."""
    import copy

    from werkzeug.routing import Rule

    original = Rule._parse_rule
    assert callable(original), "werkzeug.routing.Rule._parse_rule is gone"
    parsed: dict[tuple, tuple] = {}

    def parse_rule(self, rule: str):
        key = (rule, tuple(self.map.converters.items()))
        if key not in parsed:
            traced, converted = len(self._trace), set(self._converters)
            parts = list(original(self, rule))
            parsed[key] = (
                parts,
                self._trace[traced:],
                [(n, c) for n, c in self._converters.items() if n not in converted],
            )
            return parts
        parts, trace, converters = parsed[key]
        self._trace.extend(trace)
        for name, converter in converters:
            own = copy.copy(converter)
            own.map = self.map
            self._converters[name] = own
            self.arguments.add(name)
        return parts

    parse_rule.original = original  # type: ignore[attr-defined]
    Rule._parse_rule = parse_rule


# --- database servers -----------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The Redis server, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database, copied for every test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:  # fold the WAL into the main file before copying
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database(postgres_server) -> Iterator[str]:
    """A migrated PostgreSQL database, emptied after every test."""
    admin = make_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE ortsverein_test"))
    admin.dispose()
    url = postgres_server.url("ortsverein_test")
    upgrade(url)
    yield url
    if url in _cleaners:
        _cleaners.pop(url)[0].dispose()


_cleaners: dict[str, tuple] = {}


def _postgres_cleaner(url: str) -> tuple:
    """An engine kept for emptying the test database, and its tables (the
    migrations made them before the first test ends); a new engine and the list
    read again each time cost a third of every PostgreSQL test's teardown."""
    if url in _cleaners:
        return _cleaners[url]
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
    truncate = (
        f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE" if tables else None
    )
    _cleaners[url] = engine, truncate
    return _cleaners[url]


def _truncate_postgres(url: str) -> None:
    engine, truncate = _postgres_cleaner(url)
    with engine.begin() as conn:
        # A test that leaves a transaction open fails here instead of hanging CI.
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        if truncate:
            conn.execute(text(truncate))


@pytest.fixture(autouse=True)
def _sqlite_half(request):
    """The SQLite half of a test that runs on both databases (docs/performance.md,
    "The suite's own time"):
    - runs without the per-process caches: a test that passes only because
      something was remembered fails there; its PostgreSQL half has them, and
      ORTSVEREIN_CACHES=off switches them off for every test;
    - is left out of the coverage measurement, which would make it take half as
      long again to count lines its PostgreSQL half counts too; a module it
      imports first still has its own lines counted (`_ImportsMeasured`).
    The browser tier, SQLite only, keeps both, as a served app has its caches."""
    callspec = getattr(request.node, "callspec", None)
    on_sqlite = callspec is not None and callspec.params.get("db_url") == "sqlite"
    if not on_sqlite or request.node.get_closest_marker("browser"):
        yield
        return
    import coverage

    from ortsverein import caches

    previous = caches.set_enabled(False)
    measuring = coverage.Coverage.current()
    if measuring is None:
        yield
    else:
        measuring.stop()
        with _ImportsMeasured(measuring):
            yield
        measuring.start()
    caches.set_enabled(previous)


class _ImportsMeasured:
    """While a SQLite half pauses coverage, a measured module imported for the first
    time runs with coverage on. A module's own lines (its imports, definitions,
    constants) run once per process: an app's blueprints, views and services first
    imported inside a paused test (a worker that began with a SQLite half) were
    never counted, whatever ran later (93 % or 75 % in all, by which test each
    worker began with, 2026-12-04). Imports in the test's own thread only:
    coverage starts and stops per thread."""

    def __init__(self, measuring) -> None:
        self.measuring = measuring
        self.roots = {
            source.partition(".")[0] for source in measuring.config.source or ()
        }
        self.thread = threading.current_thread()
        self.importing = False

    def exec_module(self, loader, module) -> None:
        measured = not self.roots or module.__name__.partition(".")[0] in self.roots
        if (
            self.importing
            or not measured
            or threading.current_thread() is not self.thread
        ):
            return _EXEC_MODULE(loader, module)
        self.importing = True  # the modules it imports are measured with it
        self.measuring.start()
        try:
            return _EXEC_MODULE(loader, module)
        finally:
            self.measuring.stop()
            self.importing = False

    def __enter__(self) -> None:
        SourceFileLoader.exec_module = lambda loader, module: self.exec_module(
            loader, module
        )

    def __exit__(self, *_exc) -> None:
        del SourceFileLoader.exec_module  # the inherited one again


_EXEC_MODULE = SourceFileLoader.exec_module


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        yield url
        _truncate_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template):
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# --- the app ----------------------------------------------------------------------


def build_app(db_url: str, tmp_path: Path, **overrides):
    application = create_app(
        "testing",
        DATABASE_URL=db_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        **overrides,
    )
    application.jinja_env.bytecode_cache = _SUITE_TEMPLATES
    application.extensions["ortsverein_db"][0].update_execution_options(
        compiled_cache=_SUITE_STATEMENTS
    )
    return application


class _SuiteTemplates(BytecodeCache):
    """Compiled templates shared by the suite's apps, as `_share_url_builders`
    shares URL builders: every test builds an app, whose environment would compile
    each template it renders again (a sixth of a typical test's time). Jinja's own
    bytecode cache, kept in memory: the code of a template depends on its source
    (the bucket's checksum) and, with our fixed texts compiled in, on the language
    (part of the key here); the apps of the suite share one configuration."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{_language()}:{name}:{filename}"

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


_SUITE_TEMPLATES = _SuiteTemplates()


class _SuiteStatements(dict):
    """Compiled SQL shared by the suite's apps, as `_SuiteTemplates` shares compiled
    templates: an engine keeps the SQL it compiled for a statement in its own cache,
    and every test's app has a new engine, which compiled each query its views and
    services run again (11 % of a typical PostgreSQL test in py-spy, 2026-12-04).
    SQLAlchemy's `compiled_cache` execution option takes such a mapping; its key
    starts with the engine's dialect object, which stands here for its kind (class,
    server version, parameter style): the suite's engines of one kind are made
    alike (`make_engine`), so SQL compiled for one serves them all. The ORM's own
    caches for flushes are not touched. If an upgrade changes the key,
    tests/unit/test_dependency_sqlalchemy_internals.py fails by name."""

    @staticmethod
    def kind(key: tuple) -> tuple:
        dialect, *rest = key
        return (
            type(dialect),
            dialect.server_version_info,
            dialect.paramstyle,
            *rest,
        )

    def get(self, key, default=None):
        return super().get(self.kind(key), default)

    def __setitem__(self, key, value) -> None:
        super().__setitem__(self.kind(key), value)


_SUITE_STATEMENTS = _SuiteStatements()


@pytest.fixture
def app_overrides() -> dict:
    """Override in a test module to change settings of the `app` fixture."""
    return {}


@pytest.fixture
def app(db_url, tmp_path, app_overrides):
    application = build_app(db_url, tmp_path, **app_overrides)
    # Who is in which room is kept per process; a socket an earlier test's server
    # never saw leave (member ids repeat in every test's database) must not keep
    # a member "in the room" here.
    from ortsverein import presence

    presence._local.clear()
    yield application
    application.extensions["ortsverein_db"][0].dispose()


@pytest.fixture
def session(app):
    """A session of the test's own, apart from the sessions of requests."""
    s = app.extensions["ortsverein_db"][1]()
    s.info["app"] = app  # factories that call services outside a test's app context
    yield s
    s.close()


@pytest.fixture
def world(app, session):
    with app.app_context():
        return make_world(session)


@pytest.fixture
def forums(app, session, world):
    """OV Nord's forum with one thread, OV Süd's forum with one, and a Bund forum."""
    from types import SimpleNamespace

    from tests.factories import make_forum, make_thread

    with app.app_context():
        f = SimpleNamespace()
        f.nord = make_forum(session, world.nord, world.organiser, "Nord-Forum")
        f.sued = make_forum(session, world.sued, world.admin, "Süd-Forum")
        f.bund = make_forum(session, world.bund, world.admin, "Programmdebatte")
        f.nord_thread = make_thread(
            session, f.nord, world.organiser, "Lastenrad", "Brauchen wir ein Lastenrad?"
        )
        f.sued_thread = make_thread(
            session, f.sued, world.sued_member, "Sommerfest", "Geheimer Grillplan"
        )
        return f


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Logs a test client in and posts forms with a CSRF token."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/reset") -> str:
        # /reset is open to everyone and, like every page, carries a token.
        response = self.client.get(path)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({response.status_code})"
        return match.group(1)

    def login(self, member_or_email, password: str = PASSWORD):
        email = getattr(member_or_email, "email", member_or_email)
        response = self.client.post(
            "/login",
            data={"csrf_token": self.csrf(), "email": email, "password": password},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.post("/logout")

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(
            path, data={"csrf_token": self.csrf(), **(data or {})}, **kwargs
        )


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def socket_client(app, client):
    """Socket.IO test client sharing the cookies of `client`."""
    from ortsverein.realtime import socketio

    clients = []

    def connect(**kwargs):
        c = socketio.test_client(app, flask_test_client=client, **kwargs)
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected():
            c.disconnect()
        # flask_socketio keeps every test client in a class-wide dict, connected or
        # not, and with it the client's app: a suite of apps would never be freed.
        type(c).clients.pop(c.eio_sid, None)


@pytest.fixture
def live_server(app, tmp_path):
    """The app on a real server (threads, WebSocket) on a free loopback port."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    wait_for_port(port)
    server.url = f"http://127.0.0.1:{port}"
    server.screenshot_dir = tmp_path
    yield server
    server.shutdown()
    thread.join(10)
