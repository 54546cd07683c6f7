"""The published recipes: the canonical form of a ballot, and the SHA-256 digests of
the electorate, the ballot box and the receipts (each over its sorted lines, in
Python's code-point order, whichever database holds them)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection, ScalarResult
from sqlalchemy.orm import Session

from models import BallotRecord, ElectorateEntry, Member, Poll, Receipt


def canonical(choices) -> str:
    return json.dumps(list(choices), separators=(",", ":"))


def digest_of(lines: list[str]) -> str:
    """SHA-256 over the sorted lines joined by newlines (the published recipe)."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def electorate_digest(session: Session, poll_id: int) -> tuple[int, str]:
    """Size of the poll's frozen electorate and digest_of its membership numbers.
    PostgreSQL sorts, joins and hashes them itself (400,000 numbers need not travel):
    the "C" collation orders UTF-8 bytes, which is digest_of's code-point order.
    `ortsverein verify-poll` recomputes it here in Python."""
    members = (
        select(Member.membership_number)
        .join(ElectorateEntry, ElectorateEntry.member_id == Member.id)
        .where(ElectorateEntry.poll_id == poll_id)
    )
    if session.get_bind().dialect.name != "postgresql":
        numbers = session.scalars(members).all()
        return len(numbers), digest_of(list(numbers))
    number = bytewise(Member.membership_number, "postgresql")
    joined = func.coalesce(
        func.string_agg(number, aggregate_order_by(literal("\n"), number)), ""
    )
    size, digest = session.execute(
        select(
            func.count(),
            func.encode(func.sha256(func.convert_to(joined, "UTF8")), "hex"),
        )
        .select_from(Member)
        .join(ElectorateEntry, ElectorateEntry.member_id == Member.id)
        .where(ElectorateEntry.poll_id == poll_id)
    ).one()
    return size, digest


def ballot_lines(session: Session, poll: Poll) -> list[tuple[str, int]]:
    """The box as (choices, how many ballots hold them), in the published order:
    Python's, not the database collation's."""
    rows = session.execute(
        select(BallotRecord.choices, func.count())
        .where(BallotRecord.poll_id == poll.id)
        .group_by(BallotRecord.choices)
    )
    return sorted((line, count) for line, count in rows)


def digest_of_counted(lines: list[tuple[str, int]]) -> str:
    """digest_of over sorted (line, count) pairs, each line repeated count times."""
    digest, first = hashlib.sha256(), True
    for line, count in lines:
        data = line.encode()
        if first:
            digest.update(data)
            count, first = count - 1, False
        piece = b"\n" + data
        step = max(1, 2**16 // len(piece))
        while count > 0:
            digest.update(piece * min(step, count))
            count -= step
    return digest.hexdigest()


def receipts_digest(session: Session, poll: Poll, batch: int = 20_000) -> str:
    """digest_of over the receipt hashes, sorted byte-wise by the database (which
    is Python's order) and hashed chunk by chunk."""
    hashes = sorted_column(session.connection(), Receipt.hash, poll.id, batch)
    digest, separator = hashlib.sha256(), ""
    for chunk in hashes.partitions():
        digest.update((separator + "\n".join(chunk)).encode())
        separator = "\n"
    return digest.hexdigest()


def sorted_column(
    connection: Connection, column, poll_id: int, batch: int = 5000, limit=None
) -> ScalarResult:
    """One column of a poll's rows (ballot choices, receipt hashes) in the published
    code-point order, from a server-side cursor in batches: Core rows, no ORM work
    per row."""
    query = (
        select(column)
        .where(column.table.c.poll_id == poll_id)
        .order_by(bytewise(column, connection.dialect.name))
    )
    if limit is not None:
        query = query.limit(limit)
    return connection.execute(query.execution_options(yield_per=batch)).scalars()


def bytewise(column, dialect: str):
    """The column ordered by code point, as Python sorts (PostgreSQL's default
    collation follows the locale; SQLite's is byte-wise already)."""
    return column.collate("C") if dialect == "postgresql" else column
