"""The motion's statuses and the steps between them: plain data, no Flask and no
database, so the rules read (and test) on their own."""

from __future__ import annotations

from models import MotionStatus, Recommendation

S = MotionStatus

# From each status, where the motion committee may take it. Adopted, rejected,
# referred and withdrawn motions are decided: nothing moves them on.
TRANSITIONS: dict[MotionStatus, frozenset[MotionStatus]] = {
    S.SUBMITTED: frozenset({S.ADMITTED, S.INADMISSIBLE, S.WITHDRAWN}),
    S.INADMISSIBLE: frozenset({S.ADMITTED}),  # reconsidered, e.g. on objection
    S.ADMITTED: frozenset(
        {S.RECOMMENDED, S.ADOPTED, S.REJECTED, S.REFERRED, S.WITHDRAWN}
    ),
    # A recommendation can be replaced by another before the decision.
    S.RECOMMENDED: frozenset(
        {S.RECOMMENDED, S.ADOPTED, S.REJECTED, S.REFERRED, S.WITHDRAWN}
    ),
    S.ADOPTED: frozenset(),
    S.REJECTED: frozenset(),
    S.REFERRED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# Where a submitter may withdraw their own motion from.
WITHDRAWABLE = frozenset({S.SUBMITTED, S.ADMITTED, S.RECOMMENDED})
# Where members may still sign (or take back their signature), before the deadline.
SUPPORTABLE = frozenset({S.SUBMITTED, S.ADMITTED, S.RECOMMENDED})
FINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def allowed(current: MotionStatus, target: MotionStatus) -> bool:
    return target in TRANSITIONS[current]


def needs_target(status: MotionStatus, recommendation: Recommendation | None) -> bool:
    """A referral (decided or recommended) names to whom the motion goes."""
    return status == S.REFERRED or (
        status == S.RECOMMENDED and recommendation == Recommendation.REFER
    )
