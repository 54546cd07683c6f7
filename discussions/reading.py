"""Read markers and subscriptions. A page view does not write: read marks are
collected in memory and written in batches by a background thread (or at once where
the configuration says READ_MARKS_SYNC, as in tests of page flows)."""

from __future__ import annotations

import atexit
import threading
import weakref

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import (
    Forum,
    ForumSubscription,
    Member,
    Organisation,
    Thread,
    ThreadRead,
    ThreadSubscription,
)
from ortsverein.app_object import app_object
from ortsverein.db import write_intent
from ortsverein.permissions import visible_org_clause

from .access import insert_ignore

FLUSH_INTERVAL = 0.5  # seconds; a crash loses at most this much reading progress


def upsert_read_marks(session: Session, marks: dict[tuple[int, int], int]) -> None:
    """Raise each (member, thread) mark to at least the given post number."""
    if not marks:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    module = postgresql if postgres else sqlite
    stmt = module.insert(ThreadRead).values(
        [
            {"member_id": m, "thread_id": t, "last_read": n}
            for (m, t), n in sorted(marks.items())
        ]
    )
    higher = (func.greatest if postgres else func.max)(
        ThreadRead.last_read, stmt.excluded.last_read
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["member_id", "thread_id"], set_={"last_read": higher}
        )
    )


class ReadMarkWriter:
    """Per process: pending marks, flushed by a daemon thread in one transaction."""

    def __init__(self, app: Flask):
        self.app = app
        self.pending: dict[tuple[int, int], int] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def mark(self, member_id: int, thread_id: int, number: int) -> None:
        with self.lock:
            key = (member_id, thread_id)
            if self.pending.get(key, 0) < number:
                self.pending[key] = number
            if self.app.config.get("READ_MARKS_SYNC"):
                return  # the caller flushes
            if self.thread is None or not self.thread.is_alive():
                # Started lazily, so it exists in each forked worker, not the master.
                self.thread = threading.Thread(
                    target=self._run, name="read-marks", daemon=True
                )
                self.thread.start()

    def seen(self, member_id: int, thread_id: int, stored: int | None) -> int:
        """How far the member has read: the stored mark, or a higher one this
        process holds but has not written yet."""
        with self.lock:
            return max(stored or 0, self.pending.get((member_id, thread_id), 0))

    def flush(self) -> None:
        """Write the pending marks; they stay visible as pending until committed,
        so a page never shows a thread as unread in between."""
        with self.lock:
            marks = dict(self.pending)
        if not marks:
            return
        factory = self.app.extensions["ortsverein_db"][1]
        try:
            with write_intent(), factory() as session:
                upsert_read_marks(session, marks)
                session.commit()
        except Exception:  # noqa: BLE001  (keep the marks for the next round)
            self.app.logger.exception("writing read marks failed; retrying")
            return
        with self.lock:
            for key, number in marks.items():
                if self.pending.get(key) == number:
                    del self.pending[key]

    def _run(self) -> None:
        while True:
            self.wake.wait(FLUSH_INTERVAL)
            self.wake.clear()
            self.flush()


def writer(app: Flask | None = None) -> ReadMarkWriter:
    app = app or app_object()
    return app.extensions["ortsverein_read_marks"]


def mark_read(member_id: int, thread_id: int, number: int) -> None:
    """Record that the member has seen the thread up to post `number`."""
    marks = writer()
    marks.mark(member_id, thread_id, number)
    if current_app.config.get("READ_MARKS_SYNC"):
        from ortsverein.db import db

        # End the request's transaction first: on SQLite a second connection would
        # wait for its lock (a POST takes the write lock up front).
        db.session.commit()
        marks.flush()


def last_read(session: Session, member_id: int, thread_ids: list[int]) -> dict:
    """thread id -> highest post number the member has seen (pending marks count)."""
    if not thread_ids:
        return {}
    marks = dict(
        session.execute(
            select(ThreadRead.thread_id, ThreadRead.last_read).where(
                ThreadRead.member_id == member_id,
                ThreadRead.thread_id.in_(thread_ids),
            )
        ).all()
    )
    pending = writer()
    for thread_id in thread_ids:
        marks[thread_id] = pending.seen(member_id, thread_id, marks.get(thread_id))
    return marks


def unread_followed(
    session: Session, member: Member, limit: int = 5
) -> list[tuple[Thread, int]]:
    """The threads the member follows that have posts they have not read, newest
    activity first, each with how many posts are unread (home page). Only threads
    the member may still see: following does not outlast losing access."""
    threads = list(
        session.scalars(
            select(Thread)
            .join(ThreadSubscription, ThreadSubscription.thread_id == Thread.id)
            .join(Forum, Thread.forum_id == Forum.id)
            .join(Organisation, Forum.organisation_id == Organisation.id)
            .where(
                ThreadSubscription.member_id == member.id, visible_org_clause(member)
            )
            .order_by(Thread.last_post_at.desc(), Thread.id.desc())
            .limit(50)
        )
    )
    marks = last_read(session, member.id, [t.id for t in threads])
    unread = [(t, t.post_count - (marks.get(t.id) or 0)) for t in threads]
    return [(t, n) for t, n in unread if n > 0][:limit]


def _subscription(thread_id: int | None, forum_id: int | None):
    """The subscription table and the column of the followed object."""
    if thread_id is not None:
        return ThreadSubscription, "thread_id", thread_id
    return ForumSubscription, "forum_id", forum_id


def set_subscription(
    session: Session, member_id: int, on: bool, *, thread_id=None, forum_id=None
) -> None:
    """Follow or stop following a thread or a forum (in the caller's transaction)."""
    model, column, object_id = _subscription(thread_id, forum_id)
    if on:
        insert_ignore(session, model, member_id=member_id, **{column: object_id})
    else:
        session.execute(
            delete(model).where(
                model.member_id == member_id, getattr(model, column) == object_id
            )
        )


# Built once, on the tables: a forum page asks this on every view, and building
# the ORM statement anew (and its cache key) cost more than the query.
_SUBSCRIBED = {
    column: select(table.c.member_id).where(
        table.c.member_id == bindparam("member"),
        table.c[column] == bindparam("object"),
    )
    for table, column in (
        (ThreadSubscription.__table__, "thread_id"),
        (ForumSubscription.__table__, "forum_id"),
    )
}


def is_subscribed(session: Session, member_id: int, *, thread_id=None, forum_id=None):
    _model, column, object_id = _subscription(thread_id, forum_id)
    params = {"member": member_id, "object": object_id}
    return session.execute(_SUBSCRIBED[column], params).first() is not None


# The writers of this process's apps, flushed once more as the process ends. Held
# weakly: an app that is done with (each test builds its own) is not kept alive by
# its exit hook, with everything it holds.
_WRITERS: weakref.WeakSet[ReadMarkWriter] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for writer in list(_WRITERS):
        writer.flush()


def init_app(app: Flask) -> None:
    app.extensions["ortsverein_read_marks"] = marks = ReadMarkWriter(app)
    _WRITERS.add(marks)
