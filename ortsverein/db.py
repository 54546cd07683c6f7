"""The engine and one SQLAlchemy session per request or socket event."""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import Session, sessionmaker

from .db_outage import unavailable, watch_commits
from .greenlets import gevent_patched

# On SQLite a transaction that reads and then writes can fail with "database is locked"
# when another writer committed in between; a request that means to write takes the
# write lock up front (BEGIN IMMEDIATE) and waits for it under the busy timeout instead.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ortsverein_write_intent", default=False
)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _create_private_sqlite_file(url: str) -> None:
    """Create a missing SQLite file readable by its owner only (0600): SQLite would
    create it by the umask, often readable by everyone, and gives its WAL and
    shared-memory files the mode of the database file."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings the app relies on for each database kind."""
    if url.startswith("sqlite"):
        _create_private_sqlite_file(url)
        if ":memory:" not in url and url != "sqlite://" and "poolclass" not in kwargs:
            # `serve` runs up to 200 threads; SQLite connections are cheap, and one
            # kept per busy thread spares reopening (a cold cache, the schema read
            # again) and waiting for the pool's default 5 + 10.
            kwargs.setdefault("pool_size", 50)
            kwargs.setdefault("max_overflow", 200)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, open transactions (see the begin hook).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows (a secret poll's ballots before sealing) are overwritten.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.close()

        # SQLite lets one writer in at a time and makes the others poll, sleeping up
        # to 100 ms between tries; writers of this process queue on a lock instead,
        # which wakes the next one the moment the last one ends. The busy timeout
        # still covers writers of other processes (the CLI).
        writer = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            if not _write_intent.get():
                conn.exec_driver_sql("BEGIN")
                return
            if not writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked")
            conn.info["ortsverein_writer"] = True
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_writer(conn.info)
                raise

        def _release_writer(info) -> None:
            if info is not None and info.pop("ortsverein_writer", False):
                writer.release()

        for name in ("commit", "rollback"):
            event.listen(engine, name, lambda conn: _release_writer(conn.info))
        # A connection that goes back to the pool or is thrown away mid-transaction.
        for name in ("checkin", "invalidate", "close"):
            event.listen(
                engine.pool,
                name,
                lambda _dbapi, record, *_: _release_writer(record and record.info),
            )

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def engine_of(session: Session) -> Engine:
    """The engine behind a session, for reads on connections of their own."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        raise RuntimeError("the session is bound to a connection, not an engine")
    return bind


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE matched (Session.execute is typed to
    return a Result; for those statements it returns a CursorResult)."""
    return cast("CursorResult[Any]", result).rowcount


@contextmanager
def write_intent():
    """Mark the transactions opened inside as writers (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def read_intent():
    """Mark the transactions opened inside as readers, even in a writing request:
    on SQLite, reads after a commit (building what to publish) must not take the
    write lock and hold up every other writer meanwhile."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def reading_after_commit(session: Session):
    """Reads after a use case committed (whom to tell, what to publish) as a reader,
    its transaction ended when done: on SQLite they must not take the write lock
    and hold up every other writer while the results go out over the network."""
    with read_intent():
        try:
            yield
        finally:
            if session.in_transaction():
                session.commit()  # read only; unlike rollback, it expires nothing


def reads_first(view):
    """Mark a writing view (POST) whose service takes the write lock itself, only
    around its writing transaction (`write_intent`): the request's reads before
    that (login, loading, checks) run as a reader and do not hold up other writers
    on SQLite. Casting a ballot is one."""
    view.ortsverein_reads_first = True
    return view


def takes_write_lock_first(method: str, view) -> bool:
    """Whether a request's transactions begin as writers: those of every request
    but GET, HEAD and OPTIONS, and of a `reads_first` view only under gevent. There
    no other request runs while this one reads, as reading SQLite never waits on the
    network (the body is read before the first statement, and what goes out after
    the commit is read as a reader: `reading_after_commit`); so the lock taken up
    front holds up no one, and the service writes in the transaction it read in
    instead of opening a second one."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    return not getattr(view, "ortsverein_reads_first", False) or gevent_patched()


def holds_write_lock(session: Session) -> bool:
    """Whether the session's open transaction began as a writer."""
    return session.in_transaction() and bool(
        session.connection().info.get("ortsverein_writer")
    )


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


class Database:
    """Keeps an engine per app; hands out the session of the current app context."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        watch_commits(engine)  # a COMMIT whose answer is lost (db_outage.py)
        # Objects stay usable after a service commits, so views can render them.
        factory = sessionmaker(engine, expire_on_commit=False)
        app.extensions["ortsverein_db"] = (engine, factory)
        app.teardown_appcontext(self._remove)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["ortsverein_db"][0]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["ortsverein_db"][1]()
        return g.db_session

    def _remove(self, _exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except Exception as err:
                # The request's work is done (its answer may be a good page); only
                # the closing ROLLBACK met a database going away: drop the link.
                if not unavailable(err):
                    raise
                with contextlib.suppress(Exception):
                    session.invalidate()


db = Database()
