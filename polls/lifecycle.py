"""The transition work done once when a poll's moment passes (its state by the clock
is in state.py): freezing the electorate at opening, the announcement and the
reminder, and at closing the sealing and tally (sealing.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.orm import Session

from models import (
    ElectorateEntry,
    Member,
    Organisation,
    Participation,
    Poll,
    utcnow,
)
from ortsverein import audit
from ortsverein.notifications import deliver, notify

from . import escrow
from .checksums import electorate_digest
from .sealing import can_seal, note_key_lost_while_open, seal_and_tally
from .state import (
    CLOSED,
    OPEN,
    claim,
    in_own_transaction,
    org_room,
    reminder_due,
    status,
)


def ensure_current(session: Session, poll: Poll, now: datetime | None = None) -> str:
    """Do whatever transition work is due (idempotent) and return the poll's status."""
    state = status(poll, now)
    if state in (OPEN, CLOSED) and poll.opened_at is None:
        in_own_transaction(session, poll, _freeze_electorate)
    if state == OPEN and poll.announced_at is None:
        in_own_transaction(session, poll, _announce)
    if state == OPEN and poll.reminded_at is None and reminder_due(poll, now):
        in_own_transaction(session, poll, _remind)
    if state == OPEN:
        note_key_lost_while_open(session, poll)
    if state == CLOSED and poll.closed_at is None and can_seal(session, poll):
        in_own_transaction(session, poll, seal_and_tally)
    return state


def _electorate(poll: Poll):
    return select(ElectorateEntry.member_id).where(ElectorateEntry.poll_id == poll.id)


def _announce(session: Session, poll: Poll):
    """Tell the electorate that the poll is open (in-app, and email if opted in)."""
    if not claim(session, poll, Poll.announced_at):
        return []
    members = _electorate(poll)
    count = notify(session, members, "poll_opened", poll.title, f"/polls/{poll.id}")
    return [
        lambda: deliver(
            session, members, "poll_opened", poll.title, f"/polls/{poll.id}", count
        )
    ]


def _remind(session: Session, poll: Poll):
    """Remind those who have not voted; nobody else learns who they are."""
    if not claim(session, poll, Poll.reminded_at):
        return []
    members = _electorate(poll).where(
        ~exists().where(
            Participation.poll_id == poll.id,
            Participation.member_id == ElectorateEntry.member_id,
        )
    )
    count = notify(session, members, "poll_reminder", poll.title, f"/polls/{poll.id}")
    return [
        lambda: deliver(
            session, members, "poll_reminder", poll.title, f"/polls/{poll.id}", count
        )
    ]


def _freeze_electorate(session: Session, poll: Poll):
    if not claim(session, poll, Poll.opened_at):
        return []
    org = poll.organisation
    session.execute(
        insert(ElectorateEntry).from_select(
            ["poll_id", "member_id"],
            select(literal(poll.id), Member.id)
            .join(Organisation, Member.home_branch_id == Organisation.id)
            .where(
                Organisation.path.startswith(org.path, autoescape=True),
                Member.active.is_(True),
            ),
        )
    )
    size, digest = electorate_digest(session, poll.id)
    # A secret poll's ballots are sealed from the first one on: its key pair now.
    public_key = escrow.create_key(session, poll) if poll.secret else None
    session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(
            electorate_size=size, electorate_hash=digest, ballot_public_key=public_key
        )
    )
    audit.record(
        session,
        None,
        "poll.opened",
        organisation=org,
        target=poll,
        electorate_size=size,
        electorate_hash=digest,
    )
    return [
        ("poll_opened", {"poll_id": poll.id, "title": poll.title}, org_room(org.id))
    ]


def due_polls(session: Session, now: datetime | None = None) -> list[Poll]:
    """Scheduled polls whose opening, reminder or closing work may be due."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Poll)
            .where(
                Poll.scheduled.is_(True),
                Poll.cancelled_at.is_(None),
                ((Poll.opened_at.is_(None)) & (Poll.opens_at <= now))
                | ((Poll.closed_at.is_(None)) & (Poll.closes_at <= now))
                # open and not yet reminded: ensure_current checks whether it is time
                | (
                    Poll.reminded_at.is_(None)
                    & (Poll.opens_at <= now)
                    & (Poll.closes_at > now)
                ),
            )
            .order_by(Poll.id)
        )
    )
