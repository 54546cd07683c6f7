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
from ortsverein.cooperative import pause
from ortsverein.i18n import _

from .casting import receipt_hash
from .digests import bytewise
from .errors import PollNotClosed
from .lifecycle import CLOSED, ensure_current

CHUNK = 5000  # rows per database fetch and per piece of the streamed JSON


def _require_closed(session: Session, poll: Poll) -> None:
    if ensure_current(session, poll) != CLOSED:
        raise PollNotClosed(
            _("Die Urne wird erst nach dem Ende der Abstimmung veröffentlicht.")
        )


def _sorted(session: Session, column, poll: Poll, limit: int | None = None):
    """The column's values for the poll in the published order, fetched in chunks."""
    connection = session.connection()  # Core rows: no ORM work per ballot
    query = (
        select(column)
        .where(column.table.c.poll_id == poll.id)
        .order_by(bytewise(column, connection.dialect.name))
    )
    if limit is not None:
        query = query.limit(limit)
    return connection.execute(query.execution_options(yield_per=CHUNK)).scalars()


def _count(session: Session, model, poll: Poll) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.poll_id == poll.id)
    )


def ballot_box(session: Session, poll: Poll) -> dict:
    """The whole box as data (for checks and small polls)."""
    _require_closed(session, poll)
    return {
        "ballots": [
            json.loads(b) for b in _sorted(session, BallotRecord.choices, poll)
        ],
        "receipts": list(_sorted(session, Receipt.hash, poll)),
        "digest": poll.ballot_digest,
        "receipts_digest": poll.receipts_digest,
    }


def ballot_box_page(session: Session, poll: Poll, limit: int) -> dict:
    """The first `limit` ballots and receipts, and how many there are."""
    _require_closed(session, poll)
    return {
        "ballots": [
            json.loads(b) for b in _sorted(session, BallotRecord.choices, poll, limit)
        ],
        "ballot_count": _count(session, BallotRecord, poll),
        "receipts": list(_sorted(session, Receipt.hash, poll, limit)),
        "receipt_count": _count(session, Receipt, poll),
        "digest": poll.ballot_digest,
        "receipts_digest": poll.receipts_digest,
    }


def ballot_box_json(session: Session, poll: Poll) -> Iterator[str]:
    """The whole box as JSON text, piece by piece: the stored ballots already are
    canonical JSON, so they are copied, not parsed and written again. Raises
    PollNotClosed before the first piece."""
    _require_closed(session, poll)

    digests = {"digest": poll.ballot_digest, "receipts_digest": poll.receipts_digest}

    def pieces() -> Iterator[str]:
        try:
            yield '{"ballots":['
            yield from _joined(_sorted(session, BallotRecord.choices, poll), str)
            yield '],"receipts":['
            yield from _joined(_sorted(session, Receipt.hash, poll), json.dumps)
            yield "]," + json.dumps(digests)[1:]
        finally:
            # A response streams after the request's teardown: end the reading
            # transaction here, or it would stay open with the session.
            session.close()

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
