"""The published ballot box of a closed poll: the ballots and, apart from them, the
receipt hashes, each sorted (the database sorts byte-wise, which is the published
code-point order); and the check of one receipt. A national vote's box holds
hundreds of thousands of rows: the page shows the first ones and counts, the API
streams the whole box without parsing a ballot."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import BallotRecord, Poll, Receipt
from ortsverein.db import engine_of
from ortsverein.greenlets import pause
from ortsverein.i18n import _

from .casting import receipt_hash
from .checksums import sorted_column
from .errors import PollNotClosed
from .lifecycle import ensure_current
from .records import require_counted
from .state import CLOSED

CHUNK = 5000  # rows per database fetch and per piece of the streamed JSON


def _require_closed(session: Session, poll: Poll) -> None:
    if ensure_current(session, poll) != CLOSED:
        raise PollNotClosed(
            _("Die Urne wird erst nach dem Ende der Abstimmung veröffentlicht.")
        )
    require_counted(poll)


def _count(session: Session, model: type[BallotRecord | Receipt], poll: Poll) -> int:
    return session.scalars(
        select(func.count()).select_from(model).where(model.poll_id == poll.id)
    ).one()


def ballot_box(session: Session, poll: Poll) -> dict:
    """The whole box as data (for checks and small polls)."""
    _require_closed(session, poll)
    connection = session.connection()
    return {
        "ballots": [
            json.loads(b)
            for b in sorted_column(connection, BallotRecord.choices, poll.id, CHUNK)
        ],
        "receipts": list(sorted_column(connection, Receipt.hash, poll.id, CHUNK)),
        "digest": poll.ballot_digest,
        "receipts_digest": poll.receipts_digest,
    }


def ballot_box_page(session: Session, poll: Poll, limit: int) -> dict:
    """The first `limit` ballots and receipts, and how many there are."""
    _require_closed(session, poll)
    connection = session.connection()
    ballots = sorted_column(connection, BallotRecord.choices, poll.id, CHUNK, limit)
    receipts = sorted_column(connection, Receipt.hash, poll.id, CHUNK, limit)
    return {
        "ballots": [json.loads(b) for b in ballots],
        "ballot_count": _count(session, BallotRecord, poll),
        "receipts": list(receipts),
        "receipt_count": _count(session, Receipt, poll),
        "digest": poll.ballot_digest,
        "receipts_digest": poll.receipts_digest,
    }


def ballot_box_json(session: Session, poll: Poll) -> Iterator[str]:
    """The whole box as JSON text, piece by piece: the stored ballots already are
    canonical JSON, so they are copied, not parsed and written again. Raises
    PollNotClosed before the first piece. Streamed on a connection of its own, as
    the CSV exports are: the response outlives the request's session."""
    _require_closed(session, poll)
    digests = {"digest": poll.ballot_digest, "receipts_digest": poll.receipts_digest}
    engine, poll_id = engine_of(session), poll.id

    def pieces() -> Iterator[str]:
        with engine.connect() as connection:
            ballots = sorted_column(connection, BallotRecord.choices, poll_id, CHUNK)
            yield '{"ballots":['
            yield from _joined(ballots, str)
            receipts = sorted_column(connection, Receipt.hash, poll_id, CHUNK)
            yield '],"receipts":['
            yield from _joined(receipts, json.dumps)
            yield "]," + json.dumps(digests)[1:]

    return pieces()


def _joined(values, encode) -> Iterator[str]:
    separator, batch = "", []
    for n, value in enumerate(values, 1):
        batch.append(encode(value))
        if len(batch) == CHUNK:
            yield separator + ",".join(batch)
            separator, batch = ",", []
            pause(n, CHUNK)  # under gevent: let the other sockets have a turn
    if batch:
        yield separator + ",".join(batch)


def receipt_counted(session: Session, poll: Poll, code: str) -> bool:
    if ensure_current(session, poll) != CLOSED:
        raise PollNotClosed(
            _("Quittungen lassen sich nach dem Ende der Abstimmung prüfen.")
        )
    found = session.get(Receipt, receipt_hash(code))
    return found is not None and found.poll_id == poll.id
