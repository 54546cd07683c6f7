"""Poll state from the clock, and the transition work done once when a moment passes:
freezing the electorate at opening, the announcement and the reminder, and at
closing the sealing and tally (polls/sealing.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

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
from ortsverein.db import reading_after_commit, write_intent
from ortsverein.notifications import deliver, notify
from ortsverein.realtime import publish

from .digests import (
    electorate_digest,
)
from .rules import PollDefinition

DRAFT, SCHEDULED, OPEN, CLOSED = "draft", "scheduled", "open", "closed"


def status(poll: Poll, now: datetime | None = None) -> str:
    """draft until scheduled; then scheduled, open or closed by the clock."""
    if not poll.scheduled:
        return DRAFT
    if poll.closed_at is not None:
        return CLOSED  # sealed: nothing can reopen it, not even an extension
    now = now or utcnow()
    if now < poll.opens_at:
        return SCHEDULED
    if now < poll.closes_at:
        return OPEN
    return CLOSED


def definition_for(poll: Poll, digest: str = "") -> PollDefinition:
    return PollDefinition(
        kind=poll.kind.value,
        option_ids=tuple(o.id for o in poll.options),
        electorate_size=poll.electorate_size or 0,
        quorum_percent=Fraction(str(poll.quorum_percent or 0)),
        majority=poll.majority.value,
        min_choices=poll.min_choices,
        max_choices=poll.max_choices,
        tie_seed=digest,
    )


def org_room(org_id: int) -> str:
    return f"org:{org_id}"


def ensure_current(session: Session, poll: Poll, now: datetime | None = None) -> str:
    """Do whatever transition work is due (idempotent) and return the poll's status."""
    state = status(poll, now)
    if state in (OPEN, CLOSED) and poll.opened_at is None:
        _in_own_transaction(session, poll, _freeze_electorate)
    if state == OPEN and poll.announced_at is None:
        _in_own_transaction(session, poll, _announce)
    if state == OPEN and poll.reminded_at is None and reminder_due(poll, now):
        _in_own_transaction(session, poll, _remind)
    if state == CLOSED and poll.closed_at is None:
        from .sealing import seal_and_tally  # it builds on this module

        _in_own_transaction(session, poll, seal_and_tally)
    return state


def reminder_at(poll: Poll) -> datetime:
    """One reminder, a day before closing (or in the last quarter of a short poll)."""
    return poll.closes_at - min(
        timedelta(hours=24), (poll.closes_at - poll.opens_at) / 4
    )


def reminder_due(poll: Poll, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= reminder_at(poll)


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


def _in_own_transaction(session: Session, poll: Poll, work) -> None:
    """Run transition work as a writer in a transaction of its own, then let the
    caller carry on with the result. The caller's (read) transaction is ended first:
    on SQLite it may hold a snapshot or the write lock, so transitions run before a
    use case writes anything."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("poll transitions must run before the caller writes")
    session.rollback()
    try:
        with write_intent():
            session.refresh(poll)  # begins the writer's transaction (IMMEDIATE)
            events = work(session, poll)
            session.commit()
    except BaseException:
        session.rollback()
        raise
    with reading_after_commit(session):
        for event in events or ():
            if callable(event):
                event()  # work that must follow the commit (delivery, scrubbing)
            else:
                publish(*event)
    session.refresh(poll)  # the caller sees what was just written


def claim(session: Session, poll: Poll, column) -> bool:
    """Claim a transition: exactly one transaction sets the column from NULL."""
    now = utcnow()
    result = session.execute(
        update(Poll).where(Poll.id == poll.id, column.is_(None)).values({column: now})
    )
    return result.rowcount == 1


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
    session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(electorate_size=size, electorate_hash=digest)
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
