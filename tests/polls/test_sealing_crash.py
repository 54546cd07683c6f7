"""SIGKILL during sealing (PostgreSQL): the `tick` that seals is killed while its
sealing transaction is under way; nothing acknowledged is lost, the poll is neither
half-sealed nor keyless, and the next `tick` seals it with every ballot counted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ortsverein.db import make_engine
from polls import ballot_keys, casting
from polls.records import stored_result
from tests.factories import close_now, fresh, make_member, make_poll


def _tick(app, env: dict) -> subprocess.Popen:
    cli = Path(sys.executable).with_name("ortsverein")
    return subprocess.Popen(
        [str(cli), "tick"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _waiting_query(admin, database: str, deadline: float) -> str:
    """The statement of the tick's backend once it waits for the lock we hold."""
    while time.monotonic() < deadline:
        with admin.connect() as conn:
            query = conn.execute(
                text(
                    "SELECT query FROM pg_stat_activity WHERE datname = :db "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).scalar()
        if query:
            return query
        time.sleep(0.05)
    raise AssertionError("the tick never reached the sealing transaction")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_sigkill_during_sealing_loses_nothing_and_the_next_tick_seals(
    app, world, session, ctx, db_url, tmp_path
):
    poll = make_poll(session, world.nord, world.organiser)
    yes, no = poll.options[0].id, poll.options[1].id
    voters = [make_member(session, world.nord) for _ in range(12)]
    session.commit()
    for i, member in enumerate(voters):
        casting.cast(session, poll, member, [yes if i % 3 else no])
    close_now(session, poll)
    env = {
        **os.environ,
        "ORTSVEREIN_CONFIG": "development",
        "ORTSVEREIN_DATABASE_URL": db_url,
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path / "cron"),
        "ORTSVEREIN_BALLOT_KEY_DIR": app.config["BALLOT_KEY_DIR"],
    }
    database = db_url.rsplit("/", 1)[1]
    admin = make_engine(db_url, isolation_level="AUTOCOMMIT")
    holder = make_engine(db_url)
    blocker = holder.connect()
    # Hold the ballot table: the sealing transaction, once it has claimed the poll,
    # waits for it, and is killed there, mid-transaction.
    blocker.execute(text("LOCK TABLE ballots IN ACCESS EXCLUSIVE MODE"))
    first = _tick(app, env)
    try:
        waiting = _waiting_query(admin, database, time.monotonic() + 60)
        # ...inside sealing: it has claimed the poll and is opening its box.
        assert "FROM ballots" in waiting, waiting
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        blocker.rollback()
        blocker.close()
        holder.dispose()
    assert first.returncode == -signal.SIGKILL
    # The killed transaction is rolled back: still closed, unsealed, keyed.
    # Its backend ends once it finds its client gone; wait for that.
    barrier = make_engine(db_url)
    with barrier.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        conn.execute(text("LOCK TABLE polls IN SHARE MODE"))
    barrier.dispose()
    fresh(session)
    assert poll.closed_at is None and poll.result_json is None
    assert ballot_keys.has_key(poll.id)

    second = subprocess.run(
        [str(Path(sys.executable).with_name("ortsverein")), "tick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    fresh(session)
    assert poll.closed_at is not None
    counts = stored_result(poll)["counts"]
    assert counts[str(yes)] == 8 and counts[str(no)] == 4
    assert not ballot_keys.has_key(poll.id)
    verify = app.test_cli_runner().invoke(args=["verify-poll", str(poll.id)])
    assert verify.exit_code == 0, verify.output
    admin.dispose()
