"""What members and the motion committee do with a submitted motion: support it
with one click before the deadline (and take it back), move it through its
statuses with the history kept, withdraw one's own. Reached through
motions.services."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import (
    Member,
    Motion,
    MotionStatus,
    MotionStatusChange,
    MotionSupporter,
    Recommendation,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit, rowcount
from ortsverein.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ortsverein.i18n import _

from . import live, workflow
from .access import in_membership, is_committee
from .errors import NotEnoughSupporters, TransitionRefused
from .labels import STATUS
from .rules import clean as _clean
from .rules import require_open as _require_open


def _require_supportable(member: Member, motion: Motion) -> None:
    if not in_membership(member, motion.book):
        raise Forbidden(_("Unterstützen können Mitglieder dieser Gliederung."))
    if motion.status not in workflow.SUPPORTABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s; Unterstützung ist nicht mehr möglich.",
                status=STATUS[motion.status],
            )
        )
    _require_open(motion.book)


def _count(session: Session, motion: Motion) -> None:
    motion.supporter_count = (
        session.scalar(
            select(func.count()).where(MotionSupporter.motion_id == motion.id)
        )
        or 0
    )


def support(session: Session, member: Member, motion: Motion) -> Motion:
    """A member of the subtree signs a motion before the deadline (once; signing
    again changes nothing). Submitters do not support their own motion."""
    _require_supportable(member, motion)
    if any(s.member_id == member.id for s in motion.submitters):
        raise Conflict(_("Deinen eigenen Antrag musst du nicht unterstützen."))
    exists = session.get(MotionSupporter, (motion.id, member.id))
    if exists is None:
        session.add(MotionSupporter(motion_id=motion.id, member_id=member.id))
        session.flush()
        _count(session, motion)
        audit.record(
            session,
            member,
            "motion.supported",
            organisation=motion.book.organisation,
            target=motion,
        )
    session.commit()
    return motion


def unsupport(session: Session, member: Member, motion: Motion) -> Motion:
    """A supporter takes their signature back, before the deadline."""
    _require_supportable(member, motion)
    removed = session.execute(
        delete(MotionSupporter).where(
            MotionSupporter.motion_id == motion.id,
            MotionSupporter.member_id == member.id,
        )
    )
    if rowcount(removed):
        _count(session, motion)
        audit.record(
            session,
            member,
            "motion.unsupported",
            organisation=motion.book.organisation,
            target=motion,
        )
    session.commit()
    session.expire(motion, ["supporters"])
    return motion


def _move(
    session: Session,
    actor: Member,
    motion: Motion,
    target: MotionStatus,
    recommendation: Recommendation | None,
    referral_target: str,
    note: str,
    action: str,
) -> Motion:
    previous = motion.status
    motion.status = target
    motion.recommendation = (
        recommendation if target == MotionStatus.RECOMMENDED else motion.recommendation
    )
    motion.referral_target = referral_target
    motion.updated_at = utcnow()
    motion.history.append(
        MotionStatusChange(
            from_status=previous,
            to_status=target,
            recommendation=recommendation,
            referral_target=referral_target,
            actor_id=actor.id,
            note=note,
        )
    )
    audit.record(
        session,
        actor,
        action,
        organisation=motion.book.organisation,
        target=motion,
        old=previous.value,
        new=target.value,
    )
    session.commit()
    with reading_after_commit(session):
        live.publish_status(motion, previous.value)
    return motion


def change_status(
    session: Session,
    actor: Member,
    motion: Motion,
    target: str,
    *,
    recommendation: str | None = None,
    referral_target: str = "",
    note: str = "",
) -> Motion:
    """The motion committee moves a motion on along the allowed steps; admission
    needs the book's number of supporters; a referral names its target."""
    if not is_committee(actor, motion.book):
        raise NotFound()
    try:
        to = MotionStatus(target)
        rec = Recommendation(recommendation) if recommendation else None
    except ValueError:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"status": _("Bitte wähle einen Status aus der Liste.")},
        ) from None
    referral_target = " ".join((referral_target or "").split())[:200]
    note = _clean(note)[:5000]
    if not workflow.allowed(motion.status, to):
        raise TransitionRefused(
            _(
                "Ein Antrag mit dem Status „%(old)s“ kann nicht „%(new)s“ werden.",
                old=STATUS[motion.status],
                new=STATUS[to],
            )
        )
    if to == MotionStatus.RECOMMENDED and rec is None:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"recommendation": _("Bitte wähle die Empfehlung.")},
        )
    if workflow.needs_target(to, rec) and not referral_target:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"referral_target": _("Bitte nenne, an wen überwiesen wird.")},
        )
    if not workflow.needs_target(to, rec):
        referral_target = ""
    if to == MotionStatus.ADMITTED:
        _count(session, motion)
        missing = motion.book.supporters_needed - motion.supporter_count
        if missing > 0:
            raise NotEnoughSupporters(
                _(
                    "Zur Zulassung fehlen noch %(missing)d Unterstützende "
                    "(nötig sind %(needed)d, es sind %(have)d).",
                    missing=missing,
                    needed=motion.book.supporters_needed,
                    have=motion.supporter_count,
                )
            )
    return _move(
        session, actor, motion, to, rec, referral_target, note, "motion.status_changed"
    )


def withdraw(
    session: Session, member: Member, motion: Motion, note: str = ""
) -> Motion:
    """A submitter withdraws the motion until it is decided."""
    if not any(s.member_id == member.id for s in motion.submitters):
        raise Forbidden(_("Zurückziehen kann nur, wer den Antrag gestellt hat."))
    if motion.status not in workflow.WITHDRAWABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s und lässt sich nicht mehr zurückziehen.",
                status=STATUS[motion.status],
            )
        )
    return _move(
        session,
        member,
        motion,
        MotionStatus.WITHDRAWN,
        None,
        "",
        _clean(note)[:5000],
        "motion.withdrawn",
    )
