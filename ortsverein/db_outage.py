"""When the database cannot be reached (restarted, failed over, the link dropped).

A request that meets it answers 503 with a stable code (error_pages.py): nothing it
wrote is kept, and a page re-shows what the member typed. One moment is special:
the connection dies while the database commits. Then nobody knows whether the
commit happened (PostgreSQL may have written it and lost only its answer). The
request says so (`commit_outcome_unknown`: reload before sending again), and a
service whose commit must be announced live (a new post or thread, an edit) commits
through `commit_and_announce()` (or hands `commit()` a `Settle`): once the database
answers again, it looks whether the write is there and, if it is, announces it
after all. So a saved post or thread reaches the live readers even when its author
saw an error. What is announced is built before the commit (the request's objects
cannot be read once the connection is gone).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from .app_object import app_object

log = logging.getLogger("ortsverein.db")
_COMMITTING = "ortsverein_committing"
MARK = "ortsverein_commit_outcome_unknown"
SETTLE_FOR = 300.0  # seconds to keep asking whether an uncertain commit happened


def unavailable(err: BaseException) -> bool:
    """Whether an error means the database cannot be reached now (as opposed to a
    statement it refused): a lost or refused connection, a full pool."""
    if isinstance(err, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(err, DBAPIError) and bool(err.connection_invalidated)


def commit_outcome_unknown(err: BaseException) -> bool:
    """Whether the error ended a COMMIT whose answer never came."""
    return bool(getattr(err, MARK, False)) and unavailable(err)


def watch_commits(engine: Engine) -> None:
    """Mark the errors raised by a COMMIT (the engine's `commit` event runs just
    before the driver's commit; the next transaction's `begin` forgets it)."""

    @event.listens_for(engine, "commit")
    def _committing(conn) -> None:
        conn.info[_COMMITTING] = True

    @event.listens_for(engine, "begin")
    def _begun(conn) -> None:
        conn.info.pop(_COMMITTING, None)

    @event.listens_for(engine, "handle_error")
    def _mark(context) -> None:
        conn = context.connection
        if conn is None or context.statement is not None:
            return
        try:
            committing = conn.info.get(_COMMITTING)
        except Exception:  # noqa: BLE001  (an invalidated connection may refuse)
            return
        if committing and context.sqlalchemy_exception is not None:
            setattr(context.sqlalchemy_exception, MARK, True)


@dataclass
class Settle:
    """What to do about an uncertain commit: `committed(session)` tells from the
    database whether the write is there; `then()` runs if it is (publishing)."""

    what: str
    committed: Callable[[Session], bool]
    then: Callable[[], None]

    def start(self) -> None:
        app = app_object()
        threading.Thread(
            target=_settle, args=(app, self), name="settle-commit", daemon=True
        ).start()


def commit(session: Session, settle: Settle | None = None) -> None:
    """session.commit(); when the answer to the COMMIT is lost, start `settle` and
    let the error go on to the view (503 commit_outcome_unknown)."""
    try:
        session.commit()
    except DBAPIError as err:
        if settle is not None and commit_outcome_unknown(err):
            log.warning("commit of %s: outcome unknown (%s)", settle.what, err)
            settle.start()
        raise


def commit_and_announce(
    session: Session,
    what: str,
    committed: Callable[[Session], bool],
    announce: Callable[[], None],
) -> None:
    """Commit a write that live clients are told of, then tell them (`announce`,
    built from values taken before the commit). When the COMMIT's answer is lost,
    the error goes on to the view as commit() says, and `announce` runs later if
    `committed(session)` finds the write in the database once it answers again."""
    commit(session, Settle(what, committed, announce))
    announce()


def _settle(app: Flask, settle: Settle, first_delay: float = 0.5) -> None:
    delay = first_delay
    deadline = time.monotonic() + SETTLE_FOR
    factory = app.extensions["ortsverein_db"][1]
    while time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
        with app.app_context():
            session = factory()
            try:
                found = settle.committed(session)
            except Exception as err:  # noqa: BLE001
                if unavailable(err):
                    continue
                log.exception("commit of %s: cannot tell its outcome", settle.what)
                return
            finally:
                session.close()
            if not found:
                log.warning("commit of %s: it did not happen", settle.what)
                return
            log.warning("commit of %s: it happened; announced now", settle.what)
            try:
                settle.then()
            except Exception:  # noqa: BLE001  (a thread of its own: log, end)
                log.exception("commit of %s: announcing failed", settle.what)
            return
    log.error("commit of %s: outcome still unknown, given up", settle.what)


@contextmanager
def after_commit(session: Session, what: str) -> Iterator[None]:
    """Work after a commit that must not turn a saved write into an error for its
    author (notifying, mailing): if the database goes away meanwhile it is skipped
    and logged; what was committed stays committed and is answered as such."""
    try:
        yield
    except Exception as err:
        if not unavailable(err):
            raise
        log.warning("after commit: %s skipped, the database went away (%s)", what, err)
        try:
            session.rollback()
        except Exception:  # noqa: BLE001  (the connection is gone anyway)
            log.debug("rollback after a lost connection failed", exc_info=True)
