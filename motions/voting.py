"""Decisions by vote: a yes/no/abstain vote on an admitted motion or on one of its
amendments, run as a poll through `polls.services` (a member poll online) or as a
live vote of the book's meeting through `meetings.services`. Once the poll is
sealed its result, by the poll's rule, decides: the motion becomes beschlossen or
abgelehnt, an amendment adopted or rejected; the vote record and the rule are
kept on a MotionDecision. Reached through motions.services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from meetings import services as meetings
from models import (
    AmendmentStatus,
    Member,
    Motion,
    MotionAmendment,
    MotionDecision,
    MotionStatus,
    MotionStatusChange,
    Poll,
    PollKind,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit, rowcount, write_intent
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from polls import services as polls

from . import agenda, live
from . import text as motion_text
from .access import is_committee
from .amendments import merge_into_new_version, merged_text
from .errors import TransitionRefused
from .labels import STATUS

VOTABLE = frozenset({MotionStatus.ADMITTED, MotionStatus.RECOMMENDED})
ADOPTED, REJECTED = "adopted", "rejected"


def decisions(session: Session, motion: Motion) -> list[MotionDecision]:
    """The motion's votes, on it and its amendments, oldest first."""
    return list(
        session.scalars(
            select(MotionDecision)
            .where(MotionDecision.motion_id == motion.id)
            .order_by(MotionDecision.id)
        )
    )


def decisions_of(session: Session, motion_ids: list[int]) -> dict[int, list]:
    """The votes of many motions in one query (a page of the API), by motion."""
    by_motion: dict[int, list[MotionDecision]] = {}
    if motion_ids:
        for row in session.scalars(
            select(MotionDecision)
            .where(MotionDecision.motion_id.in_(motion_ids))
            .options(selectinload(MotionDecision.amendment))
            .order_by(MotionDecision.id)
        ):
            by_motion.setdefault(row.motion_id, []).append(row)
    return by_motion


def decision_of(
    session: Session, motion: Motion, amendment: MotionAmendment | None = None
) -> MotionDecision | None:
    """The latest vote on the motion itself (or on `amendment`)."""
    wanted = amendment.id if amendment is not None else None
    rows = [d for d in decisions(session, motion) if d.amendment_id == wanted]
    return rows[-1] if rows else None


def pending_amendments(session: Session, motion: Motion) -> list[MotionAmendment]:
    """Amendments accepted for the vote that have not been voted on yet: in a
    meeting they are decided before the motion as amended."""
    voted = {d.amendment_id for d in decisions(session, motion) if d.amendment_id}
    return [
        a
        for a in session.scalars(
            select(MotionAmendment)
            .where(
                MotionAmendment.motion_id == motion.id,
                MotionAmendment.status == AmendmentStatus.ACCEPTED,
            )
            .order_by(MotionAmendment.sequence)
        )
        if a.id not in voted
    ]


def adopted_unmerged(session: Session, motion: Motion) -> list[MotionAmendment]:
    """Amendments the vote adopted that are not yet in the motion's text."""
    adopted = {
        d.amendment_id
        for d in decisions(session, motion)
        if d.amendment_id and d.outcome == ADOPTED
    }
    if not adopted:
        return []
    return [
        a
        for a in session.scalars(
            select(MotionAmendment)
            .where(
                MotionAmendment.motion_id == motion.id,
                MotionAmendment.status == AmendmentStatus.ACCEPTED,
            )
            .order_by(MotionAmendment.sequence)
        )
        if a.id in adopted
    ]


def amended_version(session: Session, motion: Motion) -> int | None:
    """The version the vote's adopted amendments were merged into: the motion
    as amended, on which the final vote is taken (None: no amendment adopted)."""
    adopted = {
        d.amendment_id
        for d in decisions(session, motion)
        if d.amendment_id and d.outcome == ADOPTED
    }
    numbers = [
        a.merged_into
        for a in session.scalars(
            select(MotionAmendment).where(
                MotionAmendment.motion_id == motion.id,
                MotionAmendment.status == AmendmentStatus.MERGED,
            )
        )
        if a.id in adopted and a.merged_into
    ]
    return max(numbers) if numbers else None


def _consolidate(session: Session, author: Member | None, motion: Motion) -> int | None:
    """Merge the adopted amendments into a new version, the motion as amended,
    with the committee's merge (no commit). Overlapping or stale ones raise
    OverlappingAmendments / LinesGone before anything is written."""
    rows = adopted_unmerged(session, motion)
    if not rows:
        return None
    number = merge_into_new_version(session, author, motion, rows)
    audit.record(
        session,
        author,
        "motion.amendments_consolidated",
        organisation=motion.book.organisation,
        target=motion,
        amendments=[r.label for r in rows],
        version=number,
    )
    return number


def _clash_message(error: Conflict) -> str:
    return str(
        _(
            "%(reason)s So lässt sich die geänderte Fassung nicht bilden: die "
            "Antragskommission muss auf der Seite „Änderungsanträge“ einen der "
            "angenommenen Änderungsanträge ablehnen, dann wird über den Antrag "
            "in der geänderten Fassung abgestimmt.",
            reason=error.message,
        )
    )


def consolidation_clash(session: Session, motion: Motion) -> str:
    """Why the adopted amendments cannot be merged ("" if they can)."""
    rows = adopted_unmerged(session, motion)
    if not rows:
        return ""
    try:
        merged_text(motion, rows)
    except (motion_text.OverlappingAmendments, motion_text.LinesGone) as error:
        return _clash_message(error)
    return ""


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
            version = _consolidate(session, member, motion)
        except (motion_text.OverlappingAmendments, motion_text.LinesGone) as error:
            session.rollback()
            raise type(error)(_clash_message(error)) from None
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


def refresh_decisions(session: Session, motion: Motion) -> None:
    """Apply the result of every sealed vote on the motion (idempotent; the first
    look after sealing does it, or the tick). Runs before the caller writes
    anything: the decision is written in a transaction of its own."""
    for decision in decisions(session, motion):
        if decision.decided_at is not None or decision.poll_id is None:
            continue
        poll = session.get(Poll, decision.poll_id)
        if poll is None:
            continue
        if polls.poll_state(session, poll) == "closed" and poll.closed_at is not None:
            _apply(session, motion, decision, polls.vote_summary(session, poll))


def _record(summary: dict) -> tuple[str, int, int, int, str, str]:
    result = summary["result"]
    counts = [o.get("count", 0) for o in summary["options"]] + [0, 0, 0]
    outcome = ADOPTED if result["outcome"] == "accepted" else REJECTED
    rule = " · ".join(
        part
        for part in (
            str(result["majority_words"]),
            result["rule_name"] or "",
            result["statute_reference"] or "",
        )
        if part
    )
    return outcome, counts[0], counts[1], counts[2], result["majority"], rule[:500]


def _apply(
    session: Session, motion: Motion, decision: MotionDecision, summary: dict
) -> None:
    outcome, yes, no, abstain, majority, rule = _record(summary)
    session.rollback()
    previous = None
    try:
        with write_intent():
            claimed = rowcount(
                session.execute(
                    update(MotionDecision)
                    .where(
                        MotionDecision.id == decision.id,
                        MotionDecision.decided_at.is_(None),
                    )
                    .values(
                        decided_at=utcnow(),
                        outcome=outcome,
                        yes=yes,
                        no=no,
                        abstain=abstain,
                        majority=majority,
                        rule=rule,
                    )
                )
            )
            if not claimed:
                session.rollback()
                return
            session.refresh(motion)
            if decision.amendment_id is not None:
                amendment = session.get(MotionAmendment, decision.amendment_id)
                if amendment is not None and outcome == REJECTED:
                    amendment.status = AmendmentStatus.REJECTED
                label = amendment.label if amendment is not None else ""
                if motion.status in VOTABLE and not pending_amendments(session, motion):
                    # The last amendment is decided: the motion as amended is
                    # what the meeting votes on next. Overlapping adopted ones
                    # stay unmerged; the chair is told on the motion page.
                    try:
                        _consolidate(session, None, motion)
                    except (
                        motion_text.OverlappingAmendments,
                        motion_text.LinesGone,
                    ):
                        pass
            elif motion.status in VOTABLE:
                previous = motion.status
                target = (
                    MotionStatus.ADOPTED
                    if outcome == ADOPTED
                    else MotionStatus.REJECTED
                )
                motion.status = target
                motion.updated_at = utcnow()
                motion.history.append(
                    MotionStatusChange(
                        from_status=previous,
                        to_status=target,
                        note=_(
                            "Abgestimmt: %(yes)d Ja, %(no)d Nein, %(abstain)d "
                            "Enthaltungen (%(rule)s).",
                            yes=yes,
                            no=no,
                            abstain=abstain,
                            rule=rule,
                        ),
                    )
                )
                label = ""
            else:  # withdrawn meanwhile: the vote is kept, the status stays
                label = ""
            audit.record(
                session,
                None,
                "motion.decided",
                organisation=motion.book.organisation,
                target=motion,
                amendment=label,
                outcome=outcome,
                yes=yes,
                no=no,
                abstain=abstain,
            )
            session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(motion)
    if previous is not None:
        with reading_after_commit(session):
            live.publish_status(motion, previous.value)


def decide_due(session: Session) -> str:
    """For `ortsverein tick` (cron): apply every sealed vote on a motion, so a
    decision stands without waiting for someone to open the motion."""
    waiting = session.scalars(
        select(MotionDecision.motion_id)
        .where(MotionDecision.decided_at.is_(None))
        .distinct()
        .order_by(MotionDecision.motion_id)
    ).all()
    decided = 0
    for motion_id in waiting:
        motion = session.get(Motion, motion_id)
        if motion is None:
            continue
        before = sum(1 for d in decisions(session, motion) if d.decided_at)
        refresh_decisions(session, motion)
        decided += sum(1 for d in decisions(session, motion) if d.decided_at) - before
    session.rollback()  # end the read transaction before the next hook
    return f"{decided} motion vote(s) decided" if decided else ""


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
