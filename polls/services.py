"""Poll use cases for organisers: define, schedule and extend polls. What members
may see is in visibility.py, rule presets in presets.py, repeats and copies in
recurring.py, cancelling, deleting and stopping a series in withdrawal.py
(re-exported here). This module is also the interface that later features use: a
meeting's vote is a poll with a meeting_id, started, closed and summarised by the
meeting_votes functions re-exported below, with the kind and majority labels for
the chair's form; elections run their ballot rounds as polls through it and
count a sealed poll's ballots (`sealed_ballots`) their own way; nothing else of
polls is imported outside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BallotRecord, Member, Poll, PollKind, utcnow
from ortsverein import audit
from ortsverein.errors import Conflict, ValidationFailed
from ortsverein.i18n import _

from .definitions import PollInput as PollInput
from .definitions import apply_definition, validate
from .definitions import option_label as option_label
from .errors import PollNotEditable
from .forms import kind_choices as kind_choices
from .forms import majority_choices as majority_choices
from .lifecycle import ensure_current
from .meeting_votes import BALLOT_PAPER_KINDS as BALLOT_PAPER_KINDS
from .meeting_votes import PAPER_KINDS as PAPER_KINDS
from .meeting_votes import check_paper_ballots as check_paper_ballots
from .meeting_votes import close_meeting_vote as close_meeting_vote
from .meeting_votes import meeting_polls as meeting_polls
from .meeting_votes import paper_voter_count as paper_voter_count
from .meeting_votes import record_paper_ballots as record_paper_ballots
from .meeting_votes import record_paper_votes as record_paper_votes
from .meeting_votes import start_meeting_vote as start_meeting_vote
from .meeting_votes import vote_summary as vote_summary
from .state import CLOSED, DRAFT, OPEN, status
from .visibility import eligible_ids, open_closing_first, voted_ids
from .visibility import require_organiser as require_organiser
from .withdrawal import cancel as cancel
from .withdrawal import delete_draft as delete_draft
from .withdrawal import stop_series as stop_series


def create_poll(
    session: Session,
    member: Member,
    data: PollInput,
    before_commit: Callable[[Poll], None] | None = None,
) -> Poll:
    """A new draft; nothing is announced until it is scheduled. `before_commit`
    lets a feature that owns the poll (an election's round) write its own rows in
    the same transaction."""
    org = validate(session, member, data)
    poll = Poll(
        organisation=org,
        created_by=member,
        kind=PollKind(data.kind),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        title="",
    )
    session.add(poll)
    apply_definition(session, poll, data)
    session.flush()
    audit.record(session, member, "poll.created", organisation=org, target=poll)
    if before_commit is not None:
        before_commit(poll)
    session.commit()
    return poll


def update_draft(session: Session, member: Member, poll: Poll, data: PollInput) -> Poll:
    if status(poll) != DRAFT:
        raise PollNotEditable(_("Nur Entwürfe lassen sich bearbeiten."))
    data.org_id = poll.organisation_id
    validate(session, member, data)
    apply_definition(session, poll, data)
    audit.record(
        session, member, "poll.edited", organisation=poll.organisation, target=poll
    )
    session.commit()
    return poll


def schedule(session: Session, member: Member, poll: Poll) -> Poll:
    """Fix the draft: from now on only the closing time can change (by extension)."""
    require_organiser(member, poll)
    if poll.scheduled:
        return poll
    if poll.closes_at <= utcnow():
        raise ValidationFailed(
            _("Das Ende liegt in der Vergangenheit; bitte ändere den Zeitraum.")
        )
    poll.scheduled = True
    audit.record(
        session,
        member,
        "poll.scheduled",
        organisation=poll.organisation,
        target=poll,
        opens_at=poll.opens_at.isoformat(),
        closes_at=poll.closes_at.isoformat(),
    )
    session.commit()
    return poll


def extend(session: Session, member: Member, poll: Poll, closes_at: datetime) -> Poll:
    """The one change allowed once a poll is open: a later closing time."""
    require_organiser(member, poll)
    if status(poll) not in (OPEN, "scheduled"):
        raise PollNotEditable(
            _("Nur laufende oder geplante Abstimmungen lassen sich verlängern.")
        )
    if closes_at <= poll.closes_at:
        raise ValidationFailed(
            _("Die Verlängerung muss nach dem bisherigen Ende liegen.")
        )
    before = poll.closes_at
    poll.closes_at = closes_at
    audit.record(
        session,
        member,
        "poll.extended",
        organisation=poll.organisation,
        target=poll,
        closes_at_before=before.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    session.commit()
    return poll


@dataclass(frozen=True)
class OpenPollForMember:
    """An open poll as the home page lists it: may the member vote, have they?"""

    poll: Poll
    eligible: bool
    voted: bool

    @property
    def awaiting(self) -> bool:
        return self.eligible and not self.voted


def open_polls_for(
    session: Session, member: Member, limit: int = 20
) -> list[OpenPollForMember]:
    """The open polls the member may see, soonest closing first, each with whether
    the member is in its electorate and has voted (the home page's "Jetzt dran")."""
    polls = open_closing_first(session, member, limit)
    voted = voted_ids(session, member, polls)
    eligible = eligible_ids(session, member, polls)
    # Until the electorate is frozen (opened_at), every member who sees it may vote.
    return [
        OpenPollForMember(p, p.opened_at is None or p.id in eligible, p.id in voted)
        for p in polls
    ]


def poll_state(session: Session, poll: Poll) -> str:
    """The poll's state by the clock ("draft", "scheduled", "open", "closed",
    "cancelled"), after doing whatever transition is due (sealing at closing)."""
    return ensure_current(session, poll)


def sealed_ballots(session: Session, poll: Poll) -> list[list[int]]:
    """The plaintext ballots of a sealed poll, each the list of chosen option ids
    (a ranked ballot in order of preference, a blank one empty), in the sealed
    box's canonical order, for a feature that counts them by rules of its own (an
    election). Refused until the box is sealed: an open poll has no count."""
    if ensure_current(session, poll) != CLOSED or poll.closed_at is None:
        raise Conflict(_("Die Urne dieser Abstimmung ist noch nicht versiegelt."))
    lines = session.scalars(
        select(BallotRecord.choices)
        .where(BallotRecord.poll_id == poll.id)
        .order_by(BallotRecord.choices)
    ).all()
    return [[int(c) for c in json.loads(line)] for line in lines]
