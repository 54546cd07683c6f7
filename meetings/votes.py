"""Live votes in a meeting, through polls.services: the chair starts one on an
item for the members present, closes it, and enters paper ballots from the room."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Meeting, Member, Poll
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from polls import services as polls

from .access import RUNNING, require_chair, status
from .agenda import current_item
from .attendance import in_room_ids, present_ids
from .live import publish_meeting


def _unsealed(all_polls: list[Poll]) -> Poll | None:
    """The last vote not yet sealed: open, or past its time and sealed on first
    look (vote_summary does that)."""
    return next((p for p in reversed(all_polls) if p.closed_at is None), None)


def running_vote(session: Session, meeting: Meeting) -> Poll | None:
    poll = _unsealed(polls.meeting_polls(session, meeting.id))
    if poll is not None and polls.vote_summary(session, poll)["status"] == "open":
        return poll
    return None


def current_vote(
    session: Session, meeting: Meeting, member: Member | None = None
) -> dict | None:
    """The running vote; else the last one on the current item, or the last one
    closed since the item was opened (the chair may move on while a vote runs).
    Only that one vote is summed up: a room's state is built often. The feature
    that owns the vote (an election's round) may add to the summary
    (VOTE_SUMMARY_HOOKS, registered in its init_app)."""
    summary = _current_vote(session, meeting, member)
    if summary is not None:
        for hook in current_app.config.get("VOTE_SUMMARY_HOOKS", []):
            hook(session, summary)
    return summary


def _current_vote(
    session: Session, meeting: Meeting, member: Member | None
) -> dict | None:
    all_polls = polls.meeting_polls(session, meeting.id)
    poll = _unsealed(all_polls)
    if poll is not None:
        summary = polls.vote_summary(session, poll, member)
        if summary["status"] == "open":
            return summary
    item = current_item(meeting)
    if item is None:
        return None
    for poll in reversed(all_polls):
        if poll.agenda_item_id == item.id:
            return polls.vote_summary(session, poll, member)
    last = all_polls[-1] if all_polls else None
    if (
        last is not None
        and item.opened_at is not None
        and last.closed_at is not None
        and last.closed_at >= item.opened_at
    ):
        return polls.vote_summary(session, last, member)
    return None


def meeting_vote(session: Session, meeting: Meeting, poll_id: int) -> Poll:
    poll = next(
        (p for p in polls.meeting_polls(session, meeting.id) if p.id == poll_id), None
    )
    if poll is None:
        raise NotFound()
    return poll


def start_vote(
    session: Session,
    chair: Member,
    meeting: Meeting,
    data: polls.PollInput,
    before_commit: Callable[[Poll], None] | None = None,
) -> Poll:
    """A vote on the current item; its electorate is exactly who is present now.
    `before_commit`: rows of the feature that owns the vote (an election's round),
    written in the vote's transaction."""
    require_chair(chair, meeting)
    if status(meeting) != RUNNING:
        raise Conflict(_("Die Sitzung läuft nicht."))
    if running_vote(session, meeting) is not None:
        raise Conflict(_("Es läuft bereits eine Abstimmung."))
    item = current_item(meeting)
    data.org_id = meeting.organisation_id
    poll = polls.start_meeting_vote(
        session,
        chair,
        data,
        meeting.id,
        item.id if item else None,
        present_ids(session, meeting.id),
        before_commit,
    )
    publish_meeting(session, meeting, "vote_started")
    return poll


def close_vote(session: Session, chair: Member, meeting: Meeting, poll_id: int) -> Poll:
    """Close and seal the vote now, then let the feature that owns it (an
    election's round) act on the sealed box before the room hears of it, so the
    room's refresh already shows what followed (the round counted)."""
    require_chair(chair, meeting)
    poll = polls.close_meeting_vote(
        session, chair, meeting_vote(session, meeting, poll_id)
    )
    # Registered by later features in their init_app (meetings cannot import them:
    # the hook is passed down); each runs its own transactions.
    for hook in current_app.config.get("VOTE_CLOSED_HOOKS", []):
        try:
            hook(session, poll)
        except Exception:  # the vote stays closed; `ortsverein tick` retries
            session.rollback()
            current_app.logger.exception("vote-closed hook failed for poll %s", poll.id)
    publish_meeting(session, meeting, "vote_closed")
    return poll


def paper_votes(
    session: Session,
    chair: Member,
    meeting: Meeting,
    poll_id: int,
    member_ids: list[int],
    counts: dict[int, int],
    blank: int,
) -> int:
    """Record the paper ballots of the room as counts per option (yes/no/abstain,
    single choice)."""
    require_chair(chair, meeting)
    poll = meeting_vote(session, meeting, poll_id)
    _in_room(session, meeting, member_ids)
    n = polls.record_paper_votes(session, chair, poll, member_ids, counts, blank)
    publish_meeting(session, meeting, "vote_updated")
    return n


def paper_ballots(
    session: Session,
    chair: Member,
    meeting: Meeting,
    poll_id: int,
    member_ids: list[int],
    ballots: list[list[int]],
) -> int:
    """Record the paper ballots of the room one by one (multiple choice and
    ranked: a ballot's ticks or order cannot be summed up as counts)."""
    require_chair(chair, meeting)
    poll = meeting_vote(session, meeting, poll_id)
    _in_room(session, meeting, member_ids)
    n = polls.record_paper_ballots(session, chair, poll, member_ids, ballots)
    publish_meeting(session, meeting, "vote_updated")
    return n


def _in_room(session: Session, meeting: Meeting, member_ids: list[int]) -> None:
    """Only members recorded as sitting in the room can have voted on paper (one
    attending online votes online)."""
    online = set(member_ids) - in_room_ids(session, meeting.id)
    if online:
        names = [
            m.name for m in session.scalars(select(Member).where(Member.id.in_(online)))
        ]
        raise ValidationFailed(
            _(
                "Nur wer im Saal eingetragen ist, stimmt auf Papier ab; nicht im "
                "Saal: %(names)s.",
                names=", ".join(sorted(names)) or "?",
            )
        )
