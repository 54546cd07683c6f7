"""Casting a ballot: participation, ballot and receipt in one transaction, with nothing
that links them; and what voters can check after closing."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import typing
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    BallotRecord,
    ElectorateEntry,
    Member,
    NamedVote,
    Participation,
    Poll,
    Receipt,
    SealedBallot,
    utcnow,
)
from ortsverein import db_outage, metrics
from ortsverein.db import (
    holds_write_lock,
    reading_after_commit,
    rowcount,
    write_intent,
)
from ortsverein.i18n import _
from ortsverein.presence import shared_redis
from ortsverein.realtime import publish

from . import ballot_keys
from .checksums import canonical
from .errors import (
    AlreadyVoted,
    BallotKeyMissing,
    InvalidChoices,
    NotEligible,
    PollNotOpen,
)
from .lifecycle import ensure_current
from .open_polls import OpenPoll
from .rules import InvalidBallot, check_ballot
from .state import OPEN

BERLIN = ZoneInfo("Europe/Berlin")
TURNOUT_INTERVAL = 30  # seconds; at most one turnout event per poll in this time


def new_receipt_code() -> str:
    """24 characters of base32 in groups of four, e.g. K7QF-2MZD-..."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def receipt_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


RULE_MESSAGES = {
    "too_many": lambda v: _(
        "Du hast zu viele Optionen gewählt (höchstens %(n)d).", n=v.get("maximum", 1)
    ),
    "too_few": lambda v: _(
        "Du hast zu wenige Optionen gewählt (mindestens %(n)d, oder "
        "gar keine für eine leere Stimme).",
        n=v.get("minimum", 1),
    ),
    "duplicate_option": lambda v: _("Eine Option ist doppelt genannt."),
    "unknown_option": lambda v: _(
        "Eine gewählte Option gehört nicht zu dieser Abstimmung."
    ),
    "not_yes_no_abstain": lambda v: _(
        "Je Option ist die Antwort Ja, Nein oder Enthaltung (yes, no, abstain)."
    ),
    "not_option_ids": lambda v: _(
        "Die Auswahl muss eine Liste von Options-Nummern sein."
    ),
}


def has_voted(session: Session, poll: Poll, member: Member) -> bool:
    return session.get(Participation, (poll.id, member.id)) is not None


def is_eligible(session: Session, poll: Poll, member: Member) -> bool:
    return session.get(ElectorateEntry, (poll.id, member.id)) is not None


# Built once; a ballot binds its values. A ballot request is a handful of statements,
# and building them cost more than running them. The inserts are Core statements on
# the tables: the ORM's bulk-insert handling is not needed here.
_POLL_STATE = (
    select(Poll.closed_at, Poll.closes_at)
    .where(Poll.id == bindparam("poll_id"))
    .with_for_update(read=True)
)
# The participation only for a member of the frozen electorate, and no "has voted?"
# look-up first: its primary key refuses a second ballot in the same transaction that
# would write it.
# A declarative model's __table__ is a Table; SQLAlchemy types it as a FromClause.
# (typing.cast: this module's cast() casts a ballot.)
_PARTICIPATE = insert(typing.cast(Table, Participation.__table__)).from_select(
    ["poll_id", "member_id", "voted_on"],
    select(
        bindparam("poll_id", type_=Participation.poll_id.type),
        bindparam("member_id", type_=Participation.member_id.type),
        bindparam("voted_on", type_=Participation.voted_on.type),
    ).where(
        exists().where(
            ElectorateEntry.poll_id == bindparam("poll_id"),
            ElectorateEntry.member_id == bindparam("member_id"),
        ),
        # and only while the poll is open (on SQLite the only check; see cast())
        exists().where(
            Poll.id == bindparam("poll_id"),
            Poll.closed_at.is_(None),
            Poll.closes_at > bindparam("now", type_=Poll.closes_at.type),
        ),
    ),
)
_INSERTS = {
    model: insert(typing.cast(Table, model.__table__))
    for model in (BallotRecord, SealedBallot, Receipt, NamedVote)
}


def lock_open_poll(session: Session, poll: Poll | OpenPoll) -> None:
    """First thing in a transaction that writes ballots: a shared lock on the poll
    row makes sealing (which updates that row) wait for these ballots, and refuses
    them once the poll is sealed or its time is up."""
    state = session.execute(_POLL_STATE, {"poll_id": poll.id}).one()
    if state.closed_at is not None or utcnow() >= state.closes_at:
        session.rollback()
        raise PollNotOpen(_("Diese Abstimmung ist nicht geöffnet."))


def ballot_row(poll_id: int, public_key: bytes | None, ballot_id: str, line: str):
    """The row a ballot is stored as: sealed to the poll's public key while a secret
    poll is open (no copy of the database can read it), plain otherwise (named
    polls, and secret polls opened before ballots were sealed). A sealed ballot is
    refused while the private key is missing: it could never be counted."""
    if public_key is None:
        return BallotRecord, {"id": ballot_id, "poll_id": poll_id, "choices": line}
    if not ballot_keys.has_key(poll_id):
        raise BallotKeyMissing(
            _(
                "Diese Abstimmung nimmt gerade keine Stimmen an: ihr Schlüssel fehlt, "
                "wie der Vorstand auf ihrer Seite sieht. Deine Stimme wurde nicht "
                "gespeichert."
            )
        )
    box = ballot_keys.seal(public_key, line)
    return SealedBallot, {"id": ballot_id, "poll_id": poll_id, "box": box}


def cast(session: Session, poll: Poll, member: Member, choices: list) -> str:
    """Cast the member's one ballot; returns the receipt code (shown once)."""
    if ensure_current(session, poll) != OPEN:
        raise PollNotOpen(_("Diese Abstimmung ist nicht geöffnet."))
    return cast_into(session, OpenPoll.of(poll), member, choices)


def cast_into(session: Session, poll: OpenPoll, member: Member, choices: list) -> str:
    """Cast the member's one ballot into an open poll; returns the receipt code.
    Participation, ballot and receipt are written in ONE transaction; a second
    attempt hits the participation's primary key and writes nothing, and one after
    the poll closed (whatever `poll` remembers) finds it closed and writes nothing."""
    try:
        ballot = check_ballot(poll.definition, choices)
    except InvalidBallot as err:
        raise InvalidChoices(RULE_MESSAGES[err.rule](err.values)) from None
    code = new_receipt_code()
    ballot_id = uuid.uuid4().hex
    rows = [
        ballot_row(poll.id, poll.public_key, ballot_id, canonical(ballot)),
        (Receipt, {"hash": receipt_hash(code), "poll_id": poll.id}),
    ]
    if not poll.secret:
        rows.append(
            (
                NamedVote,
                {"poll_id": poll.id, "member_id": member.id, "ballot_id": ballot_id},
            )
        )
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("cast() writes in a transaction of its own")
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite and not holds_write_lock(session):
        # Everything so far only read. The writing transaction starts afresh as a
        # writer: SQLite's write lock, held just for the statements below (under
        # gevent the request took it up front; see db.takes_write_lock_first). That
        # lock also keeps sealing out, so the participation's INSERT checks by
        # itself that the poll is open; elsewhere the poll row is locked first.
        session.commit()
    with write_intent():
        if not sqlite:
            lock_open_poll(session, poll)
        try:
            now = utcnow()
            added = rowcount(
                session.execute(
                    _PARTICIPATE,
                    {
                        "poll_id": poll.id,
                        "member_id": member.id,
                        "voted_on": now.astimezone(BERLIN).date(),
                        "now": now,
                    },
                    execution_options={"preserve_rowcount": True},
                )
            )
            if added != 1:
                lock_open_poll(session, poll)  # closed meanwhile: says so
                session.rollback()
                raise NotEligible(
                    _(
                        "Du gehörst nicht zu den Stimmberechtigten dieser "
                        "Abstimmung (festgelegt bei ihrer Öffnung)."
                    )
                )
            for model, values in rows:
                session.execute(_INSERTS[model], values)
            session.commit()
            metrics.ballot_cast()
        except IntegrityError:
            session.rollback()
            raise AlreadyVoted(
                _(
                    "Du hast bereits abgestimmt. Jedes Mitglied hat eine "
                    "Stimme; eine abgegebene Stimme ist endgültig."
                )
            ) from None
    # The ballot is in: a database gone away now must not answer as if it were not.
    with db_outage.after_commit(session, f"turnout of poll {poll.id}"):
        with reading_after_commit(session):
            publish_turnout(session, poll)
    return code


def turnout(session: Session, poll: Poll | OpenPoll) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.poll_id == poll.id)
        )
        or 0
    )


_last_turnout: dict[int, float] = {}
_turnout_lock = threading.Lock()


def _turnout_due(poll_id: int) -> bool:
    """At most one turnout event per poll and interval: through Redis across worker
    processes when configured, else per process."""
    client = shared_redis()
    if client is not None:
        return bool(
            client.set(
                f"ortsverein:turnout:{poll_id}", "1", nx=True, ex=TURNOUT_INTERVAL
            )
        )
    now = time.monotonic()
    with _turnout_lock:
        if now - _last_turnout.get(poll_id, -TURNOUT_INTERVAL) < TURNOUT_INTERVAL:
            return False
        _last_turnout[poll_id] = now
        return True


def publish_turnout(session: Session, poll: Poll | OpenPoll) -> None:
    """Only turnout is ever published while a poll is open: never counts."""
    if _turnout_due(poll.id):
        publish(
            "turnout",
            {
                "poll_id": poll.id,
                "ballots": turnout(session, poll),
                "electorate": poll.electorate_size or 0,
            },
            f"poll:{poll.id}",
        )
