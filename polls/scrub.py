"""What is left to do once a poll is sealed, repeated until it is done: destroy
the private keys of sealed polls, and remove the traces of the old order that the
rewrite leaves (PostgreSQL's dead row versions, which keep the casting
transaction's xmin until vacuumed; SQLite's old page images in the WAL, while the
deleted content itself is zeroed by secure_delete). Runs after the sealing commit
and from every `ortsverein tick`; a poll records `scrubbed_at` when it is done."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Poll, utcnow
from ortsverein.db import SQLITE_BUSY_TIMEOUT_MS as SQLITE_BUSY_MS
from ortsverein.db import engine_of, write_intent

from . import ballot_keys

KEY_FILE = re.compile(r"poll-(\d+)\.(?:key|share-\d+)")
# Tables whose dead row versions could pair a ballot with its voter
SCRUBBED_TABLES = "ballots, sealed_ballots, receipts, participations"


def destroy_keys_of_sealed_polls(session: Session) -> list[int]:
    """Destroy the key file, and any escrow share not picked up, of every sealed
    poll still having one (sealing destroys them at once; this catches a process
    that died in between). Returns the polls whose key was destroyed."""
    found: dict[int, list[Path]] = {}
    for path in ballot_keys.key_dir().iterdir():
        if m := KEY_FILE.fullmatch(path.name):
            found.setdefault(int(m.group(1)), []).append(path)
    if not found:
        return []
    sealed = session.scalars(
        select(Poll.id).where(Poll.id.in_(found), Poll.closed_at.is_not(None))
    ).all()
    session.rollback()
    destroyed = []
    for poll_id in sealed:
        for path in found[poll_id]:
            if ballot_keys.destroy_file(path) and path.suffix == ".key":
                destroyed.append(poll_id)
    return destroyed


def _scrub(session: Session) -> bool:
    """One attempt; True when the database verifiably holds no old versions."""
    engine = engine_of(session)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Never queue behind a long transaction and block every vote: a lock
            # not had in 2 s fails this attempt, and the next tick tries again.
            conn.exec_driver_sql("SET lock_timeout = '2s'")
            conn.exec_driver_sql(f"VACUUM FULL {SCRUBBED_TABLES}")
        return True
    # A raw connection: no transaction (and so no write lock) is begun. A
    # checkpoint that readers keep from finishing answers busy (it does not raise).
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA busy_timeout = 200")
        busy, log_frames, _checkpointed = cursor.execute(
            "PRAGMA wal_checkpoint(TRUNCATE)"
        ).fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        cursor.close()
    finally:
        raw.close()
    # busy: readers kept it from finishing; -1 frames: not in WAL mode (nothing kept)
    return busy == 0 and log_frames in (0, -1)


def finish_sealing(session: Session) -> bool:
    """Destroy leftover keys, then scrub if any sealed secret poll waits for it,
    and record `scrubbed_at` on the polls sealed before the attempt began. True when
    nothing is left to do."""
    destroy_keys_of_sealed_polls(session)
    started = utcnow()
    waiting = session.scalar(
        select(Poll.id)
        .where(
            Poll.secret.is_(True),
            Poll.closed_at.is_not(None),
            Poll.scrubbed_at.is_(None),
        )
        .limit(1)
    )
    session.rollback()
    if waiting is None:
        return True
    try:
        done = _scrub(session)
    except Exception as err:  # noqa: BLE001  (the seal itself has committed)
        current_app.logger.warning("scrubbing after sealing failed: %s", err)
        return False
    if not done:
        current_app.logger.warning("scrubbing after sealing: the WAL was busy")
        return False
    with write_intent():
        session.execute(
            update(Poll)
            .where(
                Poll.secret.is_(True),
                Poll.closed_at.is_not(None),
                Poll.closed_at <= started,
                Poll.scrubbed_at.is_(None),
            )
            .values(scrubbed_at=utcnow())
        )
        session.commit()
    return True
