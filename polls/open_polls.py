"""What casting needs of an open poll, remembered per process between ballots.

Once a poll is open nothing about it changes but its closing time (DESIGN: "Ballot
secrecy and integrity"): kind, options, choice limits, secrecy, organisation and the
frozen electorate's size stay as they were. A ballot request then needs no poll load.

Remembered facts are trusted only until the next moment at which transition work may
be due (the reminder, the close as it stood when they were loaded); after it the poll
is loaded again and `ensure_current` does that work. Whether the poll is still open is
never taken from here: the writing transaction checks it in the database, so neither
an extension nor a meeting vote closed early by its chair lets a ballot in late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models import Member, Poll, utcnow
from ortsverein import instance_id
from ortsverein.caches import Cache
from ortsverein.i18n import _
from ortsverein.permissions import can_see_org

from .errors import PollNotOpen
from .lifecycle import ensure_current
from .rules import PollDefinition
from .state import OPEN, definition_for, reminder_at
from .visibility import get_poll

# Key: the database's instance id and the poll's id; value: its OpenPoll facts.
# Safe: an open poll's facts do not change (see above), they are trusted only until
# review_at, and whether it is still open is checked by the writing transaction. Per
# app (its database); the instance id changes with every restore, so a restored
# database that reuses a poll id under running servers never gets another poll's
# options or ballot key (one primary-key read per ballot).
OPEN_POLLS = Cache("open_polls", 1000, per_app=True)  # open polls at one time


@dataclass(frozen=True)
class OrgRef:
    """The organisation's id and path: all `can_see_org` reads of it."""

    id: int
    path: str


@dataclass(frozen=True)
class OpenPoll:
    id: int
    organisation: OrgRef
    secret: bool
    public_key: bytes | None  # a secret poll's ballots are sealed to it
    electorate_size: int
    definition: PollDefinition
    review_at: datetime  # from then on, load the poll again

    @classmethod
    def of(cls, poll: Poll) -> OpenPoll:
        """The facts of a poll that `ensure_current` found open."""
        return cls(
            id=poll.id,
            organisation=OrgRef(poll.organisation.id, poll.organisation.path),
            secret=poll.secret,
            public_key=poll.ballot_public_key,
            electorate_size=poll.electorate_size or 0,
            definition=definition_for(poll),
            review_at=poll.closes_at
            if poll.reminded_at is not None
            else reminder_at(poll),
        )


def for_ballot(session: Session, member: Member, poll_id: int) -> OpenPoll:
    """The open poll a member may see, for casting into: NotFound where they may not
    see it (as loading it would say), PollNotOpen where it is not open."""
    key = (instance_id.current(session), poll_id)
    facts = OPEN_POLLS.get(key)
    now = utcnow()
    # A refusal is never taken from here: the poll may have moved with a merged or
    # moved branch since its facts were kept (its electorate, checked by the
    # writing transaction, stays as frozen at opening). Such a member loads it.
    if (
        facts is not None
        and now < facts.review_at
        and can_see_org(member, facts.organisation)
    ):
        return facts
    poll = get_poll(session, member, poll_id)
    if ensure_current(session, poll, now) != OPEN:
        OPEN_POLLS.pop(key)
        raise PollNotOpen(_("Diese Abstimmung ist nicht geöffnet."))
    facts = OpenPoll.of(poll)
    OPEN_POLLS.put(key, facts)
    return facts
