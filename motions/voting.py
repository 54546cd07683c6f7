"""Decisions by vote: a yes/no/abstain vote on an admitted motion or on one of its
amendments, run as a poll through `polls.services` (a member poll online) or as a
live vote of the book's meeting through `meetings.services`: starting and closing
votes, and what the motion page offers about them. What a sealed vote decides is
motions.vote_results'; the record is motions.vote_records'. Reached through
motions.services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings import services as meetings
from models import (
    AmendmentStatus,
    Member,
    Motion,
    MotionAmendment,
    MotionDecision,
    Poll,
    PollKind,
    utcnow,
)
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from polls import services as polls

from . import agenda
from . import text as motion_text
from .access import is_committee
from .errors import TransitionRefused
from .labels import STATUS
from .vote_records import (
    VOTABLE,
    amended_version,
    decision_of,
    decisions,
    pending_amendments,
)
from .vote_results import (
    clash_message,
    consolidate,
    consolidation_clash,
    refresh_decisions,
)


def _require_votable(
    session: Session, motion: Motion, amendment: MotionAmendment | None
) -> None:
    if motion.status not in VOTABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s; über ihn wird nicht abgestimmt.",
                status=STATUS[motion.status],
            )
        )
    if any(d.decided_at is None for d in decisions(session, motion)):
        raise Conflict(_("Über diesen Antrag läuft bereits eine Abstimmung."))
    if amendment is not None:
        if amendment.motion_id != motion.id:
            raise NotFound()
        if amendment.status != AmendmentStatus.ACCEPTED:
            raise TransitionRefused(
                _(
                    "Abgestimmt wird nur über Änderungsanträge, die zur "
                    "Abstimmung stehen."
                )
            )
        done = decision_of(session, motion, amendment)
        if done is not None:
            raise Conflict(_("Über diesen Änderungsantrag ist bereits entschieden."))


def running_meeting(session: Session, member: Member, motion: Motion):
    """The running meeting that votes on the motion: one whose agenda lists it,
    else the meeting its book belongs to; None when none of them runs."""
    for meeting_id in agenda.meeting_ids(session, motion):
        try:
            meeting = meetings.get_meeting(session, member, meeting_id)
        except NotFound:
            continue
        if meetings.is_running(meeting):
            return meeting
    return None


def start_vote(
    session: Session,
    member: Member,
    motion: Motion,
    *,
    amendment: MotionAmendment | None = None,
    closes_at: datetime | None = None,
) -> MotionDecision:
    """Put a motion (or an accepted amendment) to a yes/no/abstain vote. When the
    motion's book belongs to a meeting that is running, its chair holds a live
    vote of those present, the amendments first and then the motion as amended;
    otherwise the motion committee starts a member poll that ends at `closes_at`.
    A running meeting whose agenda lists the motion holds its vote."""
    book = motion.book
    meeting = running_meeting(session, member, motion)
    if meeting is not None:
        if not meetings.is_chair(member, meeting):
            raise NotFound()
    elif not is_committee(member, book):
        raise NotFound()
    _require_votable(session, motion, amendment)
    if meeting is not None and amendment is None:
        waiting = pending_amendments(session, motion)
        if waiting:
            raise Conflict(
                _(
                    "Zuerst wird über die Änderungsanträge abgestimmt: %(labels)s.",
                    labels=", ".join(a.label for a in waiting),
                )
            )
    version = None
    if amendment is None:
        try:
            version = consolidate(session, member, motion)
        except (motion_text.OverlappingAmendments, motion_text.LinesGone) as error:
            session.rollback()
            raise type(error)(clash_message(error)) from None
        if version is not None:
            session.commit()
        version = amended_version(session, motion)
    now = utcnow()
    if amendment is not None:
        title = _(
            "%(number)s, Änderungsantrag %(label)s",
            number=motion.number,
            label=amendment.label,
        )
        body = amendment.text
    elif version is not None:
        title = _(
            "%(number)s in der geänderten Fassung %(version)s: %(title)s",
            number=motion.number,
            version=version,
            title=motion.title,
        )
        body = motion.text
    else:
        title = _("%(number)s: %(title)s", number=motion.number, title=motion.title)
        body = motion.text
    data = polls.PollInput(
        org_id=book.organisation_id,
        title=title[:200],
        body=body,
        kind=PollKind.YES_NO_ABSTAIN.value,
        options=[],
        secret=False,
        opens_at=now,
        closes_at=closes_at or now,
    )

    def add_decision(poll: Poll) -> None:
        session.add(
            MotionDecision(
                motion_id=motion.id,
                amendment_id=amendment.id if amendment is not None else None,
                poll_id=poll.id,
                meeting_id=meeting.id if meeting is not None else None,
                started_by_id=member.id,
            )
        )
        audit.record(
            session,
            member,
            "motion.vote_started",
            organisation=book.organisation,
            target=motion,
            poll=poll.id,
            amendment=amendment.label if amendment is not None else "",
        )

    if meeting is not None:
        poll = meetings.start_vote(session, member, meeting, data, add_decision)
    else:
        if closes_at is None or closes_at <= now:
            raise ValidationFailed(
                _("Bitte gib an, wann die Abstimmung endet (in der Zukunft)."),
                fields={"closes_at": _("Das Ende muss in der Zukunft liegen.")},
            )
        poll = polls.create_poll(session, member, data, add_decision)
        polls.schedule(session, member, poll)
    found = session.scalar(
        select(MotionDecision).where(MotionDecision.poll_id == poll.id)
    )
    assert found is not None  # written in the poll's transaction
    return found


def close_vote(session: Session, member: Member, motion: Motion) -> None:
    """The chair ends the running live vote on the motion (or an amendment) now; an
    online poll ends at its time."""
    running = next(
        (d for d in decisions(session, motion) if d.decided_at is None), None
    )
    if running is None or running.meeting_id is None or running.poll_id is None:
        raise Conflict(_("Über diesen Antrag läuft keine Abstimmung in einer Sitzung."))
    meeting = meetings.get_meeting(session, member, running.meeting_id)
    meetings.close_vote(session, member, meeting, running.poll_id)
    refresh_decisions(session, motion)


def vote_panel(session: Session, member: Member, motion: Motion) -> dict:
    """What the motion page offers about votes: the decisions so far, the running
    vote, and what this member may start: the chair of the book's running meeting
    a live vote (amendments first), the motion committee otherwise a member poll."""
    rows = decisions(session, motion)
    running = next((d for d in rows if d.decided_at is None), None)
    meeting = running_meeting(session, member, motion)
    chair = meeting is not None and meetings.is_chair(member, meeting)
    votable = motion.status in VOTABLE and running is None
    pending = pending_amendments(session, motion) if votable else []
    clash = consolidation_clash(session, motion) if votable and not pending else ""
    return {
        "amended_version": amended_version(session, motion),
        "open": motion.status in VOTABLE,
        "clash": clash,
        "decisions": rows,
        "running": running,
        "meeting": meeting,
        "chair": chair,
        "live_amendments": pending if chair else [],
        "live_motion": chair and votable and not pending,
        "may_close": chair and running is not None and running.meeting_id is not None,
        "online": votable and meeting is None and is_committee(member, motion.book),
    }
