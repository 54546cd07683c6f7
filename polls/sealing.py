"""Sealing a poll's ballot box at closing: a secret poll's sealed ballots opened
with its private key, and its ballots, receipts and participations rewritten in
random order (ballots under new keys); digests over the sorted lists and the tally
stored with them. Then (scrub.py) the key is destroyed and the traces of the old
order removed. Run once, by whoever claims the close first (lifecycle.py); never
without the key: a poll whose key is missing stays unsealed and says so."""

from __future__ import annotations

import json
import random
import uuid

from flask import current_app
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from models import (
    BallotRecord,
    Participation,
    Poll,
    Receipt,
    Repeat,
    SealedBallot,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import rowcount

from . import ballot_keys
from .checksums import digest_of
from .recurring import schedule_repetition
from .scrub import finish_sealing
from .state import claim, definition_for, in_own_transaction, org_room
from .tally import tally

SEAL_CHUNK = 50_000  # rows per statement when a sealed box is written back


def _insert_in_order(
    session: Session, table, poll_id: int, types: dict | None = None, **columns: list
) -> None:
    """Write a poll's rows back in exactly the given (shuffled) order. PostgreSQL
    gets them as arrays through unnest, one statement per chunk (psycopg's
    executemany sends row after row, a round trip each: slow for a sealing of
    hundreds of thousands of ballots; docs/performance.md). Elsewhere Core
    executemany (the ORM's bulk path collected every row again)."""
    names = list(columns)
    count = len(columns[names[0]])
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        types = types or {}
        arrays = ", ".join(f"CAST(:{n} AS {types.get(n, 'text')}[])" for n in names)
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


def can_seal(session: Session, poll: Poll) -> bool:
    """Whether the poll's ballots can be opened now. A poll whose private key is
    missing is never sealed without it (that would drop every sealed ballot): its
    time is up, but it stays unsealed, without a result, and says so."""
    if poll.ballot_public_key is None:
        return True
    try:
        if ballot_keys.private_key(poll.id, poll.ballot_public_key) is not None:
            return True
    except ballot_keys.KeyUnusable as err:  # a stray file: no better than none
        current_app.logger.error("poll %s cannot be sealed: %s", poll.id, err)
    if poll.key_missing_at is None:
        in_own_transaction(session, poll, _record_key_missing)
    return False


def note_key_lost_while_open(session: Session, poll: Poll) -> None:
    """A key lost mid-poll is recorded at once, for the board. Only whether the
    file is there (a stat): this runs on every page of an open poll, and sealing
    checks the key itself."""
    if (
        poll.ballot_public_key is not None
        and poll.key_missing_at is None
        and not ballot_keys.has_key(poll.id)
    ):
        in_own_transaction(session, poll, _record_key_missing)


def _record_key_missing(session: Session, poll: Poll) -> list:
    """Record once that the poll's private key is gone (the board sees it on the
    poll's page)."""
    done = rowcount(
        session.execute(
            update(Poll)
            .where(Poll.id == poll.id, Poll.key_missing_at.is_(None))
            .values(key_missing_at=utcnow())
        )
    )
    if done:
        audit.record(
            session,
            None,
            "poll.key_missing",
            organisation=poll.organisation,
            target=poll,
        )
    return []


def _opened_box(session: Session, poll: Poll) -> list[str]:
    """Every ballot of the poll as its canonical line: the plain ones (named polls,
    polls opened before sealing at rest) and the sealed ones opened with the key."""
    lines = list(
        session.scalars(
            select(BallotRecord.choices).where(BallotRecord.poll_id == poll.id)
        )
    )
    if poll.ballot_public_key is not None:
        key = ballot_keys.private_key(poll.id, poll.ballot_public_key)
        if key is None:  # gone since can_seal looked: roll the claim back
            raise ballot_keys.KeyUnusable(f"the key of poll {poll.id} went missing")
        boxes = session.scalars(
            select(SealedBallot.box).where(SealedBallot.poll_id == poll.id)
        ).all()
        lines.extend(ballot_keys.open_all(key, list(boxes)))
    return lines


def _rewrite_shuffled(session: Session, poll: Poll, lines: list[str], receipts):
    """Rewrite a secret poll's box, receipts and participations in random order
    under new ballot keys, in this transaction: no later copy of the database
    links a ballot to a participation by physical order, transaction id or key."""
    rnd = random.SystemRandom()
    shuffled, hashes = list(lines), list(receipts)
    rnd.shuffle(shuffled)
    rnd.shuffle(hashes)
    voters = session.execute(
        select(Participation.member_id, Participation.voted_on).where(
            Participation.poll_id == poll.id
        )
    ).all()
    voters = list(voters)
    rnd.shuffle(voters)
    for model in (BallotRecord, SealedBallot, Receipt, Participation):
        session.execute(delete(model).where(model.poll_id == poll.id))
    _insert_in_order(
        session,
        BallotRecord.__table__,
        poll.id,
        id=[uuid.uuid4().hex for _line in shuffled],
        choices=shuffled,
    )
    _insert_in_order(session, Receipt.__table__, poll.id, hash=hashes)
    _insert_in_order(
        session,
        Participation.__table__,
        poll.id,
        types={"member_id": "integer", "voted_on": "date"},
        member_id=[v.member_id for v in voters],
        voted_on=[v.voted_on for v in voters],
    )


def seal_and_tally(session: Session, poll: Poll):
    if not claim(session, poll, Poll.closed_at):
        return []
    lines = _opened_box(session, poll)
    receipts = session.scalars(
        select(Receipt.hash).where(Receipt.poll_id == poll.id)
    ).all()
    if poll.secret:
        _rewrite_shuffled(session, poll, lines, receipts)
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
        lambda: finish_sealing(session),
        (
            "poll_closed",
            {"poll_id": poll.id, "title": poll.title},
            org_room(poll.organisation_id),
        ),
    ]
