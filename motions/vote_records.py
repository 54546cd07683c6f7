"""The record of a motion's votes: the decisions on it and its amendments, the
amendments still waiting for their vote, and the version the adopted ones were
merged into. Read-only; motions.voting starts votes, motions.vote_results applies
their results. Reached through motions.services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    AmendmentStatus,
    Motion,
    MotionAmendment,
    MotionDecision,
    MotionStatus,
)

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
    return [a for a in _accepted(session, motion) if a.id not in voted]


def adopted_unmerged(session: Session, motion: Motion) -> list[MotionAmendment]:
    """Amendments the vote adopted that are not yet in the motion's text."""
    adopted = {
        d.amendment_id
        for d in decisions(session, motion)
        if d.amendment_id and d.outcome == ADOPTED
    }
    if not adopted:
        return []
    return [a for a in _accepted(session, motion) if a.id in adopted]


def _accepted(session: Session, motion: Motion) -> list[MotionAmendment]:
    """The motion's amendments accepted for the vote (and not yet merged)."""
    return list(
        session.scalars(
            select(MotionAmendment)
            .where(
                MotionAmendment.motion_id == motion.id,
                MotionAmendment.status == AmendmentStatus.ACCEPTED,
            )
            .order_by(MotionAmendment.sequence)
        )
    )


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
