"""The results of votes on motions: once a vote's poll is sealed, its result by the
poll's rule decides (the motion beschlossen or abgelehnt, an amendment adopted or
rejected) and is kept on its MotionDecision; when the last amendment is decided
the adopted ones are merged into the motion as amended, on which the final vote
is taken. Reached through motions.services (and the tick)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    AmendmentStatus,
    Member,
    Motion,
    MotionAmendment,
    MotionDecision,
    MotionStatus,
    MotionStatusChange,
    Poll,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit, rowcount, write_intent
from ortsverein.errors import Conflict
from ortsverein.i18n import _
from polls import services as polls

from . import live
from . import text as motion_text
from .amendments import merge_into_new_version, merged_text
from .vote_records import (
    ADOPTED,
    REJECTED,
    VOTABLE,
    adopted_unmerged,
    decisions,
    pending_amendments,
)


def consolidate(session: Session, author: Member | None, motion: Motion) -> int | None:
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


def clash_message(error: Conflict) -> str:
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
        return clash_message(error)
    return ""


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
                        consolidate(session, None, motion)
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
