"""After sealing, the traces of the order of casting are scrubbed, and that is
checked: a scrub that another access keeps from finishing (a reader on SQLite's
WAL, a transaction holding the ballot tables on PostgreSQL) leaves the poll marked
as not scrubbed, and `ortsverein tick` tries again until it is done."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text

from ortsverein.db import db
from polls.lifecycle import ensure_current
from polls.scrub import finish_sealing
from tests.factories import close_now, fresh, make_poll


@pytest.fixture
def sealed_later(world, session, ctx):
    """A secret poll with one ballot, its time up but not yet sealed."""
    from polls import casting

    poll = make_poll(session, world.nord, world.organiser)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    close_now(session, poll)
    session.commit()
    return poll


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_busy_wal_leaves_the_poll_unscrubbed_until_a_later_tick(
    app, session, sealed_later, db_url, client, auth, world
):
    reader = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM polls").fetchone()  # holds a snapshot
    try:
        ensure_current(session, sealed_later)
        fresh(session)
        assert sealed_later.closed_at is not None
        assert sealed_later.scrubbed_at is None  # the checkpoint answered busy
        auth.login(world.organiser)
        page = client.get(f"/polls/{sealed_later.id}").get_data(as_text=True)
        assert "noch nicht aus der Datenbank entfernt" in page
    finally:
        reader.rollback()
        reader.close()
    db.session.rollback()  # the test's request context holds a snapshot too
    with app.app_context():
        assert finish_sealing(session) is True  # what tick runs
    fresh(session)
    assert sealed_later.scrubbed_at is not None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_held_lock_leaves_the_poll_unscrubbed_until_a_later_tick(
    app, session, sealed_later, db_url
):
    holder = create_engine(db_url).connect()
    holder.execute(text("SELECT count(*) FROM receipts")).scalar()  # ACCESS SHARE
    try:
        ensure_current(session, sealed_later)  # VACUUM FULL gives up after 2 s
        fresh(session)
        assert sealed_later.closed_at is not None
        assert sealed_later.scrubbed_at is None
    finally:
        holder.rollback()
        holder.close()
    with app.app_context():
        assert finish_sealing(session) is True
    fresh(session)
    assert sealed_later.scrubbed_at is not None
