"""Regular surveys and copies: the next poll of a monthly or quarterly series, and a
past poll copied as a new draft."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models import Member, Poll, PollOption, Repeat, utcnow
from ortsverein import audit

from . import escrow
from .visibility import require_organiser

BERLIN = ZoneInfo("Europe/Berlin")


def copy_poll(session: Session, member: Member, poll: Poll) -> Poll:
    """A new draft with the same question, options and rules, one week later."""
    require_organiser(member, poll)
    start = max(utcnow(), poll.opens_at) + timedelta(days=7)
    copy = _copy(poll, start, start + (poll.closes_at - poll.opens_at))
    copy.created_by = member
    # A copy is a poll of its own: copying a monthly survey must not start a
    # second series beside the first. The organiser can set a repeat on the draft.
    copy.repeat = Repeat.NONE
    session.add(copy)
    session.flush()
    escrow.choose_holders(session, copy, poll.escrow_threshold)
    audit.record(
        session,
        member,
        "poll.copied",
        organisation=poll.organisation,
        target=copy,
        source=poll.id,
    )
    session.commit()
    return copy


def _copy(poll: Poll, opens_at: datetime, closes_at: datetime) -> Poll:
    copy = Poll(
        organisation_id=poll.organisation_id,
        title=poll.title,
        body=poll.body,
        body_html=poll.body_html,
        kind=poll.kind,
        secret=poll.secret,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=poll.quorum_percent,
        majority=poll.majority,
        min_choices=poll.min_choices,
        max_choices=poll.max_choices,
        rule_name=poll.rule_name,
        statute_reference=poll.statute_reference,
        repeat=poll.repeat,
        escrow_threshold=poll.escrow_threshold,
        copied_from_id=poll.id,
        created_by_id=poll.created_by_id,
    )
    copy.options = [
        PollOption(position=o.position, label=o.label) for o in poll.options
    ]
    return copy


def _add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time in Berlin, months later: a survey that opens at
    18:00 in winter opens at 18:00 in summer too. A day the month lacks becomes
    its last day (31 January, then 28 or 29 February)."""
    here = moment.astimezone(BERLIN)
    month = here.month - 1 + months
    year, month = here.year + month // 12, month % 12 + 1
    day = min(here.day, calendar.monthrange(year, month)[1])
    wall = here.replace(tzinfo=None, year=year, month=month, day=day)
    return wall.replace(tzinfo=BERLIN).astimezone(UTC)


def schedule_repetition(session: Session, poll: Poll) -> Poll:
    """A regular survey: the next one is scheduled when this one closes."""
    months = 1 if poll.repeat == Repeat.MONTHLY else 3
    nxt = _copy(
        poll, _add_months(poll.opens_at, months), _add_months(poll.closes_at, months)
    )
    nxt.scheduled = True
    session.add(nxt)
    session.flush()
    escrow.choose_holders(session, nxt, poll.escrow_threshold)
    audit.record(
        session,
        None,
        "poll.repeated",
        organisation=poll.organisation,
        target=nxt,
        source=poll.id,
    )
    return nxt
