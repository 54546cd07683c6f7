"""A poll's state by the clock, the definition its tally runs on, and how transition
work is claimed and run in a transaction of its own. The bottom of the poll layers:
lifecycle, sealing, casting and the services build on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Poll, utcnow
from ortsverein.db import reading_after_commit, rowcount, write_intent
from ortsverein.realtime import publish

from .rules import PollDefinition

DRAFT, SCHEDULED, OPEN, CLOSED = "draft", "scheduled", "open", "closed"
CANCELLED = "cancelled"


def status(poll: Poll, now: datetime | None = None) -> str:
    """draft until scheduled; then scheduled, open or closed by the clock, unless
    it was cancelled before it opened."""
    if not poll.scheduled:
        return DRAFT
    if poll.cancelled_at is not None:
        return CANCELLED
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


def reminder_at(poll: Poll) -> datetime:
    """One reminder, a day before closing (or in the last quarter of a short poll)."""
    return poll.closes_at - min(
        timedelta(hours=24), (poll.closes_at - poll.opens_at) / 4
    )


def reminder_due(poll: Poll, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= reminder_at(poll)


def in_own_transaction(session: Session, poll: Poll, work) -> None:
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
    return rowcount(result) == 1
