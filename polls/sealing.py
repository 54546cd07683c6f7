"""Sealing a poll's ballot box at closing: the ballots and receipts of a secret
poll rewritten in random order, digests over the sorted lists, the tally stored
with them; then the traces of the old order scrubbed. Run once, by whoever claims
the close first (see lifecycle.ensure_current)."""

from __future__ import annotations

import json
import random

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from models import BallotRecord, Poll, Receipt, Repeat
from ortsverein import audit
from ortsverein.db import SQLITE_BUSY_TIMEOUT_MS as SQLITE_BUSY_MS
from ortsverein.db import engine_of

from .checksums import digest_of
from .recurring import schedule_repetition
from .state import claim, definition_for, org_room
from .tally import tally

SEAL_CHUNK = 50_000  # rows per statement when a sealed box is written back


def _insert_in_order(session: Session, table, poll_id: int, **columns: list) -> None:
    """Write a poll's rows back in exactly the given (shuffled) order. PostgreSQL
    gets them as arrays through unnest, one statement per chunk (psycopg's
    executemany sends row after row: sealing 400,000 ballots took 23 s instead of
    18.5). Elsewhere Core executemany (the ORM's bulk path collected every row
    again)."""
    names = list(columns)
    count = len(columns[names[0]])
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        arrays = ", ".join(f"CAST(:{n} AS text[])" for n in names)
        cols = ", ".join(names)
        stmt = text(
            f"INSERT INTO {table.name} ({cols}, poll_id) "  # noqa: S608  (model names)
            f"SELECT {cols}, :poll_id FROM unnest({arrays}) "
            f"WITH ORDINALITY AS rows({cols}, n) ORDER BY n"
        )
    for start in range(0, count, SEAL_CHUNK):
        chunk = {n: values[start : start + SEAL_CHUNK] for n, values in columns.items()}
        if postgres:
            session.execute(stmt, {"poll_id": poll_id, **chunk})
        else:
            rows = zip(*chunk.values(), strict=True)
            session.execute(
                insert(table),
                [dict(zip(names, row, strict=True), poll_id=poll_id) for row in rows],
            )


def seal_and_tally(session: Session, poll: Poll):
    if not claim(session, poll, Poll.closed_at):
        return []
    ballots = session.execute(
        select(BallotRecord.id, BallotRecord.choices).where(
            BallotRecord.poll_id == poll.id
        )
    ).all()
    receipts = session.scalars(
        select(Receipt.hash).where(Receipt.poll_id == poll.id)
    ).all()
    if poll.secret:
        # Rewrite in random order in this transaction: no later copy of the database
        # links a ballot to a participation by physical order or transaction id.
        rnd = random.SystemRandom()
        shuffled = list(ballots)
        hashes = list(receipts)
        rnd.shuffle(shuffled)
        rnd.shuffle(hashes)
        session.execute(delete(BallotRecord).where(BallotRecord.poll_id == poll.id))
        session.execute(delete(Receipt).where(Receipt.poll_id == poll.id))
        _insert_in_order(
            session,
            BallotRecord.__table__,
            poll.id,
            id=[b.id for b in shuffled],
            choices=[b.choices for b in shuffled],
        )
        _insert_in_order(session, Receipt.__table__, poll.id, hash=hashes)
    lines = [b.choices for b in ballots]
    digest = digest_of(lines)
    receipts_digest = digest_of(list(receipts))
    result = tally(definition_for(poll, digest), [json.loads(c) for c in sorted(lines)])
    session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(
            ballot_digest=digest,
            receipts_digest=receipts_digest,
            result_json=json.dumps(result.as_dict(), sort_keys=True),
        )
    )
    audit.record(
        session,
        None,
        "poll.closed",
        organisation=poll.organisation,
        target=poll,
        ballots=result.ballots,
        digest=digest,
        receipts_digest=receipts_digest,
        outcome=result.outcome,
    )
    if poll.repeat != Repeat.NONE:
        schedule_repetition(session, poll)
    return [
        lambda: scrub_after_sealing(session),
        (
            "poll_closed",
            {"poll_id": poll.id, "title": poll.title},
            org_room(poll.organisation_id),
        ),
    ]


def scrub_after_sealing(session: Session) -> None:
    """Remove what the rewrite left behind: on PostgreSQL the dead tuples of the
    original ballot rows (they keep the casting transaction's xmin until vacuumed),
    on SQLite the old page images in the WAL (deleted content itself is zeroed by
    secure_delete). Run after the sealing commit; best effort, and logged."""
    engine = engine_of(session)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as conn:
                # Never queue behind a long transaction and block every vote.
                conn.exec_driver_sql("SET lock_timeout = '2s'")
                conn.exec_driver_sql("VACUUM FULL ballots, receipts")
        else:
            # A raw connection: no transaction (and so no write lock) is begun.
            # Wait briefly for readers; a busy checkpoint is retried by SQLite's own
            # checkpoints, which overwrite the old frames.
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA busy_timeout = 200")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
                cursor.close()
            finally:
                raw.close()
    except Exception as err:  # noqa: BLE001  (the seal itself has committed)
        from flask import current_app

        current_app.logger.error("scrubbing after sealing failed: %s", err)
